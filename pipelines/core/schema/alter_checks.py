"""What an ``alter`` would do to the rows already stored: losses to report, changes to refuse.

Refused (nothing is changed, the error names the table and attribute): a type that cannot keep
every stored value (``alter_values``), NOT NULL over stored NULLs, a new NOT NULL attribute
without a default on a table with rows, a new foreign key that some rows have no parent for, a
new unique index over duplicates. Reported as losses (shown before the prompt; ``alter`` goes on):
dropped attributes that hold values, and values a float type will round. Dropping is what the
edited definition asks for, as in DataJoint; the plan makes the cost visible first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..db.connection import Connection
from ..definition.resolved import Column, ForeignKey, Index
from ..definition.table_diff import ColumnChange, TableDiff, declared_type
from ..errors import DataJointError
from ..types import AttributeType, parse_type
from .alter_values import conversion_problem, is_value_checked, rounds_values, value_problem


@dataclass
class DataFindings:
    refusals: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)


def inspect_data(conn: Connection, diff: TableDiff) -> DataFindings:
    """Read the stored rows (never write) and judge ``diff`` against them."""
    probe = _Probe(conn, diff)
    found = DataFindings()
    rows = probe.scalar(f"SELECT count(*) FROM {probe.table}")
    if not rows:
        return found  # nothing stored, nothing to lose
    for name in diff.drops:
        held = probe.scalar(f"SELECT count({probe.q(name)}) FROM {probe.table}")
        if held:
            found.losses.append(
                f"drops attribute `{name}` of {probe.display}, which holds {held} value(s)"
            )
    fk_columns = {c for fk in diff.added_foreign_keys for c in fk.columns}
    for change in diff.changes:
        if change.source is None:
            _check_added(probe, change.column, rows, change.column.name in fk_columns, found)
        else:
            _check_changed(probe, change, found)
    for fk in diff.added_foreign_keys:
        _check_parents(probe, fk, found)
    for index in diff.added_indexes:
        if index.unique:
            _check_unique(probe, index, rows, found)
    return found


class _Probe:
    """The table under alteration, and read-only queries on it."""

    def __init__(self, conn: Connection, diff: TableDiff) -> None:
        self.conn = conn
        self.diff = diff
        self.q = conn.dialect.quote
        self.table = conn.dialect.table_ref(diff.old.database, diff.old.table_name)
        self.display = f"`{diff.old.database}`.`{diff.old.table_name}`"

    def scalar(self, sql: str) -> int:
        return int(self.conn.query(sql).fetchone()[0])

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.conn.query(sql).fetchall())


def _check_added(
    probe: _Probe, column: Column, rows: int, from_foreign_key: bool, found: DataFindings
) -> None:
    if column.nullable or column.default is not None or column.autoincrement:
        return
    remedy = (
        "make the foreign key nullable (-> [nullable] Parent)"
        if from_foreign_key
        else "give it a default or make it nullable"
    )
    found.refusals.append(
        f"Cannot add attribute `{column.name}` to {probe.display}: it is NOT NULL without a "
        f"default and the table has {rows} row(s); {remedy}."
    )


def _check_changed(probe: _Probe, change: ColumnChange, found: DataFindings) -> None:
    assert change.source is not None
    old = probe.diff.old.column(change.source)
    new = change.column
    column = probe.q(change.source)
    if old.nullable and not new.nullable:
        nulls = probe.scalar(f"SELECT count(*) FROM {probe.table} WHERE {column} IS NULL")
        if nulls:
            found.refusals.append(
                f"Cannot make attribute `{new.name}` of {probe.display} NOT NULL: {nulls} row(s) "
                "hold NULL there; fill them in first or keep it nullable."
            )
    old_type, new_type = declared_type(old), declared_type(new)
    if old_type == new_type:
        return
    held = probe.scalar(f"SELECT count({column}) FROM {probe.table}")
    if not held:
        return
    what = f"Cannot change attribute `{new.name}` of {probe.display} from {old_type} to {new_type}"
    try:
        old_parsed, new_parsed = parse_type(old_type), parse_type(new_type)
    except DataJointError:
        found.refusals.append(f"{what}: its {held} stored value(s) cannot be checked.")
        return
    problem = conversion_problem(old_parsed, new_parsed)
    if problem:
        found.refusals.append(f"{what}: {problem} ({held} row(s) hold values).")
        return
    if is_value_checked(new_parsed):
        _check_values(probe, change.source, new_parsed, what, found)
    if rounds_values(old_parsed, new_parsed):
        found.losses.append(
            f"rounds the {held} stored value(s) of `{new.name}` of {probe.display} to {new_type}"
        )


def _check_values(
    probe: _Probe, source: str, new: AttributeType, what: str, found: DataFindings
) -> None:
    column = probe.q(source)
    values = probe.rows(f"SELECT DISTINCT {column} FROM {probe.table} WHERE {column} IS NOT NULL")
    bad = [(value, problem) for (value,) in values if (problem := value_problem(value, new))]
    if bad:
        value, problem = bad[0]
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        found.refusals.append(
            f"{what}: {len(bad)} distinct stored value(s) would not be kept, e.g. {shown} "
            f"({problem})."
        )


def _check_parents(probe: _Probe, fk: ForeignKey, found: DataFindings) -> None:
    sources = [probe.diff.source_name(c) for c in fk.columns]
    if any(s is None for s in sources):
        return  # new columns: NULL (nullable key) or refused as NOT NULL without a default
    q = probe.q
    child, parent = q("$child"), q("$parent")
    present = " AND ".join(f"{child}.{q(str(s))} IS NOT NULL" for s in sources)
    matches = " AND ".join(
        f"{parent}.{q(p)} = {child}.{q(str(s))}"
        for s, p in zip(sources, fk.parent_columns, strict=True)
    )
    parent_table = probe.conn.dialect.table_ref(fk.parent_database, fk.parent_table)
    orphans = (
        f"FROM {probe.table} AS {child} WHERE {present} AND NOT EXISTS "
        f"(SELECT 1 FROM {parent_table} AS {parent} WHERE {matches})"
    )
    count = probe.scalar(f"SELECT count(*) {orphans}")
    if count:
        example = probe.rows(
            f"SELECT {', '.join(f'{child}.{q(str(s))}' for s in sources)} {orphans} LIMIT 1"
        )[0]
        key = dict(zip(fk.columns, example, strict=True))
        found.refusals.append(
            f"Cannot add the foreign key ({', '.join(fk.columns)}) of {probe.display} to "
            f"`{fk.parent_database}`.`{fk.parent_table}`: {count} row(s) have no parent, "
            f"e.g. {key}."
        )


def _check_unique(probe: _Probe, index: Index, rows: int, found: DataFindings) -> None:
    if not all(item.isidentifier() for item in index.items):
        return  # an expression index: the server judges it when the index is built
    existing = []
    for item in index.items:
        source = probe.diff.source_name(item)
        if source is None and probe.diff.new.column(item).nullable:
            return  # a new nullable column is NULL everywhere, and NULLs never collide
        if source is not None:
            existing.append(probe.q(source))
    what = f"Cannot add the unique index ({', '.join(index.items)}) to {probe.display}"
    if not existing:
        if rows > 1:
            found.refusals.append(f"{what}: its {rows} rows would all hold the same default.")
        return
    columns = ", ".join(existing)
    present = " AND ".join(f"{c} IS NOT NULL" for c in existing)
    duplicates = probe.rows(
        f"SELECT {columns}, count(*) FROM {probe.table} WHERE {present} GROUP BY {columns} "
        "HAVING count(*) > 1 LIMIT 1"
    )
    if duplicates:
        *values, count = duplicates[0]
        found.refusals.append(
            f"{what}: {count} rows share the values {tuple(values)} (and maybe others)."
        )

"""``alter`` and ``definition_diff``: evolve a live table from an edited definition (§2.8).

``definition_diff`` plans without changing anything: the statements for the connection's backend,
a readable list of changes, the stored values the change would discard (``lossy``), and the
reasons ``alter`` would refuse it. ``alter`` runs the same plan: it refuses inside a
transaction and whenever stored values would not survive, shows the plan before asking, applies
it all or nothing, keeps the ``~lineage`` rows (and SQLite's column metadata) in step, and clears
the connection's metadata cache so every heading is read afresh.

Beyond DataJoint, secondary foreign keys and indexes can be added and dropped; the primary key
still cannot change.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..db.connection import Connection
from ..definition.resolved import ResolvedTable
from ..definition.table_diff import TableDiff, diff_tables
from ..errors import DataJointError
from ..sql.alter_ddl import AlterStatements, LiveNames, mysql_alter, sqlite_alter
from ..sql.ddl import metadata_rows
from .alter_checks import inspect_data
from .alter_resolve import resolve_edited, resolve_live
from .alter_text import describe_changes
from .headings import load_table

logger = logging.getLogger("pipelines.core")


@dataclass(frozen=True)
class AlterPlan:
    """What ``alter`` would do to a table; ``str(plan)`` is what the prompt shows.

    ``statements`` are the backend's SQL in execution order (on MySQL one ``ALTER TABLE``; on
    SQLite possibly none, when only comments or declared types change, since those live in
    Joinery's metadata table). ``changes`` describes each change in words. ``lossy`` is True when
    applying discards stored values (``reasons`` says which). ``refusals`` are why ``alter``
    would refuse, leaving the table unchanged.
    """

    table: str
    backend: str
    statements: tuple[str, ...]
    changes: tuple[str, ...]
    lossy: bool
    reasons: tuple[str, ...]
    refusals: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def applicable(self) -> bool:
        return not self.refusals

    def __str__(self) -> str:
        if self.is_empty:
            return f"Nothing to alter in {self.table}."
        lines = [f"Alter {self.table}:", *(f"  - {c}" for c in self.changes)]
        if self.statements:
            lines += ["", "SQL:", *(s + ";" for s in self.statements)]
        if self.reasons:
            lines += ["", "Stored values will be lost:", *(f"  - {r}" for r in self.reasons)]
        if self.refusals:
            lines += ["", "Refused (nothing will change):", *(f"  - {r}" for r in self.refusals)]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Work:
    """A plan with what it takes to carry it out."""

    plan: AlterPlan
    diff: TableDiff
    statements: AlterStatements
    lineage: list[tuple[str, str, str]] | None  # None: unchanged
    metadata: bool  # rewrite the column metadata kept outside the DDL (SQLite)


def definition_diff(
    table: Any, new_definition: str | None, context: dict[str, Any] | None = None
) -> AlterPlan:
    """Plan the change of ``table`` to ``new_definition`` (default: its class's definition)."""
    return _prepare(table, new_definition, _context(table, context)).plan


def alter(table: Any, prompt: bool = True, context: dict[str, Any] | None = None) -> None:
    """Change the live table to match its class's ``definition`` (spec §2.8)."""
    conn, _ = table._bound()
    if conn.in_transaction:
        raise DataJointError(
            "Cannot update table declaration inside a transaction, e.g. from inside a "
            "populate/make call"
        )
    work = _prepare(table, None, _context(table, context))
    plan = work.plan
    if plan.is_empty:
        if prompt:
            logger.warning("Nothing to alter.")
        return
    if plan.refusals:
        raise DataJointError(
            f"Alter of {plan.table} refused; nothing was changed:\n"
            + "\n".join(f"  - {r}" for r in plan.refusals)
        )
    if prompt and not _confirm(str(plan) + "\n\nExecute?"):
        return
    if not prompt and plan.lossy:
        logger.warning(
            "Altering %s discards stored values: %s", plan.table, "; ".join(plan.reasons)
        )
    _apply(conn, work)
    if prompt:
        logger.info("Table altered")


def _context(table: Any, context: dict[str, Any] | None) -> dict[str, Any]:
    """The namespace ``->`` references resolve in: given, else the declaration's, else the
    namespace of the code that called ``alter`` (the first frame outside the engine)."""
    if context is not None:
        return context
    declared = getattr(type(table), "_declaration_context", None)
    if declared is not None:
        return dict(declared)
    frame = inspect.currentframe()
    try:
        while frame is not None and str(frame.f_globals.get("__name__", "")).startswith(
            "pipelines.core."
        ):
            frame = frame.f_back
        return {**frame.f_globals, **frame.f_locals} if frame is not None else {}
    finally:
        del frame


def _prepare(table: Any, definition: str | None, context: dict[str, Any]) -> _Work:
    conn, database = table._bound()
    if definition is None:
        definition = getattr(table, "definition", None)
    old = resolve_live(conn, database, table.table_name)
    _, info = load_table(conn, database, table.table_name)
    new, renames = resolve_edited(str(definition or ""), context, old, info)
    diff = diff_tables(old, new, renames)
    statements = _statements(conn, diff)
    findings = inspect_data(conn, diff) if not diff.is_empty else None
    lineage = _lineage(conn, new) if not diff.is_empty else None
    metadata = not conn.dialect.has_column_comments and not diff.is_empty
    plan = AlterPlan(
        table=f"`{database}`.`{table.table_name}`",
        backend=conn.dialect.name,
        statements=statements.statements,
        changes=tuple(describe_changes(diff)),
        lossy=bool(findings and findings.losses),
        reasons=tuple(findings.losses if findings else ()),
        refusals=tuple(findings.refusals if findings else ()),
    )
    return _Work(plan, diff, statements, lineage, metadata)


def _statements(conn: Connection, diff: TableDiff) -> AlterStatements:
    if diff.is_empty:
        return AlterStatements(())
    build = _BUILDERS.get(conn.dialect.name)
    if build is None:
        raise NotImplementedError(f"table.alter is not available on {conn.dialect.name} (yet).")
    return build(conn, diff)


def _mysql_statements(conn: Connection, diff: TableDiff) -> AlterStatements:
    return mysql_alter(diff, conn.dialect, _live_names(conn, diff.old))


def _sqlite_statements(conn: Connection, diff: TableDiff) -> AlterStatements:
    return sqlite_alter(diff, conn.dialect)


#: How each backend alters a table: in place (MySQL) or by the rebuild recipe (SQLite).
_BUILDERS: dict[str, Callable[[Connection, TableDiff], AlterStatements]] = {
    "mysql": _mysql_statements,
    "sqlite": _sqlite_statements,
}


def _lineage(conn: Connection, new: ResolvedTable) -> list[tuple[str, str, str]] | None:
    current = conn.catalog.read_lineage(new.database, new.table_name)
    rows = new.lineage_rows()
    return None if current == {name: origin for _, name, origin in rows} else rows


def _live_names(conn: Connection, table: ResolvedTable) -> LiveNames:
    """Constraint and index names as MySQL gave them (needed to drop them)."""
    args = (table.database, table.table_name)
    foreign_keys: dict[str, list[tuple[str, str, str, str]]] = {}
    for name, column, parent_db, parent, parent_column in conn.query(
        "SELECT constraint_name, column_name, referenced_table_schema, referenced_table_name, "
        "referenced_column_name FROM information_schema.key_column_usage "
        "WHERE table_schema = %s AND table_name = %s AND referenced_table_name IS NOT NULL "
        "ORDER BY constraint_name, ordinal_position",
        args,
    ).fetchall():
        foreign_keys.setdefault(str(name), []).append(
            (str(column), str(parent_db), str(parent), str(parent_column))
        )
    fk_names = {
        (tuple(r[0] for r in rows), rows[0][1], rows[0][2], tuple(r[3] for r in rows)): name
        for name, rows in foreign_keys.items()
    }
    grouped: dict[str, tuple[bool, list[str]]] = {}
    for name, non_unique, column in conn.query(
        "SELECT index_name, non_unique, column_name FROM information_schema.statistics "
        "WHERE table_schema = %s AND table_name = %s AND index_name != 'PRIMARY' "
        "ORDER BY index_name, seq_in_index",
        args,
    ).fetchall():
        grouped.setdefault(str(name), (not int(non_unique), []))[1].append(str(column))
    indexes: dict[tuple[bool, tuple[str, ...]], list[str]] = {}
    for name, (unique, columns) in sorted(grouped.items()):
        indexes.setdefault((unique, tuple(columns)), []).append(name)
    return LiveNames(foreign_keys=fk_names, indexes=indexes)


def _apply(conn: Connection, work: _Work) -> None:
    dialect = conn.dialect
    new = work.diff.new
    catalog = conn.catalog

    def run() -> None:
        for statement in work.statements.statements:
            conn.query(dialect.escape_percent(statement))  # DDL text holds no parameters
        if work.statements.rebuild:
            _check_foreign_keys(conn, new)
        if work.metadata:
            catalog.write_table_metadata(metadata_rows(new))
        if work.lineage is not None:
            catalog.write_lineage(new.database, new.table_name, work.lineage)

    try:
        if not dialect.transactional_ddl:
            run()  # one ALTER TABLE: the server applies it whole or not at all
            return
        if work.statements.rebuild:
            conn.query("PRAGMA foreign_keys = OFF")  # no effect inside a transaction
        try:
            with conn.transaction:
                run()
        finally:
            if work.statements.rebuild:
                conn.query("PRAGMA foreign_keys = ON")
    finally:
        conn.invalidate_metadata()


def _check_foreign_keys(conn: Connection, table: ResolvedTable) -> None:
    """After a rebuild with foreign keys off: every row must still have its parents."""
    ref = f"{table.database}.{table.table_name}"
    broken = conn.query("SELECT * FROM pragma_foreign_key_check(?)", (ref,)).fetchall()
    if broken:
        raise DataJointError(
            f"Alter of `{table.database}`.`{table.table_name}` would leave {len(broken)} row(s) "
            "without a parent; nothing was changed."
        )


def _confirm(question: str) -> bool:
    while True:
        answer = input(f"{question} [yes, No]: ").strip().lower()
        if answer in ("yes", "no", ""):
            return answer == "yes"


__all__ = ["AlterPlan", "alter", "definition_diff"]

"""What changes between a live table and an edited definition of it (spec/engine.md §2.8).

Pure: both sides arrive as ``ResolvedTable``s. The column part follows DataJoint's ``alter``
exactly (the same clauses, in the same order, with the same ``AFTER`` positions), so the MySQL
text built from it is DataJoint's. Beyond DataJoint it also reports added and dropped secondary
foreign keys and indexes. What cannot change (the primary key, its foreign keys) raises
``NotImplementedError`` with DataJoint's wording.

Renames: a new attribute whose comment starts with ``{old_name}`` renames ``old_name``. The marker
is taken out of the stored comment (DataJoint leaves it in, spec §12), and a marker whose rename
has already happened (the old name is gone, the new one exists) is ignored, so running the same
definition twice is a no-op rather than an error.
"""

from __future__ import annotations

import dataclasses
import decimal
import re
from collections import Counter
from dataclasses import dataclass

from ..errors import DataJointError
from .parser import format_default_sql
from .resolved import Column, ForeignKey, Index, ResolvedTable
from .spec import AttributeSpec, TableSpec

_RENAME_MARKER = re.compile(r"^\{\s*(\w+)\s*\}\s*")
_TYPE_MARKER = re.compile(r"^:([^:]+):")
_CURRENT_TIMESTAMP = re.compile(r"^current_timestamp\s*(?:\(\s*(\d*)\s*\))?$", re.I)
_FRACTION = re.compile(r"^(?:datetime|timestamp)\((\d)\)", re.I)
_NUMERIC = re.compile(r"^(tiny|small|medium|big)?int|^float|^double|^real|^dec|^numeric", re.I)

#: ``ColumnChange.after`` for a column that must become the first one.
FIRST = ""


@dataclass(frozen=True)
class ColumnChange:
    """One ADD / MODIFY / CHANGE (rename) of a secondary column, in definition order.

    ``after`` is the column this one must follow, ``FIRST`` for the first position, or None
    when it stays where it is.
    """

    kind: str  # "add" | "modify" | "rename"
    column: Column
    source: str | None  # the column's current name (None for an added column)
    after: str | None

    @property
    def moved(self) -> bool:
        return self.after is not None


@dataclass(frozen=True)
class TableDiff:
    old: ResolvedTable
    new: ResolvedTable
    renames: dict[str, str]  # new name -> old name
    drops: tuple[str, ...]
    changes: tuple[ColumnChange, ...]
    added_foreign_keys: tuple[ForeignKey, ...]
    dropped_foreign_keys: tuple[ForeignKey, ...]
    added_indexes: tuple[Index, ...]
    dropped_indexes: tuple[Index, ...]

    @property
    def comment_changed(self) -> bool:
        return self.old.comment != self.new.comment

    @property
    def is_empty(self) -> bool:
        return not (
            self.drops
            or self.changes
            or self.added_foreign_keys
            or self.dropped_foreign_keys
            or self.added_indexes
            or self.dropped_indexes
            or self.comment_changed
        )

    def source_name(self, name: str) -> str | None:
        """The current name of the new definition's column ``name`` (None if it is new)."""
        source = self.renames.get(name, name)
        return source if any(c.name == source for c in self.old.columns) else None


def take_rename_markers(spec: TableSpec) -> tuple[TableSpec, dict[str, str]]:
    """The spec with ``{old}`` markers removed from attribute comments, and new -> old names."""
    renames: dict[str, str] = {}
    items = []
    for item in spec.items:
        match = _RENAME_MARKER.match(item.comment) if isinstance(item, AttributeSpec) else None
        if isinstance(item, AttributeSpec) and match:
            old = match.group(1)
            if old in renames.values():
                raise DataJointError(f"Alter attempted to rename attribute {{{old}}} twice.")
            renames[item.name] = old
            item = dataclasses.replace(item, comment=item.comment[match.end() :])
        items.append(item)
    return dataclasses.replace(spec, items=tuple(items)), renames


def diff_tables(old: ResolvedTable, new: ResolvedTable, renames: dict[str, str]) -> TableDiff:
    """The changes that turn ``old`` into ``new``; ``renames`` from ``take_rename_markers``."""
    renames = _effective_renames(old, new, renames)
    _check_primary_key(old, new, renames)
    old_fks = {foreign_key_identity(fk): fk for fk in old.foreign_keys if not fk.in_key}
    new_fks = {foreign_key_identity(fk): fk for fk in new.foreign_keys if not fk.in_key}
    # An index over a renamed column is the same index: the rename carries it along.
    back = {source: target for target, source in renames.items()}
    old_indexes = Counter(
        Index(i.unique, tuple(back.get(item, item) for item in i.items)) for i in old.indexes
    )
    new_indexes = Counter(new.indexes)
    drops, changes = _column_changes(old, new, renames)
    return TableDiff(
        old=old,
        new=new,
        renames=renames,
        drops=drops,
        changes=changes,
        added_foreign_keys=tuple(fk for key, fk in new_fks.items() if key not in old_fks),
        dropped_foreign_keys=tuple(fk for key, fk in old_fks.items() if key not in new_fks),
        added_indexes=tuple((new_indexes - old_indexes).elements()),
        dropped_indexes=tuple((old_indexes - new_indexes).elements()),
    )


def same_column(a: Column, b: Column) -> bool:
    """True when both columns would be declared alike (name aside).

    Defaults are compared by meaning: ``CURRENT_TIMESTAMP`` on a ``datetime(3)`` is the
    ``current_timestamp(3)`` the server reports back, and ``5.0`` is ``5`` on a number.
    """
    return _signature(a) == _signature(b)


def declared_type(column: Column) -> str:
    """The type as declared: the comment's ``:type:`` marker, else the SQL type (foreign-key
    and native columns carry no marker, spec §1.5)."""
    marker = _TYPE_MARKER.match(column.comment)
    return marker.group(1) if marker else column.sql_type


def user_comment(column: Column) -> str:
    """The comment as the user wrote it, without the ``:type:`` marker."""
    marker = _TYPE_MARKER.match(column.comment)
    return column.comment[marker.end() :] if marker else column.comment


# ---- renames and the primary key -------------------------------------------------------------


def _effective_renames(
    old: ResolvedTable, new: ResolvedTable, renames: dict[str, str]
) -> dict[str, str]:
    old_names = {c.name for c in old.columns}
    new_names = {c.name for c in new.columns}
    result = {}
    for target, source in renames.items():
        if source not in old_names:
            if target in old_names:
                continue  # already renamed by an earlier alter of this definition
            raise DataJointError(f"Attribute {source} does not exist in the original definition")
        if source in new_names:
            raise DataJointError(
                f"Cannot rename attribute `{source}` to `{target}`: `{source}` is still in the "
                "new definition."
            )
        if target in old_names:
            raise DataJointError(
                f"Cannot rename attribute `{source}` to `{target}`: `{target}` already exists."
            )
        result[target] = source
    return result


def _check_primary_key(old: ResolvedTable, new: ResolvedTable, renames: dict[str, str]) -> None:
    message = "table.alter cannot alter the primary key (yet)."
    if old.primary_key != new.primary_key:
        raise NotImplementedError(message)
    for name in new.primary_key:
        if name in renames or not same_column(old.column(name), new.column(name)):
            raise NotImplementedError(f"{message} Attribute `{name}` of the key changed.")
    old_key_fks = {foreign_key_identity(fk) for fk in old.foreign_keys if fk.in_key}
    new_key_fks = {foreign_key_identity(fk) for fk in new.foreign_keys if fk.in_key}
    if old_key_fks != new_key_fks:
        raise NotImplementedError(f"{message} A foreign key of the primary key changed.")


#: What makes two foreign keys the same constraint: columns, parent table, parent columns.
ForeignKeyIdentity = tuple[tuple[str, ...], str, str, tuple[str, ...]]


def foreign_key_identity(fk: ForeignKey) -> ForeignKeyIdentity:
    """What makes two foreign keys the same constraint (options live on columns and indexes)."""
    return (fk.columns, fk.parent_database, fk.parent_table, fk.parent_columns)


# ---- columns: DataJoint's algorithm ----------------------------------------------------------


def _column_changes(
    old: ResolvedTable, new: ResolvedTable, renames: dict[str, str]
) -> tuple[tuple[str, ...], tuple[ColumnChange, ...]]:
    """Drops, then each new secondary column that differs or moved, in definition order.

    A column moved when the column before it in the new definition is not the one before it
    now; only then does it get an ``AFTER`` (DataJoint's rule, which keeps clauses minimal).
    """
    old_columns = {c.name: c for c in old.columns if not c.is_hidden}
    new_columns = [c for c in new.columns if not c.is_hidden]
    new_names = {c.name for c in new_columns}
    sources = set(renames.values())
    drops = tuple(n for n in old_columns if n not in sources and n not in new_names)
    remaining = [n for n in old_columns if n not in drops]
    changes = []
    previous: tuple[str, str] | None = None  # (new name, current name) of the column before
    for column in new_columns:
        source = renames.get(column.name, column.name)
        if not column.in_key:
            after = _position(remaining, source, previous)
            existing = old_columns.get(source)
            if existing is None:
                changes.append(ColumnChange("add", column, None, after))
            elif source != column.name:
                changes.append(ColumnChange("rename", column, source, after))
            elif after is not None or not same_column(existing, column):
                changes.append(ColumnChange("modify", column, source, after))
        previous = (column.name, source)
    return drops, tuple(changes)


def _position(remaining: list[str], source: str, previous: tuple[str, str] | None) -> str | None:
    if previous is None:
        # Nothing precedes it in the new definition: only a singleton table (no visible key)
        # gets here. DataJoint leaves such a column where it is; moving it needs FIRST.
        if source in remaining:
            return FIRST if remaining.index(source) > 0 else None
        return FIRST if remaining else None
    if source not in remaining:
        return previous[0]
    index = remaining.index(source)
    if index == 0 or remaining[index - 1] != previous[1]:
        return previous[0]
    return None


# ---- column signatures -----------------------------------------------------------------------


def _signature(column: Column) -> tuple[object, ...]:
    return (
        _normalized_type(column.sql_type),
        column.nullable,
        column.omit_null_clause,
        default_key(column),
        column.comment,
        column.autoincrement,
    )


def _normalized_type(sql_type: str) -> str:
    parts = re.split(r"('(?:[^']|'')*')", sql_type.strip())
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\s+", " ", re.sub(r"\s*([(),])\s*", r"\1", parts[i].lower()))
    return "".join(parts)


def default_key(column: Column) -> object:
    """A column's default by meaning (None: no default or nullable), for comparisons."""
    if column.nullable or column.default is None:
        return None
    text = column.default.strip()
    timestamp = _CURRENT_TIMESTAMP.match(text)
    if timestamp:
        fraction = _FRACTION.match(column.sql_type.strip())
        digits = timestamp.group(1) or (fraction.group(1) if fraction else "")
        return ("CURRENT_TIMESTAMP", digits if digits != "0" else "")
    literal = format_default_sql(text)
    if _NUMERIC.match(column.sql_type.strip()):
        try:
            return decimal.Decimal(literal.strip("'"))
        except decimal.InvalidOperation:
            pass
    return literal

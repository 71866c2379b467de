"""The statements that apply a ``TableDiff``, per dialect.

MySQL gets one ``ALTER TABLE`` whose column clauses are DataJoint's text byte for byte (spec
§2.8); the foreign-key and index clauses it adds beyond DataJoint come first (drops) and last
(additions), so a change DataJoint supports reads exactly as DataJoint writes it. One statement
also means all or nothing: the server applies every clause or none.

SQLite alters little in place. A change that only touches comments or declared types (which live
in Joinery's metadata table) needs no DDL; pure renames use ``RENAME COLUMN``; anything else
rebuilds the table: create the new shape under a scratch name, copy the rows, drop the old table,
rename, recreate the indexes (the caller runs this in one transaction with foreign keys off).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..definition.resolved import Index, ResolvedTable
from ..definition.table_diff import (
    FIRST,
    ColumnChange,
    ForeignKeyIdentity,
    TableDiff,
    foreign_key_identity,
)
from .ddl import create_table_sql, escape_comment, foreign_key_sql, mysql_column_sql
from .dialects import Dialect

#: The scratch name a rebuilt SQLite table has until it replaces the original.
REBUILD_PREFIX = "~alter~"


@dataclass(frozen=True)
class LiveNames:
    """Server-given names of the live table's constraints (MySQL names them; DROP needs them)."""

    foreign_keys: dict[ForeignKeyIdentity, str] = field(default_factory=dict)
    #: (unique, columns) -> index names, for indexes over plain columns.
    indexes: dict[tuple[bool, tuple[str, ...]], list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AlterStatements:
    statements: tuple[str, ...]
    #: SQLite: the table is rebuilt, so foreign keys must be off and checked afterwards.
    rebuild: bool = False


# ---- MySQL -----------------------------------------------------------------------------------


def mysql_alter(diff: TableDiff, dialect: Dialect, names: LiveNames) -> AlterStatements:
    clauses = _mysql_drops(diff, dialect, names)
    clauses += [f"DROP {dialect.quote(name)}" for name in diff.drops]
    clauses += [_change_clause(change, dialect) for change in diff.changes]
    clauses += _mysql_additions(diff, dialect)
    if diff.comment_changed:
        clauses.append(f'COMMENT="{escape_comment(diff.new.comment)}"')
    if not clauses:
        return AlterStatements(())
    table = dialect.table_ref(diff.new.database, diff.new.table_name)
    return AlterStatements((f"ALTER TABLE {table}\n\t" + ",\n\t".join(clauses),))


def index_sql(index: Index, dialect: Dialect) -> str:
    items = ",".join(dialect.quote(i) if i.isidentifier() else i for i in index.items)
    return f"{'UNIQUE ' if index.unique else ''}INDEX ({items})"


def _change_clause(change: ColumnChange, dialect: Dialect) -> str:
    if change.kind == "add":
        command = "ADD"
    elif change.kind == "modify":
        command = "MODIFY"
    else:
        command = f"CHANGE {dialect.quote(change.source or '')}"
    if change.after is None:
        position = ""
    elif change.after == FIRST:
        position = "FIRST"
    else:
        position = f"AFTER {dialect.quote(change.after)}"
    return f"{command} {mysql_column_sql(change.column, dialect)} {position}"


def _mysql_drops(diff: TableDiff, dialect: Dialect, names: LiveNames) -> list[str]:
    """DROP FOREIGN KEY / DROP INDEX clauses, which must name what they drop."""
    q = dialect.quote
    available = {key: list(found) for key, found in names.indexes.items()}
    clauses = []
    for fk in diff.dropped_foreign_keys:
        name = names.foreign_keys.get(foreign_key_identity(fk))
        if name is None:
            raise NotImplementedError(
                f"table.alter cannot find the foreign key ({', '.join(fk.columns)}) to drop it."
            )
        clauses.append(f"DROP FOREIGN KEY {q(name)}")
    dropped_columns = set(diff.drops)
    for index in diff.dropped_indexes:
        if set(index.items) <= dropped_columns:
            continue  # the server drops an index with its last column
        current = Index(index.unique, tuple(diff.renames.get(i, i) for i in index.items))
        clauses.append(f"DROP INDEX {q(_take_index_name(available, current))}")
    # The server indexes a foreign key's columns itself; once the key is gone, that index is
    # left over unless its columns go too. Drop it, or describe() would report a new index.
    declared = {i.items for i in diff.new.indexes}
    for fk in diff.dropped_foreign_keys:
        key = (False, fk.columns)
        if set(fk.columns) & dropped_columns or fk.columns in declared or not available.get(key):
            continue
        clauses.append(f"DROP INDEX {q(available[key].pop(0))}")
    return clauses


def _take_index_name(available: dict[tuple[bool, tuple[str, ...]], list[str]], index: Index) -> str:
    found = available.get((index.unique, index.items))
    if not found:
        raise NotImplementedError(
            f"table.alter cannot find the index ({', '.join(index.items)}) to drop it: an index "
            "over expressions or column prefixes cannot be changed (yet)."
        )
    return found.pop(0)


def _mysql_additions(diff: TableDiff, dialect: Dialect) -> list[str]:
    clauses = []
    # A foreign key needs an index over its columns; one that loses its unique index (the
    # `unique` option removed) gets a plain one back in the same statement.
    added = {foreign_key_identity(fk) for fk in diff.added_foreign_keys}
    kept = [fk for fk in diff.new.foreign_keys if foreign_key_identity(fk) not in added]
    declared = {i.items for i in diff.new.indexes}
    for index in diff.dropped_indexes:
        if index.items not in declared and any(fk.columns == index.items for fk in kept):
            clauses.append("ADD " + index_sql(Index(unique=False, items=index.items), dialect))
            declared.add(index.items)
    clauses += ["ADD " + foreign_key_sql(fk, dialect) for fk in diff.added_foreign_keys]
    clauses += ["ADD " + index_sql(index, dialect) for index in diff.added_indexes]
    return clauses


# ---- SQLite ----------------------------------------------------------------------------------


def sqlite_alter(diff: TableDiff, dialect: Dialect) -> AlterStatements:
    new_sql = create_table_sql(diff.new, dialect)
    if create_table_sql(diff.old, dialect) == new_sql:
        return AlterStatements(())  # comments and declared types only: metadata, no DDL
    table = dialect.table_ref(diff.new.database, diff.new.table_name)
    if diff.renames and create_table_sql(_renamed(diff.old, diff.renames), dialect) == new_sql:
        q = dialect.quote
        return AlterStatements(
            tuple(
                f"ALTER TABLE {table} RENAME COLUMN {q(old)} TO {q(new)}"
                for new, old in diff.renames.items()
            )
        )
    return AlterStatements(_rebuild(diff, dialect, new_sql), rebuild=True)


def _renamed(table: ResolvedTable, renames: dict[str, str]) -> ResolvedTable:
    back = {old: new for new, old in renames.items()}
    return dataclasses.replace(
        table,
        columns=tuple(dataclasses.replace(c, name=back.get(c.name, c.name)) for c in table.columns),
        indexes=tuple(
            dataclasses.replace(i, items=tuple(back.get(x, x) for x in i.items))
            for i in table.indexes
        ),
    )


def _rebuild(diff: TableDiff, dialect: Dialect, new_sql: list[str]) -> tuple[str, ...]:
    q = dialect.quote
    new = diff.new
    scratch_name = REBUILD_PREFIX + new.table_name
    scratch = dialect.table_ref(new.database, scratch_name)
    table = dialect.table_ref(new.database, new.table_name)
    create = create_table_sql(dataclasses.replace(new, table_name=scratch_name), dialect)[0]
    copied = [
        (c.name, source) for c in new.columns if (source := diff.source_name(c.name)) is not None
    ]
    targets = ", ".join(q(name) for name, _ in copied)
    sources = ", ".join(q(source) for _, source in copied)
    return (
        create,
        f"INSERT INTO {scratch} ({targets}) SELECT {sources} FROM {table}",
        f"DROP TABLE {table}",
        f"ALTER TABLE {scratch} RENAME TO {table}",  # SQLite's table_ref is one identifier
        *new_sql[1:],  # the indexes, named after the table they now belong to
    )

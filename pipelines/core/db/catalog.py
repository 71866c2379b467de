"""Introspection: what schemas, tables, columns, keys and lineage the database holds.

Each backend answers the same questions (``Catalog``); results use MySQL type names on both, so
the heading logic above is shared. Results are cached per connection and cleared by DDL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..query.heading import ColumnInfo

if TYPE_CHECKING:
    from .connection import Connection

LINEAGE_TABLE = "~lineage"
_DISPLAY_WIDTH = re.compile(r"^((?:tiny|small|medium|big)?int)\(\d+\)", re.I)


def strip_display_width(sql_type: str) -> str:
    """``int(11)`` -> ``int``; ``int(10) unsigned`` -> ``int unsigned`` (as DataJoint copies types)."""
    return _DISPLAY_WIDTH.sub(r"\1", sql_type)


@dataclass(frozen=True)
class ForeignKeyInfo:
    """One foreign key of a child table, columns in declaration order."""

    child_database: str
    child_table: str
    columns: tuple[str, ...]
    parent_database: str
    parent_table: str
    parent_columns: tuple[str, ...]

    @property
    def attr_map(self) -> dict[str, str]:
        return dict(zip(self.columns, self.parent_columns, strict=True))


@dataclass(frozen=True)
class TableInfo:
    database: str
    table_name: str
    comment: str
    columns: tuple[ColumnInfo, ...]
    foreign_keys: tuple[ForeignKeyInfo, ...]
    indexes: dict[tuple[str, ...], dict[str, bool]]


class Catalog:
    """The questions every backend answers about its schemas."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect

    def prepare(self) -> None:
        """Create whatever the catalog itself needs (SQLite's metadata tables)."""

    # schemas
    def list_schemas(self) -> list[str]:
        raise NotImplementedError

    def schema_exists(self, database: str) -> bool:
        return database in self.list_schemas()

    def create_schema(self, database: str) -> None:
        raise NotImplementedError

    def drop_schema(self, database: str) -> None:
        raise NotImplementedError

    # tables
    def list_tables(self, database: str) -> list[str]:
        raise NotImplementedError

    def table_exists(self, database: str, table: str) -> bool:
        return table in self.list_tables(database)

    def table_info(self, database: str, table: str) -> TableInfo:
        raise NotImplementedError

    def schema_primary_keys(self, database: str) -> dict[str, list[str]]:
        """Primary-key columns of every visible table of ``database`` (one query, not one per
        table), in column order."""
        tables = sorted(t for t in self.list_tables(database) if not t.startswith("~"))
        keys: dict[str, list[str]] = {t: [] for t in tables}
        for table, column in self._primary_key_rows(database):
            if str(table) in keys:
                keys[str(table)].append(str(column))
        return keys

    def _primary_key_rows(self, database: str) -> list[tuple[Any, Any]]:
        raise NotImplementedError

    def schema_foreign_keys(self, database: str) -> list[ForeignKeyInfo]:
        """Every foreign key declared by a table of ``database``."""
        raise NotImplementedError

    def referencing_foreign_keys(self, database: str) -> list[ForeignKeyInfo]:
        """Foreign keys of any schema that point into ``database``."""
        raise NotImplementedError

    def drop_table(self, database: str, table: str) -> None:
        self.connection.query(f"DROP TABLE {self.dialect.table_ref(database, table)}")
        self.connection.invalidate_metadata()

    # lineage
    def lineage_create_sql(self, database: str) -> str:
        raise NotImplementedError

    def read_lineage(self, database: str, table: str) -> dict[str, str]:
        if not self.table_exists(database, LINEAGE_TABLE):
            return {}
        ref = self.dialect.table_ref(database, LINEAGE_TABLE)
        p = self.dialect.placeholder
        cursor = self.connection.query(
            f"SELECT attribute_name, lineage FROM {ref} WHERE table_name = {p}", (table,)
        )
        return {str(name): str(lineage) for name, lineage in cursor.fetchall()}

    def read_schema_lineage(self, database: str) -> dict[str, str]:
        if not self.table_exists(database, LINEAGE_TABLE):
            return {}
        ref = self.dialect.table_ref(database, LINEAGE_TABLE)
        cursor = self.connection.query(f"SELECT table_name, attribute_name, lineage FROM {ref}")
        return {f"{database}.{t}.{a}": str(lineage) for t, a, lineage in cursor.fetchall()}

    def write_lineage(self, database: str, table: str, rows: list[tuple[str, str, str]]) -> None:
        self.connection.query(self.lineage_create_sql(database))
        ref = self.dialect.table_ref(database, LINEAGE_TABLE)
        p = self.dialect.placeholder
        self.connection.query(f"DELETE FROM {ref} WHERE table_name = {p}", (table,))
        if rows:
            values = ", ".join([f"({p}, {p}, {p})"] * len(rows))
            args: list[Any] = [value for row in rows for value in row]
            self.connection.query(
                f"INSERT INTO {ref} (table_name, attribute_name, lineage) VALUES {values}"
                + self.lineage_upsert_clause(),
                args,
            )

    def lineage_upsert_clause(self) -> str:
        raise NotImplementedError

    def delete_lineage(self, database: str, table: str) -> None:
        if self.table_exists(database, LINEAGE_TABLE):
            ref = self.dialect.table_ref(database, LINEAGE_TABLE)
            p = self.dialect.placeholder
            self.connection.query(f"DELETE FROM {ref} WHERE table_name = {p}", (table,))

    # metadata SQLite keeps outside its DDL (no-op on MySQL)
    def write_table_metadata(self, rows: list[tuple[str, str, int, str, str]]) -> None:
        """Store declared types and comments where the DDL cannot hold them."""


def unquote_default(default: str | None) -> str | None:
    """Column defaults as catalogs report them -> the bare value (``'abc'`` -> ``abc``)."""
    if default is None:
        return None
    text = str(default)
    if text.upper() == "NULL":
        return None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'").replace("\\\\", "\\")
    return text

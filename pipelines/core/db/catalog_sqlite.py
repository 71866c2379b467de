"""Introspection of an SQLite data file: pragmas plus Joinery's metadata tables.

SQLite keeps neither column comments nor MySQL type names, so declaration writes them to
``"~joinery_columns"``; schema names live in ``"~joinery_schemas"``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ..query.heading import ColumnInfo
from ..sql.dialects.sqlite import COLUMNS_TABLE, SCHEMAS_TABLE
from .catalog import LINEAGE_TABLE, Catalog, ForeignKeyInfo, TableInfo, unquote_default


class SQLiteCatalog(Catalog):
    def prepare(self) -> None:
        q = self.dialect.quote
        self.connection.query(
            f"CREATE TABLE IF NOT EXISTS {q(SCHEMAS_TABLE)} (schema_name TEXT PRIMARY KEY)"
        )
        self.connection.query(
            f"CREATE TABLE IF NOT EXISTS {q(COLUMNS_TABLE)} (table_name TEXT NOT NULL, "
            "attribute_name TEXT NOT NULL, position INTEGER NOT NULL, sql_type TEXT NOT NULL, "
            "comment TEXT NOT NULL, PRIMARY KEY (table_name, attribute_name))"
        )

    def list_schemas(self) -> list[str]:
        cursor = self.connection.query(
            f"SELECT schema_name FROM {self.dialect.quote(SCHEMAS_TABLE)} ORDER BY schema_name"
        )
        return [str(row[0]) for row in cursor.fetchall()]

    def create_schema(self, database: str) -> None:
        self.connection.query(
            f"INSERT INTO {self.dialect.quote(SCHEMAS_TABLE)} (schema_name) VALUES (?)", (database,)
        )

    def drop_schema(self, database: str) -> None:
        tables = self.list_tables(database)
        self.connection.query("PRAGMA foreign_keys = OFF")
        try:
            for table in tables:
                self.connection.query(f"DROP TABLE {self.dialect.table_ref(database, table)}")
            self.connection.query(
                f"DELETE FROM {self.dialect.quote(COLUMNS_TABLE)} "
                "WHERE substr(table_name, 1, length(?) + 1) = ? || '.'",
                (database, database),
            )
            self.connection.query(
                f"DELETE FROM {self.dialect.quote(SCHEMAS_TABLE)} WHERE schema_name = ?",
                (database,),
            )
        finally:
            self.connection.query("PRAGMA foreign_keys = ON")
        self.connection.invalidate_metadata()

    def list_tables(self, database: str) -> list[str]:
        cursor = self.connection.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND substr(name, 1, length(?) + 1) = ? || '.' ORDER BY rowid",
            (database, database),
        )
        return [str(row[0])[len(database) + 1 :] for row in cursor.fetchall()]

    def table_exists(self, database: str, table: str) -> bool:
        cursor = self.connection.query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            (f"{database}.{table}",),
        )
        return cursor.fetchone() is not None

    def table_info(self, database: str, table: str) -> TableInfo:
        full = f"{database}.{table}"
        meta = {
            str(name): (str(sql_type), str(comment))
            for name, sql_type, comment in self.connection.query(
                f"SELECT attribute_name, sql_type, comment FROM {self.dialect.quote(COLUMNS_TABLE)} "
                "WHERE table_name = ?",
                (full,),
            ).fetchall()
        }
        columns = []
        for _cid, name, declared, notnull, default, pk in self.connection.query(
            "SELECT * FROM pragma_table_info(?)", (full,)
        ).fetchall():
            sql_type, comment = meta.get(str(name), (str(declared).lower(), ""))
            default = _sqlite_default(default, sql_type)
            columns.append(
                ColumnInfo(
                    name=str(name),
                    sql_type=sql_type.replace(" auto_increment", ""),
                    nullable=not notnull and not pk,
                    default=default,
                    comment=comment,
                    in_key=bool(pk),
                    autoincrement="auto_increment" in sql_type.lower(),
                )
            )
        return TableInfo(
            database=database,
            table_name=table,
            comment=meta.get("", ("", ""))[1],
            columns=tuple(columns),
            foreign_keys=tuple(self._table_foreign_keys(database, table)),
            indexes=self._indexes(full),
        )

    def _table_foreign_keys(self, database: str, table: str) -> list[ForeignKeyInfo]:
        rows = self.connection.query(
            'SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?)',
            (f"{database}.{table}",),
        ).fetchall()
        grouped: dict[int, list[Any]] = defaultdict(list)
        for fk_id, seq, parent, column, parent_column in rows:
            grouped[int(fk_id)].append((seq, str(parent), str(column), str(parent_column)))
        result = []
        for fk_id in sorted(grouped, reverse=True):  # SQLite numbers the last-declared key 0
            items = sorted(grouped[fk_id])
            parent_database, _, parent_table = items[0][1].partition(".")
            result.append(
                ForeignKeyInfo(
                    child_database=database,
                    child_table=table,
                    columns=tuple(i[2] for i in items),
                    parent_database=parent_database,
                    parent_table=parent_table,
                    parent_columns=tuple(i[3] for i in items),
                )
            )
        return result

    def _primary_key_rows(self, database: str) -> list[tuple[Any, Any]]:
        cursor = self.connection.query(
            "SELECT substr(m.name, length(?) + 2), p.name "
            "FROM sqlite_master AS m, pragma_table_info(m.name) AS p "
            "WHERE m.type = 'table' AND substr(m.name, 1, length(?) + 1) = ? || '.' AND p.pk > 0 "
            "ORDER BY m.rowid, p.pk",
            (database,) * 3,
        )
        return list(cursor.fetchall())

    def schema_foreign_keys(self, database: str) -> list[ForeignKeyInfo]:
        return [
            fk
            for table in self.list_tables(database)
            if not table.startswith("~")
            for fk in self._table_foreign_keys(database, table)
        ]

    def referencing_foreign_keys(self, database: str) -> list[ForeignKeyInfo]:
        return [
            fk
            for schema in self.list_schemas()
            for fk in self.schema_foreign_keys(schema)
            if fk.parent_database == database
        ]

    def _indexes(self, full: str) -> dict[tuple[str, ...], dict[str, bool]]:
        result: dict[tuple[str, ...], dict[str, bool]] = {}
        nullable = {
            str(row[1]): not row[3] and not row[5]
            for row in self.connection.query("SELECT * FROM pragma_table_info(?)", (full,))
        }
        for _seq, name, unique, origin, _partial in self.connection.query(
            "SELECT * FROM pragma_index_list(?)", (full,)
        ).fetchall():
            if origin == "pk":
                continue
            columns = tuple(
                str(row[2])
                for row in self.connection.query(
                    "SELECT * FROM pragma_index_info(?) ORDER BY seqno", (str(name),)
                ).fetchall()
            )
            result[columns] = {
                "unique": bool(unique),
                "nullable": any(nullable.get(c, False) for c in columns),
            }
        return result

    def drop_table(self, database: str, table: str) -> None:
        super().drop_table(database, table)
        self.connection.query(
            f"DELETE FROM {self.dialect.quote(COLUMNS_TABLE)} WHERE table_name = ?",
            (f"{database}.{table}",),
        )

    def lineage_create_sql(self, database: str) -> str:
        return (
            f"CREATE TABLE IF NOT EXISTS {self.dialect.table_ref(database, LINEAGE_TABLE)} (\n"
            '"table_name" TEXT NOT NULL,\n"attribute_name" TEXT NOT NULL,\n'
            '"lineage" TEXT NOT NULL,\nPRIMARY KEY ("table_name", "attribute_name")\n)'
        )

    def lineage_upsert_clause(self) -> str:
        return " ON CONFLICT (table_name, attribute_name) DO UPDATE SET lineage = excluded.lineage"

    def write_table_metadata(self, rows: list[tuple[str, str, int, str, str]]) -> None:
        if not rows:
            return
        self.connection.query(
            f"DELETE FROM {self.dialect.quote(COLUMNS_TABLE)} WHERE table_name = ?", (rows[0][0],)
        )
        placeholders = ", ".join(["(?, ?, ?, ?, ?)"] * len(rows))
        self.connection.query(
            f"INSERT INTO {self.dialect.quote(COLUMNS_TABLE)} "
            f"(table_name, attribute_name, position, sql_type, comment) VALUES {placeholders}",
            [value for row in rows for value in row],
        )


def _sqlite_default(default: Any, sql_type: str) -> str | None:
    """Defaults as declared: the strftime expression Joinery writes for a fractional
    ``datetime(n)`` is ``CURRENT_TIMESTAMP(n)``, as MariaDB reports it."""
    text = unquote_default(default)
    if text is not None and text.lstrip("(").startswith("strftime("):
        digits = re.search(r"\((\d)\)", sql_type)
        return f"current_timestamp({digits.group(1)})" if digits else "current_timestamp()"
    return text

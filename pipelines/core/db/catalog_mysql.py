"""Introspection of MySQL/MariaDB through ``information_schema``."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ..query.heading import ColumnInfo
from .catalog import (
    LINEAGE_TABLE,
    Catalog,
    ForeignKeyInfo,
    TableInfo,
    strip_display_width,
    unquote_default,
)

_SYSTEM_SCHEMAS = ("information_schema", "performance_schema", "mysql", "sys")


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


class MySQLCatalog(Catalog):
    def list_schemas(self) -> list[str]:
        cursor = self.connection.query(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name NOT IN (%s, %s, %s, %s) ORDER BY schema_name",
            _SYSTEM_SCHEMAS,
        )
        return [str(row[0]) for row in cursor.fetchall()]

    def schema_exists(self, database: str) -> bool:
        cursor = self.connection.query(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (database,)
        )
        return cursor.fetchone() is not None

    def create_schema(self, database: str) -> None:
        self.connection.query(f"CREATE DATABASE {self.dialect.quote(database)}")

    def drop_schema(self, database: str) -> None:
        self.connection.query(f"DROP DATABASE {self.dialect.quote(database)}")
        self.connection.invalidate_metadata()

    def list_tables(self, database: str) -> list[str]:
        cursor = self.connection.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (database,),
        )
        return [str(row[0]) for row in cursor.fetchall()]

    def table_exists(self, database: str, table: str) -> bool:
        cursor = self.connection.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (database, table),
        )
        return cursor.fetchone() is not None

    def table_info(self, database: str, table: str) -> TableInfo:
        cursor = self.connection.query(
            "SELECT column_name, column_type, is_nullable, column_default, column_comment, "
            "column_key, extra FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (database, table),
        )
        columns = tuple(
            ColumnInfo(
                name=str(name),
                sql_type=strip_display_width(str(sql_type)),
                nullable=nullable == "YES",
                default=unquote_default(default),
                comment=str(comment or ""),
                in_key=key == "PRI",
                autoincrement="auto_increment" in str(extra).lower(),
            )
            for name, sql_type, nullable, default, comment, key, extra in cursor.fetchall()
        )
        row = self.connection.query(
            "SELECT table_comment FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = %s",
            (database, table),
        ).fetchone()
        return TableInfo(
            database=database,
            table_name=table,
            comment=str(row[0] or "") if row else "",
            columns=columns,
            foreign_keys=tuple(
                self._foreign_keys("table_schema = %s AND table_name = %s", (database, table))
            ),
            indexes=self._indexes(database, table),
        )

    def _foreign_keys(self, where: str, args: tuple[str, ...]) -> list[ForeignKeyInfo]:
        cursor = self.connection.query(
            "SELECT table_schema, table_name, constraint_name, column_name, "
            "referenced_table_schema, referenced_table_name, referenced_column_name "
            "FROM information_schema.key_column_usage "
            f"WHERE {where} AND referenced_table_name IS NOT NULL "
            "ORDER BY table_schema, table_name, constraint_name, ordinal_position",
            args,
        )
        grouped: dict[tuple[str, str, str], list[tuple[Any, ...]]] = defaultdict(list)
        for db, tbl, name, column, parent_db, parent, parent_column in cursor.fetchall():
            grouped[(str(db), str(tbl), str(name))].append(
                (column, parent_db, parent, parent_column)
            )
        result = []
        for (db, tbl, _name), rows in sorted(
            grouped.items(), key=lambda i: (i[0][:2], _natural(i[0][2]))
        ):
            result.append(
                ForeignKeyInfo(
                    child_database=db,
                    child_table=tbl,
                    columns=tuple(str(r[0]) for r in rows),
                    parent_database=str(rows[0][1]),
                    parent_table=str(rows[0][2]),
                    parent_columns=tuple(str(r[3]) for r in rows),
                )
            )
        return result

    def _primary_key_rows(self, database: str) -> list[tuple[Any, Any]]:
        cursor = self.connection.query(
            "SELECT table_name, column_name FROM information_schema.key_column_usage "
            "WHERE table_schema = %s AND constraint_name = 'PRIMARY' "
            "ORDER BY table_name, ordinal_position",
            (database,),
        )
        return list(cursor.fetchall())

    def schema_foreign_keys(self, database: str) -> list[ForeignKeyInfo]:
        return self._foreign_keys("table_schema = %s", (database,))

    def referencing_foreign_keys(self, database: str) -> list[ForeignKeyInfo]:
        return self._foreign_keys("referenced_table_schema = %s", (database,))

    def _indexes(self, database: str, table: str) -> dict[tuple[str, ...], dict[str, bool]]:
        cursor = self.connection.query(
            "SELECT index_name, non_unique, column_name, nullable FROM information_schema.statistics "
            "WHERE table_schema = %s AND table_name = %s AND index_name != 'PRIMARY' "
            "ORDER BY index_name, seq_in_index",
            (database, table),
        )
        grouped: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for name, non_unique, column, nullable in cursor.fetchall():
            grouped[str(name)].append((non_unique, column, nullable))
        return {
            tuple(str(r[1]) for r in rows): {
                "unique": not int(rows[0][0]),
                "nullable": any(r[2] == "YES" for r in rows),
            }
            for rows in grouped.values()
        }

    def lineage_create_sql(self, database: str) -> str:
        return (
            f"CREATE TABLE IF NOT EXISTS {self.dialect.table_ref(database, LINEAGE_TABLE)} (\n"
            '`table_name` VARCHAR(64) NOT NULL COMMENT "table name within the schema",\n'
            '`attribute_name` VARCHAR(64) NOT NULL COMMENT "attribute name",\n'
            '`lineage` VARCHAR(255) NOT NULL COMMENT "origin: schema.table.attribute",\n'
            "PRIMARY KEY (`table_name`, `attribute_name`)\n"
            ") ENGINE=InnoDB"
        )

    def lineage_upsert_clause(self) -> str:
        return (
            " ON DUPLICATE KEY UPDATE table_name = VALUES(table_name), "
            "attribute_name = VALUES(attribute_name), lineage = VALUES(lineage)"
        )

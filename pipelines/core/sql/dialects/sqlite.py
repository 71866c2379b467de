"""SQLite: one file is one data database; a DataJoint schema is a name prefix inside it.

A table ``session`` of schema ``lab`` is the SQLite table ``"lab.session"``: SQLite cannot enforce
foreign keys across attached files, so every schema shares the file.
"""

from __future__ import annotations

from .base import Dialect

#: Prefix-free metadata tables that hold what SQLite cannot store in DDL.
SCHEMAS_TABLE = "~joinery_schemas"
COLUMNS_TABLE = "~joinery_columns"


class SQLiteDialect(Dialect):
    name = "sqlite"
    placeholder = "?"
    doubles_percent = False
    has_column_comments = False
    inline_indexes = False
    has_databases = False
    has_load_data = False
    transactional_ddl = True
    max_table_name_length = 64

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def table_ref(self, database: str, table: str) -> str:
        return self.quote(f"{database}.{table}")

    def string_literal(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def skip_duplicates_clause(self, table: str, first_key: str) -> str:
        # Only key conflicts are skipped; NOT NULL and foreign-key errors still raise.
        return " ON CONFLICT DO NOTHING"

    def insert_verb(self, *, replace: bool, skip_duplicates: bool) -> str:
        return "INSERT OR REPLACE" if replace else "INSERT"

    def group_concat(self, expression: str) -> str:
        return f"group_concat({expression})"

    def now_sql(self, offset_seconds: float = 0.0) -> str:
        shift = f", '{offset_seconds:+.3f} seconds'" if offset_seconds else ""
        return f"strftime('%Y-%m-%d %H:%M:%f', 'now'{shift})"

    def json_path(self, column: str, path: str, cast: str | None) -> str:
        return f"json_extract({self.quote(column)}, '$.{path}')"

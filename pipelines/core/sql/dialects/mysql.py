"""MySQL / MariaDB: backtick identifiers, one server database per DataJoint schema."""

from __future__ import annotations

from .base import Dialect


class MySQLDialect(Dialect):
    name = "mysql"
    placeholder = "%s"
    doubles_percent = True
    has_column_comments = True
    inline_indexes = True
    has_databases = True
    has_load_data = True
    max_table_name_length = 64
    read_committed_next = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"

    def quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    def table_ref(self, database: str, table: str) -> str:
        return f"{self.quote(database)}.{self.quote(table)}"

    def string_literal(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    def skip_duplicates_clause(self, table: str, first_key: str) -> str:
        column = self.quote(first_key)
        return f" ON DUPLICATE KEY UPDATE {column}={table}.{column}"

    def insert_verb(self, *, replace: bool, skip_duplicates: bool) -> str:
        return "REPLACE" if replace else "INSERT"

    def group_concat(self, expression: str) -> str:
        return f"GROUP_CONCAT({expression})"

    def now_sql(self, offset_seconds: float = 0.0) -> str:
        if not offset_seconds:
            return "CURRENT_TIMESTAMP(3)"
        return f"(CURRENT_TIMESTAMP(3) + INTERVAL {round(offset_seconds * 1_000_000)} MICROSECOND)"

    def json_path(self, column: str, path: str, cast: str | None) -> str:
        returning = f" returning {cast}" if cast else ""
        return f"json_value({self.quote(column)}, _utf8mb4'$.{path}'{returning})"

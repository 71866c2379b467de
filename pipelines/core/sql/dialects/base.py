"""What every SQL dialect provides. A dialect renders text only; it never executes anything.

Capabilities are flags, so callers never branch on a backend's name.
"""

from __future__ import annotations

from collections.abc import Sequence


class Dialect:
    name: str = "base"
    placeholder: str = "%s"
    #: The driver %-formats statements, so a literal % in SQL text must be doubled.
    doubles_percent: bool = True
    #: Column and table comments live in the DDL (else in a metadata table).
    has_column_comments: bool = True
    #: Indexes are written inside CREATE TABLE (else as separate CREATE INDEX statements).
    inline_indexes: bool = True
    #: Schemas are server-side databases (else a name prefix inside one file).
    has_databases: bool = True
    #: ``LOAD DATA LOCAL INFILE`` is available for bulk loads.
    has_load_data: bool = False
    #: CREATE TABLE can run inside a transaction (and roll back).
    transactional_ddl: bool = False
    max_table_name_length: int = 64
    #: Run before a statement (in autocommit mode) so that it reads other tables without
    #: locking their rows: an INSERT ... SELECT then cannot deadlock with writers of its sources.
    read_committed_next: str | None = None

    def quote(self, identifier: str) -> str:
        raise NotImplementedError

    def table_ref(self, database: str, table: str) -> str:
        """The SQL reference to a table of a DataJoint schema."""
        raise NotImplementedError

    def quote_list(self, names: Sequence[str], separator: str = ",") -> str:
        return separator.join(self.quote(name) for name in names)

    def escape_percent(self, text: str) -> str:
        return text.replace("%", "%%") if self.doubles_percent else text

    def string_literal(self, value: str) -> str:
        """A quoted literal for text that must appear inline (DDL defaults, comments)."""
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    def insert_verb(self, *, replace: bool, skip_duplicates: bool) -> str:
        return "REPLACE" if replace else "INSERT"

    def skip_duplicates_clause(self, table: str, first_key: str) -> str:
        raise NotImplementedError

    def limit_clause(self, limit: int | None, offset: int) -> str:
        if limit is None and not offset:
            return ""
        text = f" LIMIT {limit if limit is not None else 999999999999}"
        return text + (f" OFFSET {offset}" if offset else "")

    def group_concat(self, expression: str) -> str:
        raise NotImplementedError

    def now_sql(self, offset_seconds: float = 0.0) -> str:
        """The server's current time at millisecond precision (as datetime(3) columns store
        it), shifted by ``offset_seconds``."""
        raise NotImplementedError

    def json_path(self, column: str, path: str, cast: str | None) -> str:
        raise NotImplementedError

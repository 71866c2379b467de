"""Plan tables from definition text without running anything: resolve, write the DDL, and
stand in for a planned table so later definitions can reference it.

A pipeline is often designed before any of it exists: ``-> Session`` must resolve while
``Session`` is itself only a plan. ``PlannedTable`` is a query expression over a table that
is not (yet) in the database: its heading comes from the resolved definition, exactly as the
catalog will report it once the table is created, so a child resolves to the same columns
either way. ``alter_to`` changes a live table to a definition given as text (the declared
classes of ``alter`` carry theirs as a class attribute).
"""

from __future__ import annotations

from typing import Any

from ..db.connection import Connection
from ..definition.resolved import ResolvedTable
from ..query.heading import ColumnInfo, Heading
from ..query.nodes import TableRef
from ..sql.ddl import create_table_sql, normalize_type
from .alter import AlterPlan, alter, definition_diff
from .declare import resolve_definition
from .expression import QueryExpression
from .table import FreeTable


def create_statements(conn: Connection, resolved: ResolvedTable) -> list[str]:
    """The DDL that creates ``resolved`` on the connection's backend, not executed."""
    return create_table_sql(resolved, conn.dialect)


class PlannedTable(QueryExpression):
    """A table that exists only as a resolved definition: usable as a ``->`` target."""

    def __init__(self, conn: Connection, resolved: ResolvedTable) -> None:
        columns = [
            ColumnInfo(
                name=c.name,
                sql_type=normalize_type(c.sql_type),
                nullable=c.nullable,
                default=c.default,
                comment=c.comment,
                in_key=c.in_key,
                autoincrement=c.autoincrement,
            )
            for c in resolved.columns
        ]
        lineage = {c.name: c.lineage for c in resolved.columns if c.lineage}
        heading = Heading.from_columns(columns, lineage, table_comment=resolved.comment)
        self._connection = conn
        self._node_override = TableRef(resolved.database, resolved.table_name, heading)
        self.resolved = resolved

    @property
    def full_table_name(self) -> str:
        return f"`{self.resolved.database}`.`{self.resolved.table_name}`"


class _TableAsText(FreeTable):
    """A live table whose class definition is the given text (what ``alter`` reads)."""

    def __init__(self, conn: Connection, database: str, table_name: str, definition: str) -> None:
        super().__init__(conn, f"`{database}`.`{table_name}`")
        self.definition = definition


def diff_to(
    conn: Connection, database: str, table_name: str, definition: str, context: dict[str, Any]
) -> AlterPlan:
    """What altering the live table to ``definition`` would do (nothing runs)."""
    table = _TableAsText(conn, database, table_name, definition)
    plan: AlterPlan = definition_diff(table, definition, context=context)
    return plan


def alter_to(
    conn: Connection, database: str, table_name: str, definition: str, context: dict[str, Any]
) -> None:
    """Alter the live table to ``definition`` without asking (the caller has shown the plan
    and checked it discards nothing it was not allowed to)."""
    alter(_TableAsText(conn, database, table_name, definition), prompt=False, context=context)


__all__ = [
    "PlannedTable",
    "alter_to",
    "create_statements",
    "diff_to",
    "resolve_definition",
]

"""Both sides of an ``alter``, resolved alike: the live table and the edited definition.

The live side is read back through ``describe()`` and declared again in memory, as DataJoint
does, so that both sides go through the same parser and resolver and differ only where the
definitions do. Its foreign keys are resolved against the live parents themselves (placeholder
names bound to ``FreeTable``s), so it needs no user context. Hidden platform columns
(``_job_*``) are not in any definition; both sides carry them unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..db.catalog import TableInfo
from ..db.connection import Connection
from ..definition.parser import parse_definition
from ..definition.resolve import resolve_table
from ..definition.resolved import Column, ResolvedTable
from ..definition.spec import TableSpec
from ..definition.table_diff import take_rename_markers
from ..errors import DataJointError
from .declare import resolve_reference
from .describe import describe_table
from .headings import load_table
from .table import FreeTable


def resolve_live(conn: Connection, database: str, table_name: str) -> ResolvedTable:
    """The live table as a resolved definition."""
    heading, info = load_table(conn, database, table_name)
    parents = sorted({f"`{fk.parent_database}`.`{fk.parent_table}`" for fk in info.foreign_keys})
    context: dict[str, Any] = {
        f"_parent{number}": FreeTable(conn, name) for number, name in enumerate(parents)
    }
    text = describe_table(conn, database, table_name, heading, info, context)
    resolved = _resolve(parse_definition(text), context, database, table_name)
    return with_hidden_columns(resolved, info)


def resolve_edited(
    definition: str, context: dict[str, Any], live: ResolvedTable, info: TableInfo
) -> tuple[ResolvedTable, dict[str, str]]:
    """The edited definition resolved against ``context``, and its renames (new -> old)."""
    if not isinstance(definition, str) or not definition.strip():
        raise DataJointError(f"Table `{live.table_name}` has no definition to alter it to.")
    spec, renames = take_rename_markers(parse_definition(definition))
    resolved = _resolve(spec, context, live.database, live.table_name)
    return with_hidden_columns(resolved, info), renames


def with_hidden_columns(resolved: ResolvedTable, info: TableInfo) -> ResolvedTable:
    """``resolved`` plus the live table's hidden columns it lacks, after its own columns."""
    present = {c.name for c in resolved.columns}
    hidden = tuple(
        Column(
            name=c.name,
            sql_type=c.sql_type + (" auto_increment" if c.autoincrement else ""),
            in_key=c.in_key,
            nullable=c.nullable,
            default=c.default,
            comment=c.comment,
            autoincrement=c.autoincrement,
            is_hidden=True,
        )
        for c in info.columns
        if c.name.startswith("_") and c.name not in present
    )
    return dataclasses.replace(resolved, columns=resolved.columns + hidden) if hidden else resolved


def _resolve(
    spec: TableSpec, context: dict[str, Any], database: str, table_name: str
) -> ResolvedTable:
    parents = [resolve_reference(fk, context) for fk in spec.foreign_keys]
    return resolve_table(spec, database=database, table_name=table_name, parents=parents)

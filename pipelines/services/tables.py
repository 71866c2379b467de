"""The data-database tables of a pipeline, named as DataJoint users name them.

A table is addressed by its schema and class name (``Session``, a part as ``Session.Trial``),
never by SQL text: both are checked against what the schema really holds before the engine
touches the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pipelines.core as dj
from pipelines.core.definition.naming import (
    TIER_PREFIXES,
    master_of,
    snake_to_class_name,
    tier_of_table_name,
)
from pipelines.models import Pipeline
from pipelines.services.data import data_connection
from pipelines.services.errors import NotFound


@dataclass(frozen=True)
class TableName:
    schema: str
    #: ``Session``, or ``Session.Trial`` for a part.
    name: str
    #: The SQL name (``session``, ``#rig``, ``__spikes``, ``session__trial``).
    table_name: str
    tier: str

    @property
    def full_table_name(self) -> str:
        return f"`{self.schema}`.`{self.table_name}`"


def class_name_of(table_name: str) -> tuple[str, str] | None:
    """``(class name, tier)`` of a SQL table name, or None for hidden and foreign names."""
    tier = tier_of_table_name(table_name)
    if tier is None:
        return None
    if tier != "Part":
        return snake_to_class_name(table_name[len(TIER_PREFIXES[tier]) :]), tier
    master = master_of(table_name) or ""
    master_class = class_name_of(master)
    if master_class is None:
        return None
    part = snake_to_class_name(table_name[len(master) + 2 :])
    return f"{master_class[0]}.{part}", tier


def table_list(*, pipeline: Pipeline, schema: str | None = None) -> list[TableName]:
    """Every table of the pipeline's schemas (or of one of them), parents before children."""
    connection = data_connection()
    result = []
    for database in [schema] if schema is not None else pipeline.schemas:
        _check_schema(pipeline, database)
        if not connection.catalog.schema_exists(database):
            continue
        for table_name in dj.Schema(database, connection=connection).list_tables():
            named = class_name_of(table_name)
            if named is not None:
                result.append(TableName(database, named[0], table_name, named[1]))
    return result


def table_get(*, pipeline: Pipeline, schema: str, name: str) -> TableName:
    """The table ``name`` of ``schema``, which must be one of the pipeline's schemas."""
    for table in table_list(pipeline=pipeline, schema=schema):
        if table.name == name:
            return table
    raise NotFound(
        f"No table {name!r} in schema {schema!r}.", details={"schema": schema, "table": name}
    )


def table_query(table: TableName) -> dj.FreeTable:
    """The engine's table object, on this thread's data-database session."""
    return dj.FreeTable(data_connection(), table.full_table_name)


def _check_schema(pipeline: Pipeline, schema: str) -> None:
    if schema not in pipeline.schemas:
        raise NotFound(
            f"Schema {schema!r} is not part of pipeline {pipeline.slug!r}.",
            details={"schema": schema},
        )

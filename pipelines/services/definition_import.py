"""Import an existing DataJoint schema: its tables' definitions read back from the live database.

A lab with years of DataJoint data starts here. Each table's definition comes from the engine's
``describe()``, with references written in the portal's notation (``-> Class``,
``-> Master.Part``, ``-> other_schema.Class``), so the imported definitions validate as
unchanged against the tables they came from. They are stored as applied, and a revision records
the starting point (with no DDL: nothing ran).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

import pipelines.core as dj
from pipelines.models import DefinitionRevision, Pipeline, TableDefinition, Tier
from pipelines.services.audit import audit_record
from pipelines.services.data import data_connection
from pipelines.services.definitions import snapshot_of
from pipelines.services.errors import Conflict, Invalid, NotFound
from pipelines.services.pipelines import SCHEMA_NAME
from pipelines.services.tables import class_name_of


@transaction.atomic
def definition_import(*, actor: Any, pipeline: Pipeline, schema: str) -> list[TableDefinition]:
    """Define every table of the live ``schema`` in the pipeline, as applied."""
    locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    _check(locked, schema)
    conn = data_connection()
    conn.invalidate_metadata()
    if not conn.catalog.schema_exists(schema):
        raise NotFound(f"The data database has no schema {schema!r}.", details={"schema": schema})
    described = _describe(conn, schema)
    if schema not in locked.schemas:
        locked.schemas = [*locked.schemas, schema]
        locked.save(update_fields=["schemas"])
    rows: dict[str, TableDefinition] = {}
    # No canvas positions: the builder lays never-placed tables out when it first shows them.
    for name, tier, text in described:
        master = rows.get(name.partition(".")[0]) if tier == Tier.PART else None
        rows[name] = TableDefinition.objects.create(
            pipeline=locked, schema=schema, class_name=name, tier=tier, definition=text,
            master=master, status=TableDefinition.Status.APPLIED, applied_definition=text,
        )  # fmt: skip
    _record(actor, locked, schema, list(rows.values()))
    pipeline.schemas = locked.schemas
    return list(rows.values())


def _check(pipeline: Pipeline, schema: Any) -> None:
    if not isinstance(schema, str) or not SCHEMA_NAME.fullmatch(schema):
        raise Invalid(
            "A schema name is lowercase letters, digits and underscores, starting with a letter.",
            details={"schema": schema},
        )
    others = Pipeline.objects.exclude(pk=pipeline.pk).only("slug", "schemas")
    owner = next((p for p in others if schema in (p.schemas or ())), None)
    if owner is not None:
        raise Conflict(
            f"Schema {schema!r} already belongs to pipeline {owner.slug!r}.",
            details={"schema": schema, "pipeline": owner.slug},
        )
    if TableDefinition.objects.filter(pipeline=pipeline, schema=schema).exists():
        raise Conflict(
            f"The pipeline already defines tables in {schema!r}: delete them to import again.",
            details={"schema": schema},
        )


def _describe(conn: dj.Connection, schema: str) -> list[tuple[str, str, str]]:
    """``(class name, tier, definition)`` of each table, parents first."""
    live = dj.Schema(schema, connection=conn, create_schema=False)
    own: dict[str, Any] = {}
    live.make_classes(into=own)
    context = dict(own)
    for other in _referenced_schemas(conn, schema):
        classes: dict[str, Any] = {}
        dj.Schema(other, connection=conn, create_schema=False).make_classes(into=classes)
        context.update({f"{other}.{name}": cls for name, cls in classes.items()})
    described = []
    for table_name in live.list_tables():
        named = class_name_of(table_name)
        if named is None:
            continue  # hidden tables (~lineage, ~~jobs) and names DataJoint would not make
        text = dj.FreeTable(conn, f"`{schema}`.`{table_name}`").describe(context=context)
        described.append((named[0], named[1], text))
    return described


def _referenced_schemas(conn: dj.Connection, schema: str) -> list[str]:
    found = {fk.parent_database for fk in conn.catalog.schema_foreign_keys(schema)}
    return sorted(found - {schema})


def _record(actor: Any, pipeline: Pipeline, schema: str, rows: list[TableDefinition]) -> None:
    last = DefinitionRevision.objects.filter(pipeline=pipeline).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1
    everything = list(TableDefinition.objects.filter(pipeline=pipeline).select_related("master"))
    DefinitionRevision.objects.create(
        pipeline=pipeline,
        number=number,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        message=f"Imported schema {schema}",
        snapshot=snapshot_of(everything),
        ddl="",
    )
    audit_record(
        actor=actor, pipeline=pipeline, action="definitions.import", target=schema,
        payload={"schema": schema, "revision": number,
                 "tables": [r.class_name for r in rows]},
    )  # fmt: skip

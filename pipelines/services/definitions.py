"""Drafting a pipeline's table definitions, and restoring an old revision as the drafts.

Drafts may hold text the engine would refuse (a builder saves as the user types); validation
(``definition_plan``) reports what is wrong, and apply (``definition_apply``) refuses until it
is fixed. What is checked here is what makes a definition addressable: its schema belongs to
the pipeline, its class name is CamelCase, a part names a master of the same schema.

A part's class name is stored as ``Master.Part`` (as the tables service names it), so two
masters may each have a part of the same name.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.db import transaction

from pipelines.models import DefinitionRevision, Pipeline, TableDefinition, Tier
from pipelines.services.audit import audit_record
from pipelines.services.definition_safety import MAX_DEFINITION_LENGTH
from pipelines.services.errors import Conflict, Invalid, NotFound

_MAX_NAME = TableDefinition._meta.get_field("class_name").max_length or 64
_CLASS_NAME = re.compile(rf"[A-Z][A-Za-z0-9]{{0,{_MAX_NAME - 1}}}")
_POSITION_LIMIT = 1e7


@transaction.atomic
def definition_create(
    *,
    actor: Any,
    pipeline: Pipeline,
    schema: str,
    class_name: str,
    tier: str,
    definition: str,
    master: str | None = None,
    position_x: float = 0.0,
    position_y: float = 0.0,
) -> TableDefinition:
    """A new draft table definition."""
    _lock(pipeline)
    _check_schema(pipeline, schema)
    master_row, name = _check_name(pipeline, schema, class_name, _tier(tier), master)
    row = TableDefinition(
        pipeline=pipeline,
        schema=schema,
        class_name=name,
        tier=tier,
        definition=_text(definition),
        master=master_row,
        position_x=_position(position_x),
        position_y=_position(position_y),
    )
    if TableDefinition.objects.filter(pipeline=pipeline, schema=schema, class_name=name).exists():
        raise Conflict(
            f"{schema}.{name} is already defined.", details={"schema": schema, "class_name": name}
        )
    row.save()
    audit_record(
        actor=actor, pipeline=pipeline, action="definition.create", target=f"{schema}.{name}",
        payload={"tier": tier, "master": master_row.class_name if master_row else None,
                 "definition": row.definition},
    )  # fmt: skip
    return row


@transaction.atomic
def definition_update(
    *, actor: Any, pipeline: Pipeline, table_definition: TableDefinition, **changes: Any
) -> TableDefinition:
    """Change a definition's text, position, tier or class name (renaming a master renames
    its parts). Tier changes stay between the non-part tiers."""
    _lock(pipeline)
    row = TableDefinition.objects.select_for_update().get(pk=table_definition.pk)
    unknown = set(changes) - {"definition", "position_x", "position_y", "tier", "class_name"}
    if unknown:
        raise Invalid(f"Cannot change {sorted(unknown)}.", details={"fields": sorted(unknown)})
    before = row.class_name
    if "definition" in changes:
        row.definition = _text(changes["definition"])
    for axis in ("position_x", "position_y"):
        if axis in changes:
            setattr(row, axis, _position(changes[axis]))
    renamed = _retier_and_rename(pipeline, row, changes)
    if renamed:
        row.applied_definition = ""  # another table name: nothing of it is applied
    _set_status(row)
    row.save()
    if renamed:
        _rename_parts(row, before)
    audit_record(
        actor=actor, pipeline=pipeline, action="definition.update",
        target=f"{row.schema}.{before}", payload=_jsonable(changes),
    )  # fmt: skip
    return row


@transaction.atomic
def definition_delete(*, actor: Any, pipeline: Pipeline, table_definition: TableDefinition) -> None:
    """Forget a definition (and its parts). A table that exists stays until an apply drops it."""
    _lock(pipeline)
    definition = table_definition
    parts = list(definition.parts.values_list("class_name", flat=True))
    audit_record(
        actor=actor, pipeline=pipeline, action="definition.delete",
        target=f"{definition.schema}.{definition.class_name}",
        payload={"definition": definition.definition, "parts": parts},
    )  # fmt: skip
    definition.delete()


@transaction.atomic
def revision_restore(*, actor: Any, pipeline: Pipeline, number: int) -> list[TableDefinition]:
    """Make revision ``number``'s snapshot the pipeline's drafts (nothing is applied)."""
    _lock(pipeline)
    revision = DefinitionRevision.objects.filter(pipeline=pipeline, number=number).first()
    if revision is None:
        raise NotFound(f"No revision {number}.", details={"revision": number})
    entries: list[dict[str, Any]] = list(revision.snapshot)
    missing = sorted({e["schema"] for e in entries} - set(pipeline.schemas))
    if missing:
        raise Invalid(
            f"Revision {number} defines tables in {missing}, no longer schemas of the pipeline: "
            "add them to the pipeline first.",
            details={"schemas": missing},
        )
    existing = {(d.schema, d.class_name): d for d in pipeline.tables.all()}
    rows: dict[tuple[str, str], TableDefinition] = {}
    for entry in sorted(entries, key=lambda e: e["tier"] == Tier.PART):  # masters first
        key = (entry["schema"], entry["class_name"])
        row = existing.get(key) or TableDefinition(
            pipeline=pipeline, schema=key[0], class_name=key[1]
        )
        row.tier, row.definition = entry["tier"], entry["definition"]
        row.master = rows.get((key[0], entry["master"])) if entry.get("master") else None
        row.position_x, row.position_y = entry.get("position") or (0.0, 0.0)
        _set_status(row)
        row.save()
        rows[key] = row
    removed = sorted(f"{s}.{c}" for s, c in existing if (s, c) not in rows)
    TableDefinition.objects.filter(
        pk__in=[d.pk for k, d in existing.items() if k not in rows]
    ).delete()
    audit_record(
        actor=actor, pipeline=pipeline, action="revision.restore", target=f"r{number}",
        payload={"revision": number, "restored": sorted(f"{s}.{c}" for s, c in rows),
                 "removed": removed},
    )  # fmt: skip
    return list(rows.values())


def snapshot_of(definitions: list[TableDefinition]) -> list[dict[str, Any]]:
    """What a revision keeps of each definition (``DefinitionRevision.snapshot``)."""
    ordered = sorted(definitions, key=lambda d: (d.schema, d.class_name))
    return [
        {
            "schema": d.schema,
            "class_name": d.class_name,
            "tier": d.tier,
            "definition": d.definition,
            "master": d.master.class_name if d.master is not None else None,
            "position": [d.position_x, d.position_y],
        }
        for d in ordered
    ]


# --- checks ---------------------------------------------------------------------------------------
def _lock(pipeline: Pipeline) -> None:
    """Serialize changes to one pipeline's definitions (an apply holds the same lock)."""
    Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()


def _check_schema(pipeline: Pipeline, schema: Any) -> None:
    if not isinstance(schema, str) or schema not in pipeline.schemas:
        raise Invalid(
            f"Schema {schema!r} is not one of the pipeline's schemas {pipeline.schemas}.",
            details={"schema": schema},
        )


def _tier(tier: Any) -> str:
    if tier not in Tier.values:
        raise Invalid(f"Unknown tier {tier!r}; one of {Tier.values}.", details={"tier": tier})
    return str(tier)


def _check_name(
    pipeline: Pipeline, schema: str, class_name: Any, tier: str, master: Any
) -> tuple[TableDefinition | None, str]:
    """The master's row (parts) and the stored class name (``Master.Part`` for a part)."""
    if not isinstance(class_name, str):
        raise Invalid("A class name is text.", details={"class_name": class_name})
    if tier != Tier.PART:
        if master:
            raise Invalid("Only a Part table has a master.", details={"master": master})
        _camel(class_name)
        return None, class_name
    row = TableDefinition.objects.filter(
        pipeline=pipeline, schema=schema, class_name=master if isinstance(master, str) else ""
    ).first()
    if row is None or row.tier == Tier.PART:
        raise Invalid(
            f"A Part table needs its master: {master!r} is not a table defined in {schema!r}.",
            details={"master": master},
        )
    short = class_name.removeprefix(f"{row.class_name}.")
    _camel(short)
    full_name = f"{row.class_name}.{short}"
    if len(full_name) > _MAX_NAME:
        raise Invalid(
            f"{full_name!r} is too long: a part's Master.Part name is at most {_MAX_NAME} "
            "characters.",
            details={"class_name": full_name},
        )
    return row, full_name


def _camel(name: str) -> None:
    if not _CLASS_NAME.fullmatch(name):
        raise Invalid(
            f"Class name {name!r} is invalid: CamelCase, starting with a capital letter, "
            "letters and digits only, at most 64 characters.",
            details={"class_name": name},
        )


def _text(definition: Any) -> str:
    if not isinstance(definition, str) or not definition.strip():
        raise Invalid("A definition needs text.", details={"definition": definition})
    if len(definition) > MAX_DEFINITION_LENGTH or "\x00" in definition:
        raise Invalid(
            f"A definition is at most {MAX_DEFINITION_LENGTH} characters of text.",
            details={"length": len(definition)},
        )
    return definition


def _position(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or abs(value) > _POSITION_LIMIT
    ):
        raise Invalid("A position is a number.", details={"position": value})
    return float(value)


def _retier_and_rename(pipeline: Pipeline, row: TableDefinition, changes: dict[str, Any]) -> bool:
    """Apply tier and class-name changes; True when the table's name changes."""
    tier = _tier(changes.get("tier", row.tier))
    if (tier == Tier.PART) != (row.tier == Tier.PART):
        raise Invalid("A table cannot become a part, nor a part a table: define it anew.")
    name = changes.get("class_name", row.class_name.rpartition(".")[2])
    master = row.master.class_name if row.master is not None else None
    _, full_name = _check_name(pipeline, row.schema, name, tier, master)
    if (full_name, tier) == (row.class_name, row.tier):
        return False
    clash = TableDefinition.objects.filter(
        pipeline=pipeline, schema=row.schema, class_name=full_name
    ).exclude(pk=row.pk)
    if clash.exists():
        raise Conflict(f"{row.schema}.{full_name} is already defined.")
    row.tier, row.class_name = tier, full_name
    return True


def _rename_parts(master: TableDefinition, before: str) -> None:
    for part in master.parts.all():
        part.class_name = f"{master.class_name}.{part.class_name.removeprefix(before + '.')}"
        part.applied_definition = ""
        _set_status(part)
        part.save()


def _set_status(row: TableDefinition) -> None:
    applied = bool(row.applied_definition) and row.definition == row.applied_definition
    row.status = TableDefinition.Status.APPLIED if applied else TableDefinition.Status.DRAFT


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if isinstance(v, str | int | float | None)}

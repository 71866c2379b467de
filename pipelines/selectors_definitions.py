"""Reads of a pipeline's table definitions and revisions (the caller's access is checked by
``pipelines.selectors.pipeline_get`` first)."""

from __future__ import annotations

from django.db.models import QuerySet

from pipelines.models import DefinitionRevision, Pipeline, TableDefinition
from pipelines.services.errors import NotFound


def definition_list(*, pipeline: Pipeline) -> QuerySet[TableDefinition]:
    return TableDefinition.objects.filter(pipeline=pipeline).select_related("master")


def definition_get(*, pipeline: Pipeline, definition_id: int) -> TableDefinition:
    found = definition_list(pipeline=pipeline).filter(pk=definition_id).first()
    if found is None:
        raise NotFound(f"No definition {definition_id}.", details={"definition": definition_id})
    return found


def revision_list(*, pipeline: Pipeline) -> QuerySet[DefinitionRevision]:
    return DefinitionRevision.objects.filter(pipeline=pipeline).select_related("author")


def revision_get(*, pipeline: Pipeline, number: int) -> DefinitionRevision:
    found = revision_list(pipeline=pipeline).filter(number=number).first()
    if found is None:
        raise NotFound(f"No revision {number}.", details={"revision": number})
    return found

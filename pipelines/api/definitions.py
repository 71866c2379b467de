"""``/api/pipelines/<slug>/``: table definitions (drafts), validation, apply, revisions, import.

Viewers read definitions and revisions; maintainers change definitions, validate them against
the live database, apply them, restore a revision and import a schema.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from pipelines.api.access import pipeline_for
from pipelines.api.definition_serializers import (
    ApplyIn,
    DefinitionChange,
    DefinitionIn,
    DefinitionOut,
    ImportIn,
    RevisionDetailOut,
    RevisionOut,
    ValidationOut,
)
from pipelines.selectors_definitions import (
    definition_get,
    definition_list,
    revision_get,
    revision_list,
)
from pipelines.services.definition_apply import definition_apply
from pipelines.services.definition_import import definition_import
from pipelines.services.definition_plan import definition_validate
from pipelines.services.definitions import (
    definition_create,
    definition_delete,
    definition_update,
    revision_restore,
)
from pipelines.services.errors import Invalid


class DefinitionList(APIView):
    @extend_schema(responses=DefinitionOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(DefinitionOut(definition_list(pipeline=pipeline), many=True).data)

    @extend_schema(request=DefinitionIn, responses={201: DefinitionOut})
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        data = _valid(DefinitionIn, request.data)
        created = definition_create(actor=request.user, pipeline=pipeline, **data)
        return Response(DefinitionOut(created).data, status=status.HTTP_201_CREATED)


class DefinitionDetail(APIView):
    @extend_schema(responses=DefinitionOut)
    def get(self, request: Request, slug: str, definition_id: int) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        definition = definition_get(pipeline=pipeline, definition_id=definition_id)
        return Response(DefinitionOut(definition).data)

    @extend_schema(request=DefinitionChange, responses=DefinitionOut)
    def patch(self, request: Request, slug: str, definition_id: int) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        definition = definition_get(pipeline=pipeline, definition_id=definition_id)
        changes = _valid(DefinitionChange, request.data)
        changed = definition_update(
            actor=request.user, pipeline=pipeline, table_definition=definition, **changes
        )
        return Response(DefinitionOut(changed).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, definition_id: int) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        definition = definition_get(pipeline=pipeline, definition_id=definition_id)
        definition_delete(actor=request.user, pipeline=pipeline, table_definition=definition)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DefinitionValidate(APIView):
    @extend_schema(request=None, responses=ValidationOut)
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        return Response(definition_validate(pipeline=pipeline).as_dict())


class DefinitionApply(APIView):
    @extend_schema(request=ApplyIn, responses={201: RevisionDetailOut})
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        data = _valid(ApplyIn, request.data)
        revision = definition_apply(actor=request.user, pipeline=pipeline, **data)
        return Response(RevisionDetailOut(revision).data, status=status.HTTP_201_CREATED)


class RevisionList(APIView):
    @extend_schema(responses=RevisionOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(RevisionOut(revision_list(pipeline=pipeline), many=True).data)


class RevisionDetail(APIView):
    @extend_schema(responses=RevisionDetailOut)
    def get(self, request: Request, slug: str, number: int) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(RevisionDetailOut(revision_get(pipeline=pipeline, number=number)).data)


class RevisionRestore(APIView):
    @extend_schema(request=None, responses=DefinitionOut(many=True))
    def post(self, request: Request, slug: str, number: int) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        restored = revision_restore(actor=request.user, pipeline=pipeline, number=number)
        return Response(DefinitionOut(restored, many=True).data)


class SchemaImport(APIView):
    @extend_schema(request=ImportIn, responses={201: DefinitionOut(many=True)})
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        data = _valid(ImportIn, request.data)
        imported = definition_import(actor=request.user, pipeline=pipeline, schema=data["schema"])
        return Response(DefinitionOut(imported, many=True).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    """The validated body; a field the endpoint does not take is an error, not ignored."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    unknown = sorted(set(data) - set(serializer.fields)) if isinstance(data, dict) else []
    if unknown:
        raise Invalid(f"Unknown fields: {unknown}.", details={"fields": unknown})
    return dict(serializer.validated_data)

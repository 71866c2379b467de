"""``/api/pipelines/<slug>/definitions/code/``: the pipeline's definitions as a Python module
(the builder's "show the code"). Whoever may read the definitions may read it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pipelines.api.access import pipeline_for
from pipelines.services.definition_code import definition_code


class DefinitionCodeOut(serializers.Serializer[dict[str, str]]):
    filename = serializers.CharField(help_text="A file name for the module.")
    code = serializers.CharField(help_text="Python source declaring every defined table.")


class DefinitionCode(APIView):
    @extend_schema(responses=DefinitionCodeOut)
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        filename = f"{pipeline.slug.replace('-', '_')}_pipeline.py"
        return Response({"filename": filename, "code": definition_code(pipeline=pipeline)})

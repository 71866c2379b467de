"""``/api/pipelines/<slug>/query/``, ``query/code/`` and ``diagram/``: structured queries over a
pipeline's tables (rows as JSON or CSV, with the Python that does the same) and its diagram.

All three only read, so a viewer may call them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from pipelines.api.access import pipeline_for
from pipelines.api.csv_renderer import CSVRenderer, JsonErrors
from pipelines.api.query_serializers import (
    QUERY_EXAMPLES,
    DiagramOut,
    QueryCodeOut,
    QueryOut,
    QuerySpec,
)
from pipelines.services.diagram import diagram_get
from pipelines.services.queries import query_code, query_run

_FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    required=False,
    description="csv returns the rows as CSV (also with Accept: text/csv).",
)


class StrictJSONParser(JSONParser):
    """JSON only (a form post is refused), and a body nested past Python's recursion limit is
    malformed input, not a server error."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body nests too deep.") from None


class QueryRun(JsonErrors, APIView):
    parser_classes = [StrictJSONParser]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        request=QuerySpec,
        parameters=[_FORMAT],
        responses={
            200: OpenApiResponse(QueryOut, description="Rows, total, and the code."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The rows as CSV."),
        },
        examples=QUERY_EXAMPLES,
        description="Run a structured query (the spec) on the pipeline's tables. Errors name "
        "the place in the spec in error.details.at.",
    )
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.VIEWER)
        as_csv = request.accepted_renderer.format == "csv"
        result = query_run(pipeline=pipeline, spec=request.data, count=not as_csv)
        if as_csv:
            response = Response({"columns": result.columns, "rows": result.rows})
            response["Content-Disposition"] = 'attachment; filename="query.csv"'
            return response
        return Response(asdict(result))


class QueryCode(APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=QuerySpec,
        responses=QueryCodeOut,
        examples=QUERY_EXAMPLES[:3],
        description="The Python (pipelines.core) that runs the spec; nothing is fetched.",
    )
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.VIEWER)
        return Response({"code": query_code(pipeline=pipeline, spec=request.data)})


class Diagram(APIView):
    @extend_schema(
        responses=DiagramOut,
        parameters=[
            OpenApiParameter(
                "counts", bool, required=False, description="false leaves out the row counts."
            )
        ],
    )
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.VIEWER)
        counts = request.query_params.get("counts", "true").lower() not in ("false", "0", "no")
        return Response(diagram_get(pipeline=pipeline, counts=counts))

"""``/api/pipelines/<slug>/tables/``: a pipeline's tables and their rows.

Browse (viewer), enter and correct rows of Manual and Lookup tables (entry), delete with a
preview and a confirmation token (operator), upload CSV/JSON (entry), export CSV (viewer),
download and upload one row's file (viewer / entry). The value encoding is described in
``row_serializers``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from pipelines.api import row_serializers as s
from pipelines.api.access import pipeline_for
from pipelines.services.errors import Invalid
from pipelines.services.row_tables import RowTable, row_table
from pipelines.services.rows_delete import rows_delete, rows_delete_preview
from pipelines.services.rows_read import (
    RowsPage,
    row_file,
    rows_export_csv,
    rows_page,
    table_described,
    tables_described,
)
from pipelines.services.rows_upload import rows_upload
from pipelines.services.rows_write import InsertReport, row_file_set, row_update, rows_insert
from pipelines.services.values import BYTES, check_upload_size

DRY_RUN = OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Check only, write nothing.")
WHERE = OpenApiParameter(
    "where", OpenApiTypes.STR, description="URL-encoded JSON condition tree. " + s.WHERE_HELP
)
PAGE_PARAMETERS = [
    WHERE,
    OpenApiParameter("order_by", OpenApiTypes.STR, description='"a,-b": by a, then b descending'),
    OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 1000 (default 100)"),
    OpenApiParameter("offset", OpenApiTypes.INT),
    OpenApiParameter("count", OpenApiTypes.BOOL, description="0: skip counting the rows"),
    OpenApiParameter(
        "after",
        OpenApiTypes.STR,
        description="URL-encoded JSON key: the page starts after this row, in key order (a "
        "deep page then costs what the first does). Each page returns next_after.",
    ),
]
FILE_PARAMETERS = [
    OpenApiParameter("key", OpenApiTypes.STR, required=True, description="The row's key as JSON"),
    OpenApiParameter("attribute", OpenApiTypes.STR, required=True),
]


def _target(request: Request, slug: str, schema: str, name: str, role: str) -> RowTable:
    pipeline, _ = pipeline_for(request, slug, role)
    return row_table(pipeline=pipeline, schema=schema, name=name)


def _valid(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TableList(APIView):
    @extend_schema(responses=s.TableOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(tables_described(pipeline=pipeline))


class TableDetail(APIView):
    @extend_schema(responses=s.TableDetailOut)
    def get(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.VIEWER)
        return Response(table_described(target, count=True))


class Rows(APIView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses=s.RowsPageOut)
    def get(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.VIEWER)
        params = request.query_params
        page = rows_page(
            target=target,
            where=_json_parameter(params.get("where"), "where"),
            order_by=[
                item.strip() for item in params.get("order_by", "").split(",") if item.strip()
            ],
            limit=_int_parameter(params.get("limit"), "limit", 100),
            offset=_int_parameter(params.get("offset"), "offset", 0),
            count=params.get("count", "1").lower() not in ("0", "false", "no"),
            after=_json_parameter(params.get("after"), "after"),
        )
        return Response(_page_out(request, target, page))

    @extend_schema(
        parameters=[DRY_RUN],
        request=s.RowsInsertIn,
        responses={201: s.InsertOut, 200: s.InsertOut, 400: s.InvalidRowsOut},
        description="Insert rows, all or nothing. A bad batch is refused with 400 "
        '(code "invalid_rows"), details.rows listing every bad row with its errors.',
    )
    def post(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.ENTRY)
        # The rows are checked by the service, which reports every bad row; a serializer
        # would re-encode each row only to find what the service finds anyway.
        data = request.data
        if not isinstance(data, dict) or set(data) != {"rows"}:
            raise Invalid('The body is {"rows": [...]}.')
        dry_run = _flag(request, "dry_run")
        report = rows_insert(actor=request.user, target=target, rows=data["rows"], dry_run=dry_run)
        return _insert_response(report, dry_run)

    @extend_schema(
        request=s.RowUpdateIn,
        responses={200: OpenApiTypes.OBJECT},
        description="Correct secondary attributes of one row; returns the row as it is now.",
    )
    def patch(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.ENTRY)
        data = _valid(s.RowUpdateIn, request.data)
        row = row_update(actor=request.user, target=target, key=data["key"], values=data["values"])
        return Response(_links(request, target, [row])[0])


class RowsSearch(APIView):
    """The rows page for conditions too long for a URL."""

    @extend_schema(request=s.RowsSearchIn, responses=s.RowsPageOut)
    def post(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.VIEWER)
        data = _valid(s.RowsSearchIn, request.data)
        page = rows_page(target=target, **data)
        return Response(_page_out(request, target, page))


class RowsDeletePreview(APIView):
    @extend_schema(request=s.DeletePreviewIn, responses=s.DeletePreviewOut)
    def post(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.OPERATOR)
        data = _valid(s.DeletePreviewIn, request.data)
        preview = rows_delete_preview(
            actor=request.user,
            target=target,
            where=data.get("where"),
            keys=data.get("keys"),
            part_integrity=data["part_integrity"],
        )
        return Response(s.DeletePreviewOut(preview).data)


class RowsDelete(APIView):
    @extend_schema(
        request=s.DeleteIn,
        responses=s.DeleteOut,
        description="Delete what a preview described; 409 if the rows changed since.",
    )
    def post(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.OPERATOR)
        data = _valid(s.DeleteIn, request.data)
        result = rows_delete(
            actor=request.user, pipeline=target.pipeline, target=target, token=data["token"]
        )
        return Response(result)


class RowsUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[DRY_RUN],
        request={"multipart/form-data": s.FileIn},
        responses={201: s.InsertOut, 200: s.InsertOut, 400: s.InvalidRowsOut},
        description="A CSV file (header row of attribute names; empty cell = null; json and "
        "<blob> cells hold JSON text) or a JSON file (a list of rows). All or nothing.",
    )
    def post(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.ENTRY)
        upload = _file(request)
        dry_run = _flag(request, "dry_run")
        report = rows_upload(
            actor=request.user,
            target=target,
            filename=upload.name or "upload",
            content=upload.read(),
            dry_run=dry_run,
        )
        return _insert_response(report, dry_run)


class RowsExport(APIView):
    @extend_schema(
        parameters=[WHERE],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        operation_id="pipelines_tables_rows_export_csv",
        description="Every row (or those matching where) as CSV, streamed in key order: a "
        "header of attribute names, NULL as an empty cell, json as JSON text, bool as "
        "true/false; bytes and object-store attributes are left out.",
    )
    def get(self, request: Request, slug: str, schema: str, name: str) -> StreamingHttpResponse:
        target = _target(request, slug, schema, name, Role.VIEWER)
        where = _json_parameter(request.query_params.get("where"), "where")
        chunks = rows_export_csv(target=target, where=where)
        content = async_chunks(chunks) if isinstance(request._request, ASGIRequest) else chunks
        response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, f"{target.name.schema}.{target.name.name}.csv"
        )
        return response


class RowFile(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=FILE_PARAMETERS,
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, slug: str, schema: str, name: str) -> HttpResponse:
        target = _target(request, slug, schema, name, Role.VIEWER)
        key, attribute = _file_address(request)
        stored = row_file(target=target, key=key, attribute=attribute)
        response = HttpResponse(stored.data, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(True, stored.filename)
        return response

    @extend_schema(
        parameters=FILE_PARAMETERS,
        request={"multipart/form-data": s.FileIn},
        responses={204: None},
    )
    def put(self, request: Request, slug: str, schema: str, name: str) -> Response:
        target = _target(request, slug, schema, name, Role.ENTRY)
        key, attribute = _file_address(request)
        upload = _file(request)
        row_file_set(
            actor=request.user,
            target=target,
            key=key,
            attribute=attribute,
            filename=upload.name or attribute,
            data=upload.read(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- helpers --------------------------------------------------------------------------------------
async def async_chunks(chunks: Iterator[str]) -> AsyncIterator[str]:
    """A sync iterator read one chunk at a time on the request's sync thread (where the view
    ran, so with its data-database session). Under ASGI, Django buffers a sync iterator whole
    before sending it; this streams."""

    def step() -> str | None:
        return next(chunks, None)

    while True:
        chunk = await sync_to_async(step, thread_sensitive=True)()
        if chunk is None:
            return
        yield chunk


def _insert_response(report: InsertReport, dry_run: bool) -> Response:
    body = {
        "count": report.count,
        "inserted": report.inserted,
        "dry_run": dry_run,
        "errors": report.errors,
    }
    return Response(body, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


def _page_out(request: Request, target: RowTable, page: RowsPage) -> dict[str, Any]:
    return {
        "count": page.count,
        "limit": page.limit,
        "offset": page.offset,
        "order_by": page.order_by,
        "attributes": target.heading.names,
        "rows": _links(request, target, page.rows),
        "next_after": page.next_after,
    }


def _links(request: Request, target: RowTable, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every placeholder a download link (null for object-store values)."""
    placeholders = [n for n, kind in target.kinds.items() if kind.storage != "value"]
    if not placeholders:
        return rows
    base = reverse(
        "api-row-file",
        kwargs={
            "slug": target.pipeline.slug,
            "schema": target.name.schema,
            "name": target.name.name,
        },
    )
    key_names = target.heading.primary_key
    for row in rows:
        key = json.dumps({k: row[k] for k in key_names}, separators=(",", ":"))
        for name in placeholders:
            value = row.get(name)
            if isinstance(value, dict) and value.get("blob"):
                query = urlencode({"key": key, "attribute": name})
                link = request.build_absolute_uri(f"{base}?{query}")
                value["download"] = link if target.kinds[name].storage == BYTES else None
    return rows


def _json_parameter(text: str | None, name: str) -> Any:
    if text is None or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise Invalid(f"{name} is not valid JSON.", details={"at": name}) from None


def _int_parameter(text: str | None, name: str, default: int) -> int:
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise Invalid(f"{name} is a whole number.", details={"at": name}) from None


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def _file(request: Request) -> Any:
    upload = request.FILES.get("file")
    if upload is None:
        raise Invalid('Send the file as multipart/form-data, in the field "file".')
    check_upload_size(upload.size)
    return upload


def _file_address(request: Request) -> tuple[Any, str]:
    key = _json_parameter(request.query_params.get("key"), "key")
    attribute = request.query_params.get("attribute", "")
    if key is None or not attribute:
        raise Invalid("Name the row (key=<its key as JSON>) and the attribute (attribute=…).")
    return key, attribute

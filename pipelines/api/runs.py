"""``/api/pipelines/<slug>/``: populate runs, their events, the tables' job queues, workers.

Viewers read; operators start, cancel and retry runs, ignore keys and clear errors.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from pipelines.api.access import pipeline_for
from pipelines.api.runs_serializers import (
    ClearedOut,
    ClearIn,
    EventPage,
    EventsQuery,
    IgnoreIn,
    JobErrorOut,
    RetryIn,
    RunIn,
    RunOut,
    TableCodeOut,
    TableStatusOut,
    WorkerOut,
)
from pipelines.services.runs import run_cancel, run_get, run_list, run_retry, run_start
from pipelines.services.runs_events import event_json, events_after
from pipelines.services.runs_health import worker_list
from pipelines.services.runs_jobs import (
    job_clear_errors,
    job_errors,
    job_ignore,
    table_code,
    table_status,
)


def _valid(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RunList(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("schema", str, required=False),
            OpenApiParameter("table", str, required=False),
            OpenApiParameter("status", str, required=False),
        ],
        responses=RunOut(many=True),
    )
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        runs = run_list(pipeline=pipeline)
        for name in ("schema", "table", "status"):
            value = request.query_params.get(name)
            if value:
                runs = runs.filter(**{name: value})
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(RunOut(page, many=True).data)

    @extend_schema(request=RunIn, responses={201: RunOut})
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OPERATOR)
        data = _valid(RunIn, request.data)
        run = run_start(
            actor=request.user,
            pipeline=pipeline,
            schema=data["schema"],
            table=data["table"],
            restriction=data.get("restriction"),
            workers=data["workers"],
        )
        return Response(RunOut(run).data, status=status.HTTP_201_CREATED)


class RunDetail(APIView):
    @extend_schema(responses=RunOut)
    def get(self, request: Request, slug: str, run_id: int) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(RunOut(run_get(pipeline=pipeline, run_id=run_id)).data)


class RunCancel(APIView):
    @extend_schema(request=None, responses=RunOut)
    def post(self, request: Request, slug: str, run_id: int) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OPERATOR)
        run = run_cancel(actor=request.user, run=run_get(pipeline=pipeline, run_id=run_id))
        return Response(RunOut(run).data)


class RunRetry(APIView):
    @extend_schema(request=RetryIn, responses={201: RunOut})
    def post(self, request: Request, slug: str, run_id: int) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OPERATOR)
        data = _valid(RetryIn, request.data or {})
        run = run_get(pipeline=pipeline, run_id=run_id)
        retry = run_retry(actor=request.user, run=run, workers=data.get("workers"))
        return Response(RunOut(retry).data, status=status.HTTP_201_CREATED)


class EventList(APIView):
    """The same events the socket streams, for clients without one: poll with ``?after=``."""

    @extend_schema(parameters=[EventsQuery], responses=EventPage)
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        query = _valid(EventsQuery, request.query_params)
        events = events_after(
            pipeline_id=pipeline.pk,
            after=query["after"],
            run_id=query.get("run"),
            limit=query["limit"],
        )
        body = {
            "events": [event_json(e) for e in events],
            "last_event_id": events[-1].pk if events else query["after"],
            "more": len(events) == query["limit"],
        }
        return Response(body)


class StatusView(APIView):
    """Per populated table: rows, keys remaining, jobs, errors by exception type."""

    @extend_schema(responses=TableStatusOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(TableStatusOut(table_status(pipeline=pipeline), many=True).data)


class WorkerList(APIView):
    @extend_schema(responses=WorkerOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(WorkerOut(worker_list(pipeline=pipeline), many=True).data)


class TableCode(APIView):
    """The registered make code of a table, or the module skeleton to write."""

    @extend_schema(responses=TableCodeOut)
    def get(self, request: Request, slug: str, schema: str, table: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(
            TableCodeOut(table_code(pipeline=pipeline, schema=schema, table=table)).data
        )


class JobErrors(APIView):
    @extend_schema(responses=JobErrorOut(many=True))
    def get(self, request: Request, slug: str, schema: str, table: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        errors = job_errors(pipeline=pipeline, schema=schema, table=table)
        return Response(JobErrorOut(errors, many=True).data)


class JobErrorsClear(APIView):
    @extend_schema(request=ClearIn, responses=ClearedOut)
    def post(self, request: Request, slug: str, schema: str, table: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OPERATOR)
        data = _valid(ClearIn, request.data or {})
        cleared = job_clear_errors(
            actor=request.user,
            pipeline=pipeline,
            schema=schema,
            table=table,
            error=data.get("error"),
        )
        return Response({"cleared": cleared})


class JobIgnore(APIView):
    @extend_schema(request=IgnoreIn, responses=IgnoreIn)
    def post(self, request: Request, slug: str, schema: str, table: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OPERATOR)
        data = _valid(IgnoreIn, request.data)
        key = job_ignore(
            actor=request.user, pipeline=pipeline, schema=schema, table=table, key=data["key"]
        )
        return Response({"key": key})

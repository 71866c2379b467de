"""Routes under ``/api/pipelines/<slug>/`` for the queries endpoints."""

from django.urls import path

from pipelines.api import queries

urlpatterns = [
    path("query/", queries.QueryRun.as_view(), name="api-query"),
    path("query/code/", queries.QueryCode.as_view(), name="api-query-code"),
    path("diagram/", queries.Diagram.as_view(), name="api-diagram"),
]

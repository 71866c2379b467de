"""Routes under ``/api/pipelines/<slug>/`` for the queries endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Routes under ``/api/pipelines/<slug>/`` for the rows endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

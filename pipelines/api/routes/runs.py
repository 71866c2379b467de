"""Routes under ``/api/pipelines/<slug>/`` for the runs endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

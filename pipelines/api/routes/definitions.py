"""Routes under ``/api/pipelines/<slug>/`` for the definitions endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

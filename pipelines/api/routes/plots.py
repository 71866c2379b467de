"""Routes under ``/api/pipelines/<slug>/`` for the plot endpoint."""

from django.urls import path

from pipelines.api import plots

urlpatterns = [
    path("plot/", plots.Plot.as_view(), name="api-plot"),
]

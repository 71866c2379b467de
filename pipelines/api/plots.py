"""``/api/pipelines/<slug>/plot/``: a plot of a table's rows or of one row's array, binned and
down-sampled on the server, with the Python that draws it. It only reads: a viewer may call it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from pipelines.api.access import pipeline_for
from pipelines.api.plot_serializers import PLOT_EXAMPLES, PlotOut, PlotSpec
from pipelines.api.queries import StrictJSONParser
from pipelines.services.plots import plot_make


class Plot(APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=PlotSpec,
        responses=PlotOut,
        examples=PLOT_EXAMPLES,
        description="A histogram of a numeric attribute, a scatter or line plot of two (one "
        "series per group), or one row's <blob> array as lines or a heat map, with its shape "
        "and summary. Large data are binned or down-sampled here. Errors name the place in "
        "error.details.at.",
    )
    def post(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.VIEWER)
        return Response(plot_make(pipeline=pipeline, spec=request.data))

"""Request and response shapes of the plot endpoint, for the OpenAPI schema.

The view does not validate requests with these: the plots service checks the request against
the table's heading and names the place of an error (``details.at``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from pipelines.api.query_serializers import CONDITION_HELP, TableRefSpec
from pipelines.services.plots import (
    DEFAULT_BINS,
    DEFAULT_POINTS,
    KINDS,
    MAX_BINS,
    MAX_POINTS,
    MIN_POINTS,
    VIEWS,
)


class PlotSpec(serializers.Serializer[Any]):
    table = TableRefSpec(help_text="The table whose rows are plotted.")
    kind = serializers.ChoiceField(
        choices=KINDS,
        help_text="histogram (x), scatter or line (x, y, group_by), blob (key, attribute).",
    )
    where = serializers.JSONField(
        required=False, help_text=CONDITION_HELP + " Not with blob plots."
    )
    x = serializers.CharField(required=False, help_text="A numeric attribute.")
    y = serializers.CharField(required=False, help_text="A numeric attribute (scatter, line).")
    group_by = serializers.CharField(
        required=False, help_text="One series per value of this attribute (scatter, line)."
    )
    bins = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BINS, default=DEFAULT_BINS
    )
    max_points = serializers.IntegerField(
        required=False,
        min_value=MIN_POINTS,
        max_value=MAX_POINTS,
        default=DEFAULT_POINTS,
        help_text="Points sent in all (scatter, line) or per line (blob).",
    )
    key = serializers.JSONField(required=False, help_text="The row's primary key (blob).")
    attribute = serializers.CharField(required=False, help_text="A <blob> attribute (blob).")
    view = serializers.ChoiceField(
        choices=VIEWS,
        required=False,
        help_text="blob: line (a line per row of the array) or image (a heat map); default "
        "line for 1-D arrays, image for 2-D ones.",
    )


class SummaryOut(serializers.Serializer[Any]):
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)


class SeriesOut(serializers.Serializer[Any]):
    group = serializers.JSONField(help_text="The group's value (null without group_by).")
    rows = serializers.IntegerField(help_text="Rows with both values in this group.")
    x = serializers.ListField(child=serializers.FloatField(allow_null=True))
    y = serializers.ListField(child=serializers.FloatField(allow_null=True))


class LineOut(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="The row of the array.")
    x = serializers.ListField(child=serializers.IntegerField(), help_text="Sample indices.")
    y = serializers.ListField(child=serializers.FloatField(allow_null=True))


class ImageOut(serializers.Serializer[Any]):
    rows = serializers.IntegerField()
    cols = serializers.IntegerField()
    row_step = serializers.IntegerField(help_text="Array rows averaged into one cell.")
    col_step = serializers.IntegerField(help_text="Array columns averaged into one cell.")
    values = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True))
    )


class PlotOut(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=KINDS)
    code = serializers.CharField(help_text="Python (pipelines.core, matplotlib) for the plot.")
    x = serializers.CharField(required=False)
    y = serializers.CharField(required=False)
    group_by = serializers.CharField(required=False, allow_null=True)
    rows = serializers.IntegerField(required=False, help_text="Rows read.")
    edges = serializers.ListField(child=serializers.FloatField(), required=False)
    counts = serializers.ListField(child=serializers.IntegerField(), required=False)
    missing = serializers.IntegerField(required=False, help_text="Rows with no value.")
    summary = SummaryOut(required=False)
    shown = serializers.IntegerField(required=False, help_text="Points sent (scatter, line).")
    series = SeriesOut(many=True, required=False)
    attribute = serializers.CharField(required=False)
    key = serializers.JSONField(required=False)
    shape = serializers.ListField(child=serializers.IntegerField(), required=False)
    dtype = serializers.CharField(required=False)
    view = serializers.ChoiceField(choices=VIEWS, required=False)
    lines = LineOut(many=True, required=False)
    image = ImageOut(required=False)


PLOT_EXAMPLES = [
    OpenApiExample(
        "A histogram",
        value={
            "table": {"schema": "demo", "name": "Session"},
            "kind": "histogram",
            "x": "duration",
            "bins": 20,
        },
        request_only=True,
    ),
    OpenApiExample(
        "A scatter plot, one series per unit",
        value={
            "table": {"schema": "demo", "name": "SpikeRate.Unit"},
            "kind": "scatter",
            "x": "rate",
            "y": "spike_count",
            "group_by": "unit",
        },
        request_only=True,
    ),
    OpenApiExample(
        "One row's array as a heat map",
        value={
            "table": {"schema": "demo", "name": "Recording"},
            "kind": "blob",
            "key": {"subject_id": 1, "session_idx": 0},
            "attribute": "traces",
            "view": "image",
        },
        request_only=True,
    ),
]

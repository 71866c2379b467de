"""CSV for endpoints that return ``{"columns": [...], "rows": [{...}, ...]}``.

Chosen with ``?format=csv`` or ``Accept: text/csv``. Cells hold the rows' JSON values (see
``pipelines.services.json_values.csv_cell``); errors are never CSV (``JsonErrors``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from pipelines.services.json_values import csv_cell


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if not isinstance(data, dict) or "rows" not in data:
            return b""
        names = [c["name"] if isinstance(c, dict) else str(c) for c in data["columns"]]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        for row in data["rows"]:
            writer.writerow([csv_cell(row.get(name)) for name in names])
        return out.getvalue().encode(self.charset)


class JsonErrors:
    """A view mixin: an error response is JSON even when the request asked for CSV."""

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
        return response

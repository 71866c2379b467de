# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""How the plot endpoint reads rows (both data backends): a chunk at a time in key order, with
the same answer as one read, and never past ``MAX_ROWS``."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.test import APIClient

from pipelines.services import plots
from tests.portal.plots.conftest import N_SAMPLES

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], APIClient]
PLOT = "/api/pipelines/lab/plot/"


def bodies(lab: SimpleNamespace) -> list[dict[str, Any]]:
    table = {"schema": lab.name, "name": "Sample"}
    return [
        {"table": table, "kind": "histogram", "x": "score", "bins": 7},
        {"table": table, "kind": "scatter", "x": "value", "y": "score", "group_by": "grp"},
        {"table": table, "kind": "line", "x": "wave", "y": "value", "max_points": 20},
        {"table": table, "kind": "scatter", "x": "value", "y": "value", "group_by": "ok"},
    ]


def test_reading_in_chunks_gives_the_same_plot(
    plots_lab: SimpleNamespace, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for("viewer")
    whole = [client.post(PLOT, body, format="json").json() for body in bodies(plots_lab)]
    read: list[int] = []
    chunks = plots._chunks

    def counted(query: Any, names: list[str]) -> Any:
        for rows in chunks(query, names):
            read.append(len(rows))
            yield rows

    monkeypatch.setattr(plots, "READ_CHUNK", 7)
    monkeypatch.setattr(plots, "_chunks", counted)
    chunked = [client.post(PLOT, body, format="json").json() for body in bodies(plots_lab)]
    assert chunked == whole
    assert whole[0]["rows"] == N_SAMPLES and whole[1]["rows"] == N_SAMPLES
    assert max(read) == 7 and sum(read) == len(whole) * N_SAMPLES


def test_more_rows_than_the_cap_are_refused(
    plots_lab: SimpleNamespace, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "MAX_ROWS", N_SAMPLES - 1)
    client = client_for("viewer")
    response = client.post(PLOT, bodies(plots_lab)[0], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["at"] == "where"
    assert f"{N_SAMPLES} rows match" in response.json()["error"]["message"]
    narrowed = {**bodies(plots_lab)[0], "where": {"attribute": "grp", "value": "a"}}
    assert client.post(PLOT, narrowed, format="json").status_code == 200

# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""``/api/pipelines/<slug>/plot/``: roles, histograms, scatter and line plots (grouped,
down-sampled), one row's array as lines or a heat map, the code, and every bad input refused
with a 400 and nothing else (both data backends)."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from rest_framework.test import APIClient

import pipelines.core.db.default as default_connection
from pipelines.services.data import data_connection
from tests.portal.conftest import PERSONAS
from tests.portal.plots.conftest import N_SAMPLES, SPIKE_AT, wave

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], APIClient]
PLOT = "/api/pipelines/lab/plot/"


def spec(lab: SimpleNamespace, table: str = "Sample", **parts: Any) -> dict[str, Any]:
    return {"table": {"schema": lab.name, "name": table}, **parts}


def plot(client: APIClient, body: Any) -> Any:
    response = client.post(PLOT, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(plots_lab: SimpleNamespace, client_for: ClientFor, persona: str) -> None:
    client = client_for(persona)
    expected = {"anonymous": 401, "outsider": 404}.get(persona, 200)
    bodies = [
        spec(plots_lab, kind="histogram", x="value"),
        spec(plots_lab, kind="scatter", x="value", y="wave"),
        spec(plots_lab, "Array", kind="blob", key={"array_id": 1}, attribute="data"),
    ]
    for body in bodies:
        response = client.post(PLOT, body, format="json")
        assert response.status_code == expected, response.content
        if expected >= 400:
            assert set(response.json()) == {"error"}


def test_histogram_bins_every_row(plots_lab: SimpleNamespace, client_for: ClientFor) -> None:
    body = plot(client_for("viewer"), spec(plots_lab, kind="histogram", x="value", bins=10))
    values = np.arange(N_SAMPLES) / 10
    counts, edges = np.histogram(values, bins=10)
    assert body["counts"] == counts.tolist() and sum(body["counts"]) == N_SAMPLES
    assert body["edges"] == pytest.approx(edges.tolist())
    assert body["rows"] == N_SAMPLES and body["missing"] == 0
    assert body["summary"] == pytest.approx({"min": 0.0, "max": 29.9, "mean": values.mean()})
    assert "plt.hist(values, bins=10)" in body["code"]


def test_histogram_of_a_decimal_with_nulls_and_a_condition(
    plots_lab: SimpleNamespace, client_for: ClientFor
) -> None:
    where = {"attribute": "grp", "value": "a"}
    body = plot(client_for("viewer"), spec(plots_lab, kind="histogram", x="score", where=where))
    evens = range(0, N_SAMPLES, 2)
    assert body["rows"] == len(evens)
    assert body["missing"] == sum(1 for i in evens if i % 3 == 0)
    assert sum(body["counts"]) == body["rows"] - body["missing"]
    assert 'query = query & {"grp": "a"}' in body["code"]


def test_scatter_groups_and_down_samples(plots_lab: SimpleNamespace, client_for: ClientFor) -> None:
    body = plot(
        client_for("viewer"),
        spec(plots_lab, kind="scatter", x="value", y="wave", group_by="grp", max_points=40),
    )
    assert [s["group"] for s in body["series"]] == ["a", "b"]
    assert body["rows"] == N_SAMPLES and body["shown"] <= 40
    for series in body["series"]:
        assert series["rows"] == N_SAMPLES // 2 and len(series["x"]) == len(series["y"]) <= 20
        assert series["x"][0] in (0.0, 0.1)  # the first and last rows of the group are kept
        assert series["x"][-1] in (29.8, 29.9)
    a = body["series"][0]
    for x, y in zip(a["x"], a["y"], strict=True):
        assert y == pytest.approx(wave(round(x * 10)))  # points stay paired


def test_line_keeps_the_spike_when_down_sampled(
    plots_lab: SimpleNamespace, client_for: ClientFor
) -> None:
    body = plot(
        client_for("viewer"), spec(plots_lab, kind="line", x="value", y="wave", max_points=30)
    )
    (series,) = body["series"]
    assert series["group"] is None and len(series["x"]) <= 30
    assert series["x"] == sorted(series["x"])
    assert max(series["y"]) == 100.0 and SPIKE_AT / 10 in series["x"]
    assert "plt.plot(" in body["code"]


def test_a_one_dimensional_blob_as_a_line(
    plots_lab: SimpleNamespace, client_for: ClientFor
) -> None:
    body = plot(
        client_for("viewer"),
        spec(plots_lab, "Array", kind="blob", key={"array_id": 1}, attribute="data"),
    )
    assert body["shape"] == [5000] and body["dtype"] == "float32" and body["view"] == "line"
    assert body["summary"] == {"min": 0.0, "max": 4999.0, "mean": 2499.5}
    (line,) = body["lines"]
    assert len(line["x"]) <= 2000 and line["x"][0] == 0 and line["x"][-1] == 4999
    assert line["y"] == [float(i) for i in line["x"]]


def test_a_two_dimensional_blob_as_lines_and_as_an_image(
    plots_lab: SimpleNamespace, client_for: ClientFor
) -> None:
    viewer = client_for("viewer")
    key = {"array_id": 2}
    lines = plot(
        viewer, spec(plots_lab, "Array", kind="blob", key=key, attribute="data", view="line")
    )
    assert lines["shape"] == [3, 200] and lines["dtype"] == "int16"
    assert [line["index"] for line in lines["lines"]] == [0, 1, 2]
    assert lines["lines"][2]["y"][:2] == [400.0, 401.0]
    image = plot(viewer, spec(plots_lab, "Array", kind="blob", key=key, attribute="data"))
    assert image["view"] == "image"
    assert image["image"]["rows"] == 3 and image["image"]["cols"] == 200
    assert image["image"]["values"][1][0] == 200.0
    assert "plt.imshow(" in image["code"]


def test_a_large_image_is_shrunk_to_block_means(
    plots_lab: SimpleNamespace, client_for: ClientFor
) -> None:
    body = plot(
        client_for("viewer"),
        spec(plots_lab, "Array", kind="blob", key={"array_id": 3}, attribute="data"),
    )
    image = body["image"]
    assert (image["rows"], image["cols"]) == (150, 174)
    assert (image["row_step"], image["col_step"]) == (2, 3)
    assert all(v == 1.0 for row in image["values"] for v in row)


def test_the_code_draws_the_same_plot(
    plots_lab: SimpleNamespace, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each snippet runs as a notebook would run it (matplotlib recorded by a stand-in)."""
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def recorder(name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: calls.append((name, args, kwargs))

    pyplot = types.ModuleType("matplotlib.pyplot")
    for name in (
        "hist",
        "scatter",
        "plot",
        "imshow",
        "colorbar",
        "legend",
        "xlabel",
        "ylabel",
        "show",
    ):
        setattr(pyplot, name, recorder(name))
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.pyplot = pyplot  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "matplotlib", matplotlib)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    monkeypatch.setattr(default_connection, "_shared", [data_connection()])
    viewer = client_for("viewer")
    where = {"attribute": "value", "operator": "<", "value": 1}

    def run(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
        calls.clear()
        exec(compile(plot(viewer, body)["code"], "<snippet>", "exec"), {})
        return list(calls)

    (hist,) = [
        c for c in run(spec(plots_lab, kind="histogram", x="value", where=where)) if c[0] == "hist"
    ]
    assert hist[1][0].tolist() == pytest.approx([i / 10 for i in range(10)])
    scatters = [
        c
        for c in run(
            spec(plots_lab, kind="scatter", x="value", y="wave", group_by="grp", where=where)
        )
        if c[0] == "scatter"
    ]
    assert [c[2]["label"] for c in scatters] == ["a", "b"] and len(scatters[0][1][0]) == 5
    lines = [c for c in run(spec(plots_lab, kind="line", x="value", y="wave")) if c[0] == "plot"]
    assert len(lines) == 1 and len(lines[0][1][0]) == N_SAMPLES
    blob = spec(plots_lab, "Array", kind="blob", key={"array_id": 2}, attribute="data")
    (shown,) = [c for c in run(blob) if c[0] == "imshow"]
    assert shown[1][0].shape == (3, 200)
    drawn = [c for c in run({**blob, "view": "line"}) if c[0] == "plot"]
    assert len(drawn) == 3


S = {"table": "Sample"}
A = {"table": "Array", "kind": "blob"}
#: (request, the place the error names); "table": "Sample" stands for the test's own table.
BAD: list[tuple[Any, str | None]] = [
    ([], "spec"),
    ({"kind": "histogram", "x": "value"}, "table"),
    ({"table": {"schema": "nope", "name": "Sample"}, "kind": "histogram", "x": "value"}, "table"),
    ({"table": "Nope", "kind": "histogram", "x": "value"}, "table"),
    ({"table": ["Sample"], "kind": "histogram", "x": "value"}, "table"),
    ({**S, "kind": "pie"}, "kind"),
    ({**S}, "kind"),
    ({**S, "kind": "histogram"}, "x"),
    ({**S, "kind": "histogram", "x": "nope"}, "x"),
    ({**S, "kind": "histogram", "x": "label"}, "x"),
    ({**S, "kind": "histogram", "x": "ok"}, "x"),
    ({**S, "kind": "histogram", "x": "value", "bins": 0}, "bins"),
    ({**S, "kind": "histogram", "x": "value", "bins": "ten"}, "bins"),
    ({**S, "kind": "histogram", "x": "value", "y": "wave"}, "y"),
    ({**S, "kind": "histogram", "x": "value", "colour": "red"}, "spec"),
    ({**S, "kind": "histogram", "x": "value", "where": {"attribute": "nope", "value": 1}}, "where"),
    (
        {
            **S,
            "kind": "histogram",
            "x": "value",
            "where": {"attribute": "value", "operator": "~", "value": 1},
        },
        "where",
    ),
    (
        {**S, "kind": "histogram", "x": "value", "where": {"attribute": "value", "value": "abc"}},
        "where",
    ),
    ({**S, "kind": "histogram", "x": "value", "where": [1]}, "where"),
    ({**S, "kind": "scatter", "x": "value"}, "y"),
    ({**S, "kind": "scatter", "x": "value", "y": "label"}, "y"),
    ({**S, "kind": "line", "x": "value", "y": "wave", "group_by": "nope"}, "group_by"),
    ({**S, "kind": "line", "x": "value", "y": "wave", "max_points": 1}, "max_points"),
    ({**S, "kind": "scatter", "x": "value", "y": "wave", "bins": 3}, "bins"),
    ({**A, "attribute": "data"}, "key"),
    ({**A, "key": {"array_id": 1}}, "attribute"),
    ({**A, "key": {"array_id": 1}, "attribute": "meta"}, "attribute"),
    ({**A, "key": {"array_id": 1}, "attribute": "nope"}, "attribute"),
    ({**A, "key": {"array_id": 1}, "attribute": "array_id"}, "attribute"),
    ({**A, "key": {"array_id": 4}, "attribute": "data"}, "attribute"),
    ({**A, "key": {"array_id": 5}, "attribute": "data"}, "attribute"),
    ({**A, "key": {"array_id": 6}, "attribute": "data"}, "attribute"),
    ({**A, "key": {"array_id": 1}, "attribute": "data", "view": "image"}, "view"),
    ({**A, "key": {"array_id": 7}, "attribute": "data", "view": "line"}, "view"),
    ({**A, "key": {"array_id": 1}, "attribute": "data", "view": "pie"}, "view"),
    ({**A, "key": {"array_id": 1}, "attribute": "data", "where": {}}, "where"),
    ({**A, "key": {"nope": 1}, "attribute": "data"}, None),
    ({**A, "key": 1, "attribute": "data"}, None),
]


@pytest.mark.parametrize(("body", "at"), BAD)
def test_bad_input_is_refused_with_a_400_and_nothing_else(
    plots_lab: SimpleNamespace, client_for: ClientFor, body: Any, at: str | None
) -> None:
    if isinstance(body, dict) and isinstance(body.get("table"), str):
        body = {**body, "table": {"schema": plots_lab.name, "name": body["table"]}}
    response = client_for("viewer").post(PLOT, body, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    payload = response.json()
    assert set(payload) == {"error"} and set(payload["error"]) == {"code", "message", "details"}
    assert payload["error"]["message"]
    if at is not None:
        assert payload["error"]["details"]["at"].startswith(at)


def test_a_missing_row_is_not_found(plots_lab: SimpleNamespace, client_for: ClientFor) -> None:
    response = client_for("viewer").post(
        PLOT,
        spec(plots_lab, "Array", kind="blob", key={"array_id": 99}, attribute="data"),
        format="json",
    )
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_too_many_groups_are_refused(plots_lab: SimpleNamespace, client_for: ClientFor) -> None:
    body = spec(plots_lab, kind="scatter", x="value", y="wave", group_by="label")
    response = client_for("viewer").post(PLOT, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["at"] == "group_by"
    assert "at most 20 groups" in response.json()["error"]["message"]

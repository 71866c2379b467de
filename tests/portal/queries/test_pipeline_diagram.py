# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""A pipeline's diagram as JSON (``pipelines.services.diagram`` and ``GET diagram/``), on both
data backends: tables with tier, key, attributes and rows; foreign keys with renames; parts."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.test import APIClient

from pipelines.services.data import data_connection
from pipelines.services.diagram import diagram_get
from tests.portal.conftest import make_pipeline

pytestmark = pytest.mark.django_db


def by_name(diagram: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["name"]: node for node in diagram["nodes"]}


def edge(diagram: dict[str, Any], parent: str, child: str) -> dict[str, Any]:
    nodes = by_name(diagram)
    (found,) = [
        e
        for e in diagram["edges"]
        if e["parent"] == nodes[parent]["id"] and e["child"] == nodes[child]["id"]
    ]
    return found


def test_nodes_have_tier_key_attributes_and_rows(lab: SimpleNamespace) -> None:
    diagram = diagram_get(pipeline=lab.pipeline)
    assert diagram["schemas"] == [lab.name]
    assert [(n["name"], n["tier"], n["rows"]) for n in diagram["nodes"]] == [
        ("Person", "Lookup", 2),
        ("Subject", "Manual", 3),
        ("Session", "Manual", 4),
        ("Session.Trial", "Part", 5),
        ("Recording", "Manual", 2),
    ]
    nodes = by_name(diagram)
    session = nodes["Session"]
    assert session["primary_key"] == ["subject_id", "session"]
    assert session["schema"] == lab.name and session["table_name"] == "session"
    assert session["introduces_dimension"] and not nodes["Recording"]["introduces_dimension"]
    assert [a["name"] for a in session["attributes"]] == [
        "subject_id",
        "session",
        "session_date",
        "experimenter",
        "score",
    ]
    assert session["attributes"][4] == {
        "name": "score",
        "type": "decimal(5,2)",
        "in_key": False,
        "nullable": True,
        "default": "null",
        "comment": "",
    }
    assert nodes["Session.Trial"]["master"] == session["id"]
    assert session["master"] is None
    assert set(diagram["tiers"]) >= {"Manual", "Lookup", "Imported", "Computed", "Part"}


def test_edges_show_keys_renames_and_parts(lab: SimpleNamespace) -> None:
    diagram = diagram_get(pipeline=lab.pipeline)
    assert len(diagram["edges"]) == 4
    renamed = edge(diagram, "Person", "Session")
    assert renamed["aliased"] and not renamed["primary"]
    assert renamed["attr_map"] == renamed["renamed"] == {"experimenter": "person_id"}
    assert not renamed["part_of_master"]
    owned = edge(diagram, "Subject", "Session")
    assert owned["primary"] and owned["multi"] and not owned["aliased"]
    assert owned["attr_map"] == {"subject_id": "subject_id"} and owned["renamed"] == {}
    part = edge(diagram, "Session", "Session.Trial")
    assert part["part_of_master"] and part["primary"] and part["multi"]
    one_to_one = edge(diagram, "Session", "Recording")
    assert one_to_one["primary"] and not one_to_one["multi"]


def test_rows_cost_one_query_per_table(lab: SimpleNamespace, monkeypatch: Any) -> None:
    connection = data_connection()
    diagram_get(pipeline=lab.pipeline, counts=False)  # headings are cached from here on
    seen: list[str] = []
    query = connection.query

    def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return query(sql, *args, **kwargs)

    monkeypatch.setattr(connection, "query", counting)
    without = diagram_get(pipeline=lab.pipeline, counts=False)
    catalog = len(seen)
    seen.clear()
    diagram_get(pipeline=lab.pipeline)
    counts = [sql for sql in seen if "count(*)" in sql]
    assert len(counts) == len(without["nodes"]) == 5
    assert len(seen) == catalog + 5
    assert all(node["rows"] is None for node in without["nodes"])


def test_schemas_not_yet_created_are_left_out(data_backend: str) -> None:
    pipeline = make_pipeline("empty", schemas=["jp_not_there"])
    diagram = diagram_get(pipeline=pipeline)
    assert diagram["schemas"] == [] and diagram["nodes"] == [] and diagram["edges"] == []


def test_diagram_endpoint(lab: SimpleNamespace, client_for: Callable[[str], APIClient]) -> None:
    body = client_for("viewer").get("/api/pipelines/lab/diagram/").json()
    assert [n["name"] for n in body["nodes"]][:2] == ["Person", "Subject"]
    assert by_name(body)["Subject"]["rows"] == 3
    light = client_for("viewer").get("/api/pipelines/lab/diagram/?counts=false").json()
    assert {n["rows"] for n in light["nodes"]} == {None}
    assert light["edges"] == body["edges"]

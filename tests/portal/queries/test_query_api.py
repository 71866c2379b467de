# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""``/api/pipelines/<slug>/query/``, ``query/code/`` and ``diagram/``: roles, JSON and CSV
answers, the OpenAPI schema, and bad input refused with nothing changed (both data backends)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.test import APIClient

from pipelines.api.query_serializers import QUERY_EXAMPLES
from pipelines.models import AuditEvent
from tests.portal.conftest import PERSONAS
from tests.portal.queries.conftest import NASTY

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], APIClient]
QUERY = "/api/pipelines/lab/query/"
CODE = "/api/pipelines/lab/query/code/"
DIAGRAM = "/api/pipelines/lab/diagram/"


def subject_spec(lab: SimpleNamespace, **parts: Any) -> dict[str, Any]:
    return {"table": {"schema": lab.name, "name": "Subject"}, **parts}


def expected_status(persona: str, ok: int) -> int:
    """Every endpoint here needs the viewer role, the weakest there is."""
    return {"anonymous": 401, "outsider": 404}.get(persona, ok)


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(lab: SimpleNamespace, client_for: ClientFor, persona: str) -> None:
    client = client_for(persona)
    calls = [
        client.post(QUERY, subject_spec(lab), format="json"),
        client.post(f"{QUERY}?format=csv", subject_spec(lab), format="json"),
        client.post(CODE, subject_spec(lab), format="json"),
        client.get(DIAGRAM),
    ]
    for response in calls:
        assert response.status_code == expected_status(persona, 200), response.content
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/json"
            assert set(response.json()["error"]) == {"code", "message", "details"}


def test_query_answers_rows_total_and_code(lab: SimpleNamespace, client_for: ClientFor) -> None:
    spec = subject_spec(lab, where={"attribute": "species", "value": "mouse"}, limit=1)
    body = client_for("viewer").post(QUERY, spec, format="json").json()
    assert set(body) == {"columns", "primary_key", "rows", "count", "code"}
    assert body["columns"][:2] == [
        {"name": "subject_id", "type": "int32"},
        {"name": "name", "type": "varchar(32)"},
    ]
    assert body["primary_key"] == ["subject_id"] and body["count"] == 2
    assert body["rows"] == [
        {"subject_id": 1, "name": "ann", "species": "mouse", "weight": 20.5, "born": "2024-01-01"}
    ]
    assert 'query = query & {"species": "mouse"}' in body["code"]
    code = client_for("viewer").post(CODE, spec, format="json").json()
    assert code == {"code": body["code"]}


def test_query_as_csv(lab: SimpleNamespace, client_for: ClientFor) -> None:
    viewer = client_for("viewer")
    recordings = {"table": {"schema": lab.name, "name": "Recording"}}
    for response in (
        viewer.post(f"{QUERY}?format=csv", recordings, format="json"),
        viewer.post(QUERY, recordings, format="json", HTTP_ACCEPT="text/csv"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["subject_id", "session", "trace", "raw", "meta", "uid"]
        assert rows[1][3:] == [
            '{"blob":true,"size":5}',
            '{"gain":2,"tags":["a"]}',
            "12345678-1234-5678-1234-567812345678",
        ]
        assert rows[2] == ["1", "2", "", "", "", ""]
    nasty = viewer.post(
        f"{QUERY}?format=csv", subject_spec(lab, order_by=["-subject_id"], limit=1), format="json"
    )
    assert list(csv.reader(io.StringIO(nasty.content.decode())))[1][1] == NASTY


def test_errors_are_json_even_when_csv_was_asked_for(
    lab: SimpleNamespace, client_for: ClientFor
) -> None:
    response = client_for("viewer").post(
        f"{QUERY}?format=csv", subject_spec(lab, order_by=["nope"]), format="json"
    )
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["details"]["at"] == "order_by[0]"


DROP = "1; DROP TABLE subject; --"


def bad_bodies(lab: SimpleNamespace) -> list[tuple[Any, str, str | None]]:
    """(body, error code, details.at) with SQL-looking text in every field."""
    own = lab.name
    count = {"name": "n", "function": "count", "attribute": "*"}
    session = {"schema": own, "name": "Session"}
    return [
        (DROP, "invalid", "spec"),
        ({"table": {"schema": DROP, "name": "Subject"}}, "invalid", "table.schema"),
        ({"table": {"schema": own, "name": DROP}}, "invalid", "table.name"),
        (subject_spec(lab, join=[{"table": session, "left": DROP}]), "invalid", "join[0].left"),
        (subject_spec(lab, where={"attribute": DROP, "value": 1}), "invalid", "where.attribute"),
        (
            subject_spec(lab, where={"attribute": "name", "operator": DROP, "value": 1}),
            "invalid",
            "where.operator",
        ),
        (subject_spec(lab, where={"attribute": "subject_id", "value": DROP}), "invalid", "where"),
        (
            subject_spec(lab, aggregate={"table": session, "compute": [{**count, "name": DROP}]}),
            "invalid",
            "aggregate.compute[0].name",
        ),
        (
            subject_spec(
                lab, aggregate={"table": session, "compute": [{**count, "function": DROP}]}
            ),
            "invalid",
            "aggregate.compute[0].function",
        ),
        (
            subject_spec(
                lab, aggregate={"table": session, "compute": [{**count, "attribute": DROP}]}
            ),
            "invalid",
            "aggregate.compute[0].attribute",
        ),
        (subject_spec(lab, aggregate={"group_by": [DROP]}), "invalid", "aggregate.group_by[0]"),
        (subject_spec(lab, project={"rename": {"nm": DROP}}), "invalid", "project.rename.nm"),
        (subject_spec(lab, project={"rename": {DROP: "name"}}), "invalid", "project.rename"),
        (subject_spec(lab, project={"keep": [DROP]}), "invalid", "project.keep[0]"),
        (subject_spec(lab, order_by=[f"-{DROP}"]), "invalid", "order_by[0]"),
        (subject_spec(lab, limit=DROP), "invalid", "limit"),
        (subject_spec(lab, offset=DROP), "invalid", "offset"),
    ]


@pytest.mark.parametrize("path", [QUERY, CODE])
def test_bad_input_is_refused_and_changes_nothing(
    lab: SimpleNamespace, client_for: ClientFor, path: str
) -> None:
    client = client_for("owner")
    before = (AuditEvent.objects.count(), len(lab.Subject()), len(lab.Session()))
    for body, code, at in bad_bodies(lab):
        response = client.post(path, body, format="json")
        assert response.status_code == 400, (body, response.content)
        error = response.json()["error"]
        assert error["code"] == code and error["details"].get("at") == at, (body, error)
    malformed = client.post(path, '{"table": ', content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed"
    deep = client.post(path, "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "malformed"
    form = client.post(path, {"table": "x"})
    assert form.status_code == 415
    assert (AuditEvent.objects.count(), len(lab.Subject()), len(lab.Session())) == before


def test_the_documented_examples_run(lab: SimpleNamespace, client_for: ClientFor) -> None:
    viewer = client_for("viewer")
    for example in QUERY_EXAMPLES:
        if example.request_only:
            body = json.loads(json.dumps(example.value).replace('"lab"', json.dumps(lab.name)))
            response = viewer.post(QUERY, body, format="json")
            assert response.status_code == 200, response.content


def test_openapi_documents_the_endpoints(lab: SimpleNamespace, client_for: ClientFor) -> None:
    schema = client_for("viewer").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    query = schema["paths"]["/api/pipelines/{slug}/query/"]["post"]
    assert "QuerySpec" in json.dumps(query["requestBody"])
    assert set(query["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "examples" in json.dumps(query["requestBody"])
    assert "/api/pipelines/{slug}/query/code/" in schema["paths"]
    assert "DiagramOut" in json.dumps(schema["paths"]["/api/pipelines/{slug}/diagram/"])
    spec_fields = schema["components"]["schemas"]["QuerySpec"]["properties"]
    assert {"table", "join", "where", "aggregate", "having", "project", "order_by"} <= set(
        spec_fields
    )

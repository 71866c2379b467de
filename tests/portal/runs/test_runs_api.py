# mypy: disable-error-code="attr-defined, call-arg, misc"
"""The run endpoints: the role matrix, bad input, and the event log over REST."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from pipelines.models import AuditEvent, Pipeline, PopulateRun, RunEvent
from pipelines.services.runs import run_start
from pipelines.services.runs_worker import run_work
from tests.portal.conftest import PERSONAS, bearer_client
from tests.portal.runs.code_module import fill

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("data_backend", ["sqlite"], indirect=True),
]

ClientFor = Callable[[str], APIClient]
RANKS = ["viewer", "entry", "operator", "maintainer", "owner"]


def expected_status(persona: str, minimum: str, ok: int) -> int:
    if persona == "anonymous":
        return 401
    if persona == "outsider":
        return 404
    return ok if RANKS.index(persona) >= RANKS.index(minimum) else 403


@pytest.fixture
def runs(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, User | None], queued: list[Any]
) -> dict[str, int]:
    """A finished run with one failed key, and a queued one."""
    fill(code, 4)
    code.FAIL.add(2)
    owner = personas["owner"]
    schema = pipeline.schemas[0]
    finished = run_start(actor=owner, pipeline=pipeline, schema=schema, table="Doubled")
    run_work(run_id=finished.pk, background=False)
    code.FAIL.clear()
    waiting = run_start(actor=owner, pipeline=pipeline, schema=schema, table="Doubled")
    return {"finished": finished.pk, "queued": waiting.pk}


def matrix(schema: str, runs: dict[str, int]) -> list[tuple[str, str, Any, str, int]]:
    base = "/api/pipelines/lab"
    table = f"{base}/populate/{schema}/Doubled"
    return [
        ("get", f"{base}/runs/", None, "viewer", 200),
        ("post", f"{base}/runs/", {"schema": schema, "table": "Doubled"}, "operator", 201),
        ("get", f"{base}/runs/{runs['finished']}/", None, "viewer", 200),
        ("post", f"{base}/runs/{runs['queued']}/cancel/", None, "operator", 200),
        ("post", f"{base}/runs/{runs['finished']}/retry/", None, "operator", 201),
        ("get", f"{base}/events/?after=0", None, "viewer", 200),
        ("get", f"{base}/workers/", None, "viewer", 200),
        ("get", f"{base}/populate/status/", None, "viewer", 200),
        ("get", f"{table}/code/", None, "viewer", 200),
        ("get", f"{table}/errors/", None, "viewer", 200),
        ("post", f"{table}/errors/clear/", {}, "operator", 200),
        ("post", f"{table}/ignore/", {"key": {"n": 3}}, "operator", 200),
    ]


ENDPOINTS = range(12)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_role_matrix(
    client_for: ClientFor,
    runs: dict[str, int],
    pipeline: Pipeline,
    persona: str,
    endpoint: int,
) -> None:
    method, path, body, minimum, ok = matrix(pipeline.schemas[0], runs)[endpoint]
    audits = AuditEvent.objects.count()
    response = getattr(client_for(persona), method)(path, body, format="json")
    assert response.status_code == expected_status(persona, minimum, ok), response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
        assert AuditEvent.objects.count() == audits


def test_start_returns_the_queued_run_and_detail_follows_it(
    client_for: ClientFor, runs: dict[str, int], pipeline: Pipeline
) -> None:
    body = {"schema": pipeline.schemas[0], "table": "Doubled", "workers": 2,
            "restriction": {"attribute": "n", "operator": ">", "value": 1}}  # fmt: skip
    response = client_for("operator").post("/api/pipelines/lab/runs/", body, format="json")
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["status"] == "queued" and run["workers_wanted"] == 2
    assert run["requested_by"] == "operator" and run["restriction"] == body["restriction"]
    detail = client_for("viewer").get(f"/api/pipelines/lab/runs/{run['id']}/").json()
    assert detail == run
    listed = client_for("viewer").get("/api/pipelines/lab/runs/?status=queued").json()
    assert {r["id"] for r in listed["results"]} == {run["id"], runs["queued"]}


@pytest.mark.parametrize(
    ("body", "error_code"),
    [
        ({"table": "Doubled"}, "invalid"),  # no schema
        ({"schema": "S", "table": "Doubled", "workers": "many"}, "invalid"),
        ({"schema": "S", "table": "Doubled", "workers": 0}, "invalid"),
        ({"schema": "S", "table": "Doubled", "wokers": 2}, "invalid"),  # misspelt option
        ({"schema": "S", "table": "Nope"}, "not_found"),
        ({"schema": "S", "table": "Source"}, "invalid"),
        ({"schema": "S", "table": "Doubled", "restriction": "n=1 OR 1=1"}, "invalid"),
        ({"schema": "S", "table": "Doubled", "restriction": {"attribute": "x"}}, "invalid"),
        ({"schema": "S; DROP DATABASE x", "table": "Doubled"}, "not_found"),
        ({"schema": "S", "table": "Doubled'--"}, "not_found"),
        (["Doubled"], "invalid"),
    ],
)
def test_start_refuses_bad_input_and_writes_nothing(
    client_for: ClientFor, runs: dict[str, int], pipeline: Pipeline, body: Any, error_code: str
) -> None:
    if isinstance(body, dict):
        body = {k: (v.replace("S", pipeline.schemas[0], 1) if k == "schema" else v)
                for k, v in body.items()}  # fmt: skip
    before = (PopulateRun.objects.count(), AuditEvent.objects.count(), RunEvent.objects.count())
    response = client_for("owner").post("/api/pipelines/lab/runs/", body, format="json")
    assert response.status_code in (400, 404, 409), response.content
    assert response.json()["error"]["code"] == error_code
    after = (PopulateRun.objects.count(), AuditEvent.objects.count(), RunEvent.objects.count())
    assert after == before


def test_malformed_json_is_a_clear_error(client_for: ClientFor, runs: dict[str, int]) -> None:
    response = client_for("owner").post(
        "/api/pipelines/lab/runs/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed"


def test_a_run_of_another_pipeline_is_not_found(
    client_for: ClientFor, runs: dict[str, int]
) -> None:
    other = Pipeline.objects.create(name="Other", slug="other")
    foreign = PopulateRun.objects.create(pipeline=other, schema="x", table="Y")
    for path in (f"/api/pipelines/lab/runs/{foreign.pk}/", "/api/pipelines/lab/runs/999999/"):
        response = client_for("owner").get(path)
        assert response.status_code == 404
    response = client_for("owner").post(f"/api/pipelines/lab/runs/{foreign.pk}/cancel/")
    assert response.status_code == 404
    assert PopulateRun.objects.get(pk=foreign.pk).cancel_requested is False


def test_cancel_of_a_finished_run_is_a_conflict(
    client_for: ClientFor, runs: dict[str, int]
) -> None:
    response = client_for("owner").post(f"/api/pipelines/lab/runs/{runs['finished']}/cancel/")
    assert response.status_code == 409 and "already failed" in response.json()["error"]["message"]


def test_a_viewer_token_of_an_owner_cannot_start_runs(
    personas: dict[str, User | None], runs: dict[str, int], pipeline: Pipeline
) -> None:
    owner = personas["owner"]
    assert owner is not None
    client, _ = bearer_client(owner, max_role="viewer")
    body = {"schema": pipeline.schemas[0], "table": "Doubled"}
    assert client.post("/api/pipelines/lab/runs/", body, format="json").status_code == 403
    assert client.get("/api/pipelines/lab/runs/").status_code == 200


def test_events_page_after_an_id_and_by_run(client_for: ClientFor, runs: dict[str, int]) -> None:
    viewer = client_for("viewer")
    everything = viewer.get("/api/pipelines/lab/events/?after=0&limit=1000").json()
    ids = [e["id"] for e in everything["events"]]
    assert ids == sorted(ids) and everything["more"] is False
    assert everything["last_event_id"] == ids[-1]
    middle = ids[len(ids) // 2]
    page = viewer.get(f"/api/pipelines/lab/events/?after={middle}&limit=2").json()
    assert [e["id"] for e in page["events"]] == [i for i in ids if i > middle][:2]
    assert page["more"] is True
    mine = viewer.get(f"/api/pipelines/lab/events/?run={runs['queued']}").json()
    assert [e["kind"] for e in mine["events"]] == ["queued"]
    first = everything["events"][0]
    assert set(first) == {"id", "run", "kind", "key", "payload", "created_at"}
    failed = [e for e in everything["events"] if e["kind"] == "key_failed"]
    assert failed[0]["key"] == {"n": 2} and failed[0]["payload"]["error"] == "ValueError"
    empty = viewer.get(f"/api/pipelines/lab/events/?after={ids[-1]}").json()
    assert empty == {"events": [], "last_event_id": ids[-1], "more": False}


@pytest.mark.parametrize(
    "query", ["after=abc", "after=-1", "limit=0", "limit=5000", "run=x", "afterr=1", "after=1;--"]
)
def test_events_refuse_bad_queries(client_for: ClientFor, runs: dict[str, int], query: str) -> None:
    response = client_for("viewer").get(f"/api/pipelines/lab/events/?{query}")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "body",
    [
        {"key": {"n": "x"}},
        {"key": {"nope": 1}},
        {"key": "n=1"},
        {"keys": [{"n": 1}]},
        {},
        {"key": {"n": 1}, "also": 2},
    ],
)
def test_ignore_refuses_bad_keys(
    client_for: ClientFor, runs: dict[str, int], pipeline: Pipeline, body: Any
) -> None:
    path = f"/api/pipelines/lab/populate/{pipeline.schemas[0]}/Doubled/ignore/"
    audits = AuditEvent.objects.count()
    response = client_for("operator").post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert AuditEvent.objects.count() == audits


def test_status_code_and_errors_endpoints(
    client_for: ClientFor, runs: dict[str, int], pipeline: Pipeline
) -> None:
    viewer = client_for("viewer")
    statuses = {s["table"]: s for s in viewer.get("/api/pipelines/lab/populate/status/").json()}
    status = statuses["Doubled"]
    assert status["errors_by_type"] == {"ValueError": 1} and status["remaining"] == 1
    assert status["active_runs"] == [runs["queued"]]
    table = f"/api/pipelines/lab/populate/{pipeline.schemas[0]}"
    assert viewer.get(f"{table}/Doubled/code/").json()["registered"] is True
    [error] = viewer.get(f"{table}/Doubled/errors/").json()
    assert error["key"] == {"n": 2} and error["error"] == "ValueError"
    cleared = client_for("operator").post(f"{table}/Doubled/errors/clear/", {}, format="json")
    assert cleared.json() == {"cleared": 1}
    assert viewer.get(f"{table}/Source/code/").status_code == 400
    assert viewer.get(f"{table}/Nope/errors/").status_code == 404

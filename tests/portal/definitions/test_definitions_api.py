# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, index, union-attr"
"""``/api/pipelines/<slug>/definitions|revisions|import``: the role matrix, bad input, and the
whole round (draft, validate, apply, edit, restore, import) through HTTP on both backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

import pipelines.core as dj
from pipelines.models import AuditEvent, DefinitionRevision, Pipeline, TableDefinition
from pipelines.services.data import data_connection
from tests.portal.conftest import PERSONAS
from tests.portal.definitions.conftest import define, live_tables

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], APIClient]
BASE = "/api/pipelines/lab"
RANKS = ["viewer", "entry", "operator", "maintainer", "owner"]


def expected_status(persona: str, minimum: str, ok: int) -> int:
    """Anonymous callers 401, outsiders 404 (the pipeline does not exist for them), members
    below ``minimum`` 403."""
    if persona == "anonymous":
        return 401
    if persona == "outsider":
        return 404
    return ok if RANKS.index(persona) >= RANKS.index(minimum) else 403


@pytest.fixture
def drafted(pipeline: Pipeline) -> Pipeline:
    """``lab`` with one schema (not on any data database), one definition and one revision."""
    pipeline.schemas = ["lab_core"]
    pipeline.save()
    row = define(pipeline, "lab_core", "Session", "Manual", "session : int32\n")
    DefinitionRevision.objects.create(
        pipeline=pipeline, number=1, message="start", ddl="CREATE TABLE ...;\n",
        snapshot=[{"schema": "lab_core", "class_name": "Session", "tier": "Manual",
                   "definition": "session : int32\n", "master": None, "position": [1, 2]}],
    )  # fmt: skip
    assert row.pk == TableDefinition.objects.get().pk
    return pipeline


def definition_path(pipeline: Pipeline) -> str:
    return f"{BASE}/definitions/{TableDefinition.objects.get(pipeline=pipeline).pk}/"


NEW_DEFINITION = {
    "schema": "lab_core", "class_name": "Subject", "tier": "Manual",
    "definition": "subject_id : int32\n",
}  # fmt: skip
#: (method, path (with {definition} for the draft's URL), body, weakest role, success status)
PORTAL_MATRIX = [
    ("get", "/definitions/", None, "viewer", 200),
    ("post", "/definitions/", NEW_DEFINITION, "maintainer", 201),
    ("get", "{definition}", None, "viewer", 200),
    ("patch", "{definition}", {"position_x": 3}, "maintainer", 200),
    ("delete", "{definition}", None, "maintainer", 204),
    ("get", "/revisions/", None, "viewer", 200),
    ("get", "/revisions/1/", None, "viewer", 200),
    ("post", "/revisions/1/restore/", None, "maintainer", 200),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path", "body", "minimum", "ok"), PORTAL_MATRIX)
def test_role_matrix_of_drafts_and_revisions(
    drafted: Pipeline, client_for: ClientFor, persona: str, method: str, path: str,
    body: dict[str, Any] | None, minimum: str, ok: int,
) -> None:  # fmt: skip
    url = definition_path(drafted) if path == "{definition}" else BASE + path
    before = AuditEvent.objects.count()
    response = getattr(client_for(persona), method)(url, body, format="json")
    assert response.status_code == expected_status(persona, minimum, ok), response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
        assert AuditEvent.objects.count() == before
    elif method != "get":
        assert AuditEvent.objects.count() == before + 1


DATA_MATRIX = [
    ("/definitions/validate/", None, 200),
    ("/definitions/apply/", {"message": "go"}, 201),
    ("/import/", {"schema": "{existing}"}, 201),
]


@pytest.fixture
def with_data(pipeline: Pipeline, data_schema: str, second_schema: str) -> dict[str, str]:
    """``lab`` owns ``data_schema`` (one draft); ``second_schema`` exists live, unowned."""
    pipeline.schemas = [data_schema]
    pipeline.save()
    define(pipeline, data_schema, "Session", "Manual", "session : int32\n")
    existing = dj.Schema(second_schema, connection=data_connection())

    @existing
    class Animal(dj.Manual):
        definition = """
        animal : int32
        """

    return {"existing": second_schema, "own": data_schema}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("path", "body", "ok"), DATA_MATRIX)
def test_role_matrix_of_validate_apply_and_import(
    with_data: dict[str, str], client_for: ClientFor, persona: str, path: str,
    body: dict[str, Any] | None, ok: int, data_backend: str,
) -> None:  # fmt: skip
    if body is not None:
        body = {k: v.format(**with_data) for k, v in body.items()}
    before = (AuditEvent.objects.count(), live_tables(with_data["own"]))
    response = client_for(persona).post(BASE + path, body, format="json")
    assert response.status_code == expected_status(persona, "maintainer", ok), response.content
    if response.status_code >= 400:
        assert (AuditEvent.objects.count(), live_tables(with_data["own"])) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "/definitions/", "{not json", 400, "malformed"),
        ("post", "/definitions/", [NEW_DEFINITION], 400, "invalid"),
        ("post", "/definitions/", {**NEW_DEFINITION, "status": "applied"}, 400, "invalid"),
        ("post", "/definitions/", {**NEW_DEFINITION, "definition": 12}, 400, "invalid"),
        ("post", "/definitions/", {**NEW_DEFINITION, "position_x": "left"}, 400, "invalid"),
        ("post", "/definitions/", {**NEW_DEFINITION, "position_y": 1e300}, 400, "invalid"),
        ("post", "/definitions/", {**NEW_DEFINITION, "tier": "Manual' OR 1=1"}, 400, "invalid"),
        ("post", "/definitions/", {**NEW_DEFINITION, "schema": "lab_core`; DROP"}, 400, "invalid"),
        (
            "post",
            "/definitions/",
            {**NEW_DEFINITION, "class_name": "S; DROP TABLE x"},
            400,
            "invalid",
        ),
        (
            "post",
            "/definitions/",
            {**NEW_DEFINITION, "tier": "Part", "master": "x'; --"},
            400,
            "invalid",
        ),
        ("post", "/definitions/", {**NEW_DEFINITION, "class_name": "Session"}, 409, "conflict"),
        ("patch", "{definition}", "{not json", 400, "malformed"),
        ("patch", "{definition}", {"master": "Session"}, 400, "invalid"),
        ("patch", "{definition}", {"class_name": "Drop`Table"}, 400, "invalid"),
        ("patch", "{definition}", {"tier": "Part"}, 400, "invalid"),
        ("get", "/definitions/999999/", None, 404, "not_found"),
        ("delete", "/definitions/999999/", None, 404, "not_found"),
        ("get", "/revisions/7/", None, 404, "not_found"),
        ("post", "/revisions/7/restore/", None, 404, "not_found"),
        ("post", "/import/", {"schema": "a; DROP DATABASE b"}, 400, "invalid"),
        ("post", "/import/", {"schema": 5}, 400, "invalid"),
        ("post", "/import/", {}, 400, "invalid"),
        ("post", "/import/", "{not json", 400, "malformed"),
        ("post", "/definitions/apply/", {"allow_data_loss": "maybe"}, 400, "invalid"),
        ("post", "/definitions/apply/", {"message": "x", "sql": "DROP"}, 400, "invalid"),
        ("post", "/definitions/apply/", "{not json", 400, "malformed"),
    ],
)
def test_bad_input_is_refused_clearly_and_writes_nothing(
    drafted: Pipeline, client_for: ClientFor, method: str, path: str, body: Any, status: int,
    code: str,
) -> None:  # fmt: skip
    url = definition_path(drafted) if path == "{definition}" else BASE + path
    before = (
        list(TableDefinition.objects.values_list("class_name", "tier", "definition", "status")),
        AuditEvent.objects.count(),
        DefinitionRevision.objects.count(),
    )
    client = client_for("owner")
    if isinstance(body, str):
        response = getattr(client, method)(url, body, content_type="application/json")
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    after = (
        list(TableDefinition.objects.values_list("class_name", "tier", "definition", "status")),
        AuditEvent.objects.count(),
        DefinitionRevision.objects.count(),
    )
    assert after == before


def test_another_pipelines_definition_is_not_found(
    drafted: Pipeline, client_for: ClientFor
) -> None:
    other = Pipeline.objects.create(name="Other", slug="other", schemas=["other_core"])
    foreign = define(other, "other_core", "Secret", "Manual", "s : int32\n")
    client = client_for("owner")
    assert client.get(f"{BASE}/definitions/{foreign.pk}/").status_code == 404
    assert client.delete(f"{BASE}/definitions/{foreign.pk}/").status_code == 404
    assert TableDefinition.objects.filter(pk=foreign.pk).exists()


def test_the_whole_round_through_http(
    pipeline: Pipeline, data_schema: str, second_schema: str, client_for: ClientFor,
    data_backend: str,
) -> None:  # fmt: skip
    pipeline.schemas = [data_schema]
    pipeline.save()
    api = client_for("maintainer")
    new = {"schema": data_schema, "tier": "Manual"}
    made = api.post(
        f"{BASE}/definitions/",
        {
            **new,
            "class_name": "Subject",
            "definition": "subject_id : int32\n---\nname : varchar(9)\n",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    subject_id = made.json()["id"]
    part = api.post(f"{BASE}/definitions/", {**new, "tier": "Part", "master": "Subject",
                    "class_name": "Visit", "definition": "-> master\nvisit : int16\n---\n"
                    "note : varchar(10)\n-> Nowhere; DROP TABLE x\n"}, format="json")  # fmt: skip
    assert part.status_code == 201 and part.json()["class_name"] == "Subject.Visit"

    report = api.post(f"{BASE}/definitions/validate/").json()
    assert report["ok"] is False and report["backend"] == data_backend
    assert [(e["class_name"], e["line"]) for e in report["errors"]] == [("Subject.Visit", 5)]
    refused = api.post(f"{BASE}/definitions/apply/", {"message": "no"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["details"]["errors"]
    assert live_tables(data_schema) == []

    visit_url = f"{BASE}/definitions/{part.json()['id']}/"
    fixed = "-> master\nvisit : int16\n---\nnote : varchar(10)\n"
    assert api.patch(visit_url, {"definition": fixed}, format="json").status_code == 200
    report = api.post(f"{BASE}/definitions/validate/").json()
    assert report["ok"] and [i["action"] for i in report["plan"]] == ["create", "create"]
    assert all(t["ddl"] for t in report["tables"])
    applied = api.post(f"{BASE}/definitions/apply/", {"message": "v1"}, format="json")
    assert applied.status_code == 201, applied.content
    assert applied.json()["number"] == 1 and "CREATE TABLE" in applied.json()["ddl"]
    assert live_tables(data_schema) == ["subject", "subject__visit"]

    grown = "subject_id : int32\n---\nname : varchar(9)\nweight = 0 : float32\n"
    edit = api.patch(f"{BASE}/definitions/{subject_id}/", {"definition": grown}, format="json")
    assert edit.json()["status"] == "draft"
    plan = api.post(f"{BASE}/definitions/validate/").json()["plan"]
    assert [(i["action"], i["class_name"]) for i in plan] == [("alter", "Subject")]
    assert plan[0]["changes"] and plan[0]["lossy"] is False
    assert (
        api.post(f"{BASE}/definitions/apply/", {"message": "v2"}, format="json").status_code == 201
    )
    revisions = api.get(f"{BASE}/revisions/").json()
    assert [(r["number"], r["message"], r["author"]) for r in revisions] == [
        (2, "v2", "maintainer"), (1, "v1", "maintainer")
    ]  # fmt: skip
    detail = api.get(f"{BASE}/revisions/1/").json()
    assert {e["class_name"] for e in detail["snapshot"]} == {"Subject", "Subject.Visit"}

    subject = dj.FreeTable(data_connection(), f"`{data_schema}`.`subject`")
    subject.insert1({"subject_id": 1, "name": "a", "weight": 2.5})
    restored = api.post(f"{BASE}/revisions/1/restore/")
    assert restored.status_code == 200
    plan = api.post(f"{BASE}/definitions/validate/").json()
    assert [(i["action"], i["lossy"]) for i in plan["plan"]] == [("alter", True)]
    assert plan["data_loss"]
    lossy = api.post(f"{BASE}/definitions/apply/", {}, format="json")
    assert lossy.status_code == 409 and lossy.json()["error"]["details"]["data_loss"]
    ok = api.post(f"{BASE}/definitions/apply/", {"allow_data_loss": True}, format="json")
    assert ok.status_code == 201 and ok.json()["number"] == 3

    existing = dj.Schema(second_schema, {"Subject": subject}, connection=data_connection())

    @existing
    class Animal(dj.Manual):
        definition = """
        animal : int32
        ---
        -> [nullable] Subject
        """

    imported = api.post(f"{BASE}/import/", {"schema": second_schema}, format="json")
    assert imported.status_code == 201, imported.content
    assert imported.json()[0]["definition"].count(f"-> [nullable] {data_schema}.Subject") == 1
    report = api.post(f"{BASE}/definitions/validate/").json()
    assert report["ok"] and report["plan"] == []
    assert api.get(f"{BASE}/").json()["schemas"] == [data_schema, second_schema]
    actions = [e["action"] for e in api.get(f"{BASE}/audit/?limit=50").json()["results"]]
    assert actions[:4] == [
        "definitions.import", "definitions.apply", "revision.restore", "definitions.apply"
    ]  # fmt: skip


def test_the_openapi_schema_documents_the_endpoints(db: None) -> None:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/pipelines/{slug}/definitions/", "/api/pipelines/{slug}/definitions/validate/",
        "/api/pipelines/{slug}/definitions/apply/",
        "/api/pipelines/{slug}/definitions/{definition_id}/", "/api/pipelines/{slug}/revisions/",
        "/api/pipelines/{slug}/revisions/{number}/",
        "/api/pipelines/{slug}/revisions/{number}/restore/", "/api/pipelines/{slug}/import/",
    ]:  # fmt: skip
        assert path in paths
    validate = paths["/api/pipelines/{slug}/definitions/validate/"]["post"]
    assert "ValidationOut" in str(validate["responses"]["200"])

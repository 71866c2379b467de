"""``/api/pipelines/``: listing, creating, changing and deleting pipelines; members; audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, User
from accounts.roles import Role
from pipelines.models import AuditEvent, Pipeline
from tests.portal.conftest import PERSONAS, make_pipeline, make_user

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], APIClient]

#: (method, path, body) -> the weakest role allowed; stronger roles pass, weaker get 403,
#: outsiders 404, anonymous callers 401/403.
MATRIX = [
    ("get", "/api/pipelines/lab/", None, Role.VIEWER, 200),
    ("patch", "/api/pipelines/lab/", {"description": "new"}, Role.MAINTAINER, 200),
    ("get", "/api/pipelines/lab/members/", None, Role.VIEWER, 200),
    ("put", "/api/pipelines/lab/members/outsider/", {"role": "viewer"}, Role.OWNER, 200),
    ("get", "/api/pipelines/lab/audit/", None, Role.MAINTAINER, 200),
    ("delete", "/api/pipelines/lab/", None, Role.OWNER, 204),
]
RANKS = ["viewer", "entry", "operator", "maintainer", "owner"]


def expected_status(persona: str, minimum: str, ok: int) -> int:
    if persona == "anonymous":
        return 401
    if persona == "outsider":
        return 404  # a pipeline you hold no role on does not exist for you
    return ok if RANKS.index(persona) >= RANKS.index(minimum) else 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path", "body", "minimum", "ok"), MATRIX)
def test_role_matrix(
    client_for: ClientFor,
    persona: str,
    method: str,
    path: str,
    body: dict[str, str] | None,
    minimum: str,
    ok: int,
) -> None:
    response = getattr(client_for(persona), method)(path, body, format="json")
    assert response.status_code == expected_status(persona, minimum, ok), response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_list_shows_only_my_pipelines_with_my_role(client_for: ClientFor) -> None:
    make_pipeline("other")
    response = client_for("operator").get("/api/pipelines/")
    assert response.status_code == 200
    assert [(p["slug"], p["role"]) for p in response.json()] == [("lab", "operator")]
    assert client_for("outsider").get("/api/pipelines/").json() == []


def test_create_makes_the_caller_owner_and_is_audited(client_for: ClientFor) -> None:
    response = client_for("outsider").post(
        "/api/pipelines/",
        {"name": "Imaging Lab", "schemas": ["imaging", "imaging_proc"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "imaging-lab" and body["role"] == "owner"
    pipeline = Pipeline.objects.get(slug="imaging-lab")
    assert pipeline.schemas == ["imaging", "imaging_proc"]
    assert Membership.objects.get(pipeline=pipeline).role == Role.OWNER
    event = AuditEvent.objects.get(pipeline=pipeline)
    assert event.action == "pipeline.create" and event.actor.username == "outsider"


@pytest.mark.parametrize(
    ("body", "code", "status"),
    [
        ({"name": ""}, "invalid", 400),
        ({"name": "x", "schemas": ["Bad-Name"]}, "invalid", 400),
        ({"name": "x", "schemas": ["a; DROP TABLE b"]}, "invalid", 400),
        ({"name": "x", "schemas": ["dup", "dup"]}, "invalid", 400),
        ({"name": "Lab"}, "conflict", 409),  # the slug exists
        ({"name": "y", "schemas": ["taken"]}, "conflict", 409),
        ({"schemas": []}, "invalid", 400),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    client_for: ClientFor, body: dict[str, object], code: str, status: int
) -> None:
    make_pipeline("taken-schemas", schemas=["taken"])
    before = (Pipeline.objects.count(), AuditEvent.objects.count(), Membership.objects.count())
    response = client_for("viewer").post("/api/pipelines/", body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    after = (Pipeline.objects.count(), AuditEvent.objects.count(), Membership.objects.count())
    assert after == before


def test_members_can_be_added_changed_and_removed_but_not_the_last_owner(
    client_for: ClientFor, personas: dict[str, User | None]
) -> None:
    owner = client_for("owner")
    assert owner.put("/api/pipelines/lab/members/outsider/", {"role": "entry"}).status_code == 200
    assert Membership.objects.get(user__username="outsider").role == Role.ENTRY
    assert owner.delete("/api/pipelines/lab/members/outsider/").status_code == 204
    response = owner.put("/api/pipelines/lab/members/owner/", {"role": "viewer"})
    assert response.status_code == 409
    assert "at least one owner" in response.json()["error"]["message"]
    assert owner.delete("/api/pipelines/lab/members/owner/").status_code == 409
    assert owner.put("/api/pipelines/lab/members/nobody/", {"role": "viewer"}).status_code == 404
    response = owner.put("/api/pipelines/lab/members/outsider/", {"role": "emperor"})
    assert response.status_code == 400 and "role" in response.json()["error"]["details"]
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert sorted(actions) == ["member.remove", "member.set"]


def test_deleting_a_pipeline_keeps_its_audit_trail(client_for: ClientFor) -> None:
    assert client_for("owner").delete("/api/pipelines/lab/").status_code == 204
    assert not Pipeline.objects.filter(slug="lab").exists()
    event = AuditEvent.objects.get(action="pipeline.delete")
    assert event.target == "lab" and event.pipeline is None


def test_audit_lists_newest_first_with_paging_and_filter(client_for: ClientFor) -> None:
    maintainer = client_for("maintainer")
    for text in ("a", "b", "c"):
        maintainer.patch("/api/pipelines/lab/", {"description": text}, format="json")
    client_for("owner").put("/api/pipelines/lab/members/outsider/", {"role": "viewer"})
    page = maintainer.get("/api/pipelines/lab/audit/?limit=2").json()
    assert page["count"] == 4 and len(page["results"]) == 2
    assert page["results"][0]["action"] == "member.set"
    updates = maintainer.get("/api/pipelines/lab/audit/?action=pipeline.update").json()
    assert [e["payload"]["description"] for e in updates["results"]] == ["c", "b", "a"]


def test_login_is_throttled(db: None, settings: object) -> None:
    make_user("alice")
    client = APIClient(enforce_csrf_checks=True)
    statuses = [
        client.post("/api/auth/login/", {"username": "alice", "password": "wrong"}).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_login_with_a_session_then_csrf_is_enforced(db: None) -> None:
    make_user("bob")
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/api/auth/login/", {"username": "bob", "password": "pw-bob"})
    assert response.status_code == 200 and response.json()["username"] == "bob"
    # signed in by session: an unsafe request without the CSRF token is refused
    refused = client.post("/api/pipelines/", {"name": "x"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    token = client.get("/api/auth/me/").cookies["csrftoken"].value
    accepted = client.post("/api/pipelines/", {"name": "x"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_unknown_api_paths_answer_with_the_error_shape(client_for: ClientFor) -> None:
    response = client_for("viewer").get("/api/no/such/path/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client_for("viewer").get("/no-such-page/")["Content-Type"].startswith("text/html")

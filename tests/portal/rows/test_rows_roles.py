# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, union-attr"
"""Every tables/rows endpoint for every persona: the weakest role allowed and stronger ones
succeed, weaker members get 403, outsiders 404 (the pipeline does not exist for them),
anonymous callers 401; refused callers change nothing. On both data backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from pipelines.services.row_tables import row_table
from pipelines.services.rows_delete import rows_delete_preview
from tests.portal.conftest import PERSONAS, bearer_client
from tests.portal.rows.conftest import ClientFor, Lab, audit_count

pytestmark = pytest.mark.django_db

RANKS = ["viewer", "entry", "operator", "maintainer", "owner"]
SESSION_KEY = '{"subject_id":1,"session":2}'


def expected_status(persona: str, minimum: str, ok: int) -> int:
    if persona == "anonymous":
        return 401
    if persona == "outsider":
        return 404
    return ok if RANKS.index(persona) >= RANKS.index(minimum) else 403


#: name -> (method, table, tail, body for persona number n, weakest role, success status)
Body = Callable[[int, Lab, "User | None"], Any]
ENDPOINTS: dict[str, tuple[str, str, str, Body, str, int]] = {
    "tables": ("get", "", "", lambda n, lab, u: None, "viewer", 200),
    "table": ("get", "Subject", "", lambda n, lab, u: None, "viewer", 200),
    "page": ("get", "Subject", "rows/", lambda n, lab, u: None, "viewer", 200),
    "search": ("post", "Subject", "rows/search/", lambda n, lab, u: {"limit": 1}, "viewer", 200),
    "export": ("get", "Subject", "rows/export.csv", lambda n, lab, u: None, "viewer", 200),
    "download": (
        "get", "Session", f"rows/blob/?key={SESSION_KEY}&attribute=raw",
        lambda n, lab, u: None, "viewer", 200,
    ),
    "insert": ("post", "Rig", "rows/", lambda n, lab, u: {"rows": [{"rig": f"I{n}"}]}, "entry", 201),
    "update": (
        "patch", "Subject", "rows/",
        lambda n, lab, u: {"key": {"subject_id": 1}, "values": {"name": f"n{n}"}}, "entry", 200,
    ),
    "upload": (
        "post", "Rig", "rows/upload/",
        lambda n, lab, u: {"file": SimpleUploadedFile("r.csv", f"rig\nU{n}\n".encode())},
        "entry", 201,
    ),
    "file": (
        "put", "Session", f"rows/blob/?key={SESSION_KEY}&attribute=raw",
        lambda n, lab, u: {"file": SimpleUploadedFile("f.bin", bytes([n]))}, "entry", 204,
    ),
    "delete-preview": (
        "post", "Rig", "rows/delete-preview/",
        lambda n, lab, u: {"keys": [{"rig": "A"}]}, "operator", 200,
    ),
    "delete": (
        "post", "Rig", "rows/delete/",
        lambda n, lab, u: {"token": _token(lab, u, f"D{n}")}, "operator", 200,
    ),
}  # fmt: skip


def _token(lab: Lab, user: User | None, rig: str) -> str:
    lab.tables["Rig"].insert1({"rig": rig})
    target = row_table(pipeline=lab.pipeline, schema=lab.schema, name="Rig")
    preview = rows_delete_preview(actor=user, target=target, keys=[{"rig": rig}])
    assert preview.token is not None
    return preview.token


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_role_matrix(
    lab: Lab, client_for: ClientFor, personas: dict[str, User | None], endpoint: str
) -> None:
    method, table, tail, body, minimum, ok = ENDPOINTS[endpoint]
    url = lab.url(table, tail) if table else f"/api/pipelines/{lab.pipeline.slug}/tables/"
    multipart = endpoint in ("upload", "file")
    for number, persona in enumerate(PERSONAS):
        data = body(number, lab, personas[persona])
        expected = expected_status(persona, minimum, ok)
        before = audit_count()
        client = client_for(persona)
        response = getattr(client, method)(url, data, format="multipart" if multipart else "json")
        assert response.status_code == expected, (persona, response.content[:300])
        if expected >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}
            assert audit_count() == before
        elif method != "get" and endpoint not in ("search", "delete-preview"):
            assert audit_count() == before + 1


def test_a_token_acts_with_at_most_its_role(lab: Lab, personas: dict[str, User | None]) -> None:
    owner = personas["owner"]
    assert owner is not None
    client, _ = bearer_client(owner, max_role="viewer")
    assert client.get(lab.url("Rig")).status_code == 200
    refused = client.post(lab.url("Rig"), {"rows": [{"rig": "T"}]}, format="json")
    assert refused.status_code == 403 and lab.count("Rig") == 2
    entry, _ = bearer_client(owner, max_role="entry")
    assert entry.post(lab.url("Rig"), {"rows": [{"rig": "T"}]}, format="json").status_code == 201
    preview = entry.post(
        lab.url("Rig", "rows/delete-preview/"), {"keys": [{"rig": "T"}]}, format="json"
    )
    assert preview.status_code == 403

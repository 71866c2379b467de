"""The token cells of the role matrix, for every pipeline endpoint in the OpenAPI schema: a token
scoped to another pipeline finds nothing (404), and a token capped at viewer cannot write
(403), whatever its owner's role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, User
from accounts.roles import Role
from tests.portal.conftest import bearer_client, make_pipeline

pytestmark = pytest.mark.django_db

#: Path parameters other than the slug, filled with values that would name real objects.
FILLERS = {
    "schema": "lab",
    "name": "Session",
    "id": "1",
    "number": "1",
    "definition_id": "1",
    "run_id": "1",
    "username": "owner",
    "table": "Session",
}
WRITES = {"post", "put", "patch", "delete"}
#: POST endpoints that only read (a query body too long for a URL): open to viewers.
READING_POSTS = ("/query/", "/query/code/", "/rows/search/", "/plot/")


def pipeline_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation under /api/pipelines/{slug}/."""
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    result = []
    for path, item in schema["paths"].items():
        if not path.startswith("/api/pipelines/{slug}/"):
            continue
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                result.append((method, path))
    return sorted(result)


def concrete(path: str) -> str:
    path = path.replace("{slug}", "lab")
    return re.sub(r"\{(\w+)\}", lambda m: FILLERS.get(m.group(1), "x"), path)


@pytest.fixture
def owner(pipeline: Any) -> User:
    user = User.objects.create_user(username="owner", password="x")
    Membership.objects.create(user=user, pipeline=pipeline, role=Role.OWNER)
    return user


def test_the_schema_lists_the_pipeline_endpoints(db: None) -> None:
    assert len(pipeline_operations()) >= 30


def test_a_token_scoped_to_another_pipeline_finds_nothing(owner: User) -> None:
    other = make_pipeline("other")
    Membership.objects.create(user=owner, pipeline=other, role=Role.OWNER)
    client, _ = bearer_client(owner, max_role=Role.OWNER, pipelines=[other])
    for method, path in pipeline_operations():
        response = getattr(client, method)(concrete(path), {}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "not_found", (method, path)


def test_a_viewer_capped_token_cannot_write_anywhere(owner: User) -> None:
    client, _ = bearer_client(owner, max_role=Role.VIEWER)
    for method, path in pipeline_operations():
        if method not in WRITES or (method == "post" and path.endswith(READING_POSTS)):
            continue
        response = getattr(client, method)(concrete(path), {}, format="json")
        # refused on the role before anything else is looked at (or the object is not found)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        if response.status_code == 404:
            assert "pipeline" not in response.json()["error"]["message"].lower(), (method, path)

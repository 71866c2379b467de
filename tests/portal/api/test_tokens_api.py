"""API tokens: issued once, stored hashed, scoped, capped, expiring, revocable."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership, User
from accounts.roles import Role
from tests.portal.conftest import bearer_client, make_pipeline

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], APIClient]


def test_a_token_is_shown_once_and_stored_as_a_digest(client_for: ClientFor) -> None:
    response = client_for("owner").post(
        "/api/tokens/", {"name": "cluster", "max_role": "operator", "pipelines": ["lab"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (stored.digest, stored.prefix) and raw.startswith(stored.prefix)
    listed = client_for("owner").get("/api/tokens/").json()
    assert listed[0]["pipelines"] == ["lab"] and "token" not in listed[0]


def test_bearer_token_acts_with_the_weaker_of_membership_and_cap(
    personas: dict[str, User | None],
) -> None:
    owner = personas["owner"]
    assert owner is not None
    capped, _ = bearer_client(owner, max_role=Role.VIEWER)
    assert capped.get("/api/pipelines/lab/").json()["role"] == "viewer"
    assert capped.patch("/api/pipelines/lab/", {"description": "x"}).status_code == 403
    entry = personas["entry"]
    assert entry is not None
    wide, _ = bearer_client(entry, max_role=Role.OWNER)  # a cap does not raise a role
    assert wide.get("/api/pipelines/lab/").json()["role"] == "entry"


def test_a_scoped_token_sees_only_its_pipelines(personas: dict[str, User | None]) -> None:
    owner = personas["owner"]
    assert owner is not None
    other = make_pipeline("other")
    Membership.objects.create(user=owner, pipeline=other, role=Role.OWNER)
    scoped, _ = bearer_client(owner, max_role=Role.OWNER, pipelines=[other])
    assert [p["slug"] for p in scoped.get("/api/pipelines/").json()] == ["other"]
    assert scoped.get("/api/pipelines/lab/").status_code == 404


@pytest.mark.parametrize("state", ["revoked", "expired", "garbage", "inactive_user"])
def test_unusable_tokens_are_refused_with_401(personas: dict[str, User | None], state: str) -> None:
    owner = personas["owner"]
    assert owner is not None
    client, raw = bearer_client(owner, max_role=Role.OWNER)
    token = ApiToken.objects.get()
    if state == "revoked":
        token.revoked_at = timezone.now()
        token.save()
    elif state == "expired":
        token.expires_at = timezone.now() - timedelta(seconds=1)
        token.save()
    elif state == "garbage":
        wrong = "y" if raw.endswith("x") else "x"  # one character off, never the token itself
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw[:-1]}{wrong}")
    else:
        owner.is_active = False
        owner.save()
    response = client.get("/api/pipelines/lab/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_cannot_manage_tokens_or_create_pipelines(
    personas: dict[str, User | None],
) -> None:
    owner = personas["owner"]
    assert owner is not None
    client, _ = bearer_client(owner, max_role=Role.OWNER)
    before = ApiToken.objects.count()
    for response in (
        client.get("/api/tokens/"),
        client.post("/api/tokens/", {"name": "more", "max_role": "owner"}, format="json"),
        client.post("/api/pipelines/", {"name": "new"}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "session_required"
    assert ApiToken.objects.count() == before


def test_revoking_a_token_stops_it_at_once(
    client_for: ClientFor, personas: dict[str, User | None]
) -> None:
    owner_user = personas["owner"]
    assert owner_user is not None
    client, _ = bearer_client(owner_user, max_role=Role.VIEWER)
    assert client.get("/api/pipelines/lab/").status_code == 200
    token = ApiToken.objects.get()
    assert client_for("owner").delete(f"/api/tokens/{token.pk}/").status_code == 204
    assert client.get("/api/pipelines/lab/").status_code == 401
    # someone else's token is not found
    assert client_for("viewer").delete(f"/api/tokens/{token.pk}/").status_code == 404


def test_a_token_cannot_be_scoped_to_a_pipeline_i_am_not_in(client_for: ClientFor) -> None:
    make_pipeline("secret")
    response = client_for("viewer").post(
        "/api/tokens/", {"name": "t", "pipelines": ["secret"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"pipelines": ["secret"]}
    assert not ApiToken.objects.exists()

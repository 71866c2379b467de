"""Portal personas: one user per role on one pipeline, an outsider, and API clients for each.

Data come from the ORM directly (factories), never from API calls in setup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, User
from accounts.roles import Role
from accounts.tokens import token_issue
from pipelines.models import Pipeline

ROLES = [Role.OWNER, Role.MAINTAINER, Role.OPERATOR, Role.ENTRY, Role.VIEWER]
#: Every caller of the role matrix: the five roles, a signed-in non-member, an anonymous caller.
PERSONAS = [*[str(r) for r in ROLES], "outsider", "anonymous"]


def make_user(username: str, **fields: Any) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, **fields)


def make_pipeline(slug: str = "lab", schemas: list[str] | None = None) -> Pipeline:
    return Pipeline.objects.create(name=slug.title(), slug=slug, schemas=schemas or [])


@pytest.fixture
def pipeline(db: None) -> Pipeline:
    return make_pipeline()


@pytest.fixture
def personas(pipeline: Pipeline) -> dict[str, User | None]:
    """``{persona: user}``; members hold their role on ``pipeline``."""
    users: dict[str, User | None] = {}
    for role in ROLES:
        user = make_user(str(role))
        Membership.objects.create(user=user, pipeline=pipeline, role=role)
        users[str(role)] = user
    users["outsider"] = make_user("outsider")
    users["anonymous"] = None
    return users


@pytest.fixture
def client_for(personas: dict[str, User | None]) -> Callable[[str], APIClient]:
    """An API client signed in (with a session) as the persona."""

    def build(persona: str) -> APIClient:
        client = APIClient()
        user = personas[persona]
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return build


def bearer_client(user: User, **token_fields: Any) -> tuple[APIClient, str]:
    """A client that sends a fresh token of ``user`` (``max_role``, ``pipelines``...)."""
    _, raw = token_issue(user=user, name="test", **token_fields)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, raw


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()

"""Portal personas: one user per role on one pipeline, an outsider, and API clients for each.

Data come from the ORM directly (factories), never from API calls in setup.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

import pipelines.core as dj
from accounts.models import Membership, User
from accounts.roles import Role
from accounts.tokens import token_issue
from pipelines.models import Pipeline
from pipelines.services.data import close_data_connections, data_connection
from tests.conftest import MYSQL_URL

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
def _fast_passwords(settings: Any) -> None:
    """Personas' passwords would otherwise be hashed with the production hasher (about a second
    per user on these machines); password storage is Django's, not what these tests check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()


# --- the data database ---------------------------------------------------------------------------
_schema_counter = itertools.count()


@pytest.fixture(params=["sqlite", "mysql"])
def data_backend(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> Iterator[str]:
    """Points the portal's data database at SQLite (a fresh file) or MariaDB for one test."""
    backend = str(request.param)
    url = f"sqlite:///{tmp_path / 'data.sqlite3'}" if backend == "sqlite" else MYSQL_URL
    settings.JOINERY = {**settings.JOINERY, "DATA_DATABASE_URL": url}
    close_data_connections()
    yield backend
    close_data_connections()


@pytest.fixture
def data_schema(data_backend: str) -> Iterator[str]:
    """A fresh schema name on the data database, dropped (with its tables) afterwards."""
    name = f"jp_{os.getpid()}_{next(_schema_counter)}_{uuid.uuid4().hex[:6]}"
    yield name
    connection = data_connection()
    if connection.in_transaction:
        connection.cancel_transaction()
    if connection.catalog.schema_exists(name):
        dj.Schema(name, connection=connection, create_schema=False).drop(prompt=False)

"""Definitions of a small pipeline across two schemas, written straight to the portal DB."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import pytest

import pipelines.core as dj
from accounts.models import Membership, User
from pipelines.models import Pipeline, TableDefinition
from pipelines.services.data import data_connection
from tests.portal.conftest import ROLES

_counter = itertools.count()


@pytest.fixture
def personas(pipeline: Pipeline) -> dict[str, User | None]:
    """The shared personas, without passwords: hashing six passwords per test would make
    these (many) tests several times slower, and API clients here authenticate directly."""
    users: dict[str, User | None] = {}
    for role in ROLES:
        user = User.objects.create(username=str(role))
        Membership.objects.create(user=user, pipeline=pipeline, role=role)
        users[str(role)] = user
    users["outsider"] = User.objects.create(username="outsider")
    users["anonymous"] = None
    return users


def define(
    pipeline: Pipeline,
    schema: str,
    class_name: str,
    tier: str,
    text: str,
    master: str | None = None,
) -> TableDefinition:
    """A draft definition (a part's ``class_name`` is ``Master.Part``)."""
    master_row = (
        TableDefinition.objects.get(pipeline=pipeline, schema=schema, class_name=master)
        if master
        else None
    )
    return TableDefinition.objects.create(
        pipeline=pipeline, schema=schema, class_name=class_name, tier=tier,
        definition=text, master=master_row,
    )  # fmt: skip


def define_lab(pipeline: Pipeline, first: str, second: str) -> None:
    """Five tables in ``first`` (a part among them) and one in ``second`` that references
    ``first`` by schema name; written children first, so order must come from the references."""
    define(pipeline, first, "Rig", "Lookup", "rig : varchar(8)\n---\nroom : varchar(16)\n")
    define(pipeline, first, "Subject", "Manual", "subject_id : int32\n---\nname : varchar(32)\n")
    define(
        pipeline, first, "Session", "Manual",
        "# a recording session\n-> Subject\nsession : int16\n---\n-> Rig\nnote = \"\" : varchar(255)\n",
    )  # fmt: skip
    define(
        pipeline, first, "Session.Trial", "Part", "-> master\ntrial : int16\n---\nstart : float64\n",
        master="Session",
    )  # fmt: skip
    define(pipeline, first, "Analysis", "Computed", "-> Session\n---\nscore : float64\n")
    define(pipeline, second, "Summary", "Computed", f"-> {first}.Session\n---\ntotal : int32\n")


@pytest.fixture
def second_schema(data_schema: str) -> Iterator[str]:
    """Another fresh schema on the same data database, dropped (if it was made) before
    ``data_schema``, which references it in these tests.

    Validation must not create schemas, so ``data_schema`` may not exist at the end: it is
    created then, because the shared fixture drops it unconditionally.
    """
    name = f"jq_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    yield name
    connection = data_connection()
    if connection.in_transaction:
        connection.cancel_transaction()
    if connection.catalog.schema_exists(name):
        dj.Schema(name, connection=connection, create_schema=False).drop(prompt=False)
    if not connection.catalog.schema_exists(data_schema):
        connection.catalog.create_schema(data_schema)


@pytest.fixture
def lab(pipeline: Pipeline, data_schema: str, second_schema: str) -> Pipeline:
    """The ``lab`` pipeline owning two fresh schemas (neither exists yet)."""
    pipeline.schemas = [data_schema, second_schema]
    pipeline.save()
    return pipeline


def live_tables(schema: str) -> list[str]:
    connection = data_connection()
    if not connection.catalog.schema_exists(schema):
        return []
    return sorted(t for t in connection.catalog.list_tables(schema) if not t.startswith("~"))

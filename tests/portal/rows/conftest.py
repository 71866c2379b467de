# Table classes take instance methods at class level through their metaclass, as in DataJoint;
# mypy cannot see that.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, union-attr"
"""A small lab on the data database (both backends) that the rows tests browse and change.

``Rig`` (Lookup) <- ``Session`` (Manual, with a part ``Session.Trial``) <- ``Summary``
(Computed); ``Subject`` (Manual) <- ``Session``. Values of every kind the portal encodes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from rest_framework.test import APIClient

import pipelines.core as dj
from accounts.models import User
from pipelines.models import AuditEvent, Pipeline
from pipelines.services.data import data_connection

ClientFor = Callable[[str], APIClient]


@dataclass
class Lab:
    schema: str
    pipeline: Pipeline
    tables: dict[str, Any]

    def url(self, table: str, tail: str = "rows/") -> str:
        return f"/api/pipelines/{self.pipeline.slug}/tables/{self.schema}/{table}/{tail}"

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.tables[table]().to_dicts(order_by="KEY")

    def count(self, table: str) -> int:
        return len(self.tables[table]())


def declare(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)
        """
        contents = [{"rig": "A"}, {"rig": "B"}]

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(32)
        born = null : date
        weight = null : decimal(5,2)
        sex = 'u' : enum('f', 'm', 'u')
        meta = null : json
        active = 1 : bool
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> [nullable] Rig
        started = null : datetime
        token = null : uuid
        signal = null : <blob>
        raw = null : bytes
        photo = null : <attach>
        """

        class Trial(dj.Part):
            definition = """
            -> master
            trial : int16
            ---
            outcome = null : varchar(8)
            """

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Session
        ---
        trials : int32
        """

        def make(self, key: dict[str, Any]) -> None:
            self.insert1({**key, "trials": len(Session.Trial & key)})

    return {
        "Rig": Rig, "Subject": Subject, "Session": Session, "Session.Trial": Session.Trial,
        "Summary": Summary,
    }  # fmt: skip


def fill(tables: dict[str, Any]) -> None:
    subject, session = tables["Subject"], tables["Session"]
    subject.insert1(
        {"subject_id": 1, "name": "ann", "born": "2024-01-02", "weight": "20.50", "sex": "f"}
    )
    subject.insert1(
        {"subject_id": 2, "name": "bob", "meta": {"cage": 7, "tags": ["x"]}, "active": 0}
    )
    subject.insert1({"subject_id": 3, "name": "o'hara; DROP TABLE x", "weight": "31.00"})
    session.insert1({"subject_id": 1, "session": 1, "rig": "A", "started": "2024-05-01 13:45:00"})
    session.insert1({"subject_id": 1, "session": 2, "rig": "B", "raw": b"\x00\x01\x02"})
    session.insert1({"subject_id": 2, "session": 1, "signal": [1, 2, 3]})
    tables["Session.Trial"].insert(
        [{"subject_id": 1, "session": 1, "trial": t, "outcome": "hit"} for t in (1, 2, 3)]
    )
    tables["Summary"].populate()


@pytest.fixture
def lab(data_schema: str, pipeline: Pipeline, personas: dict[str, User | None]) -> Lab:
    """The pipeline ``lab`` (with its personas) owning a filled schema."""
    schema = dj.Schema(data_schema, connection=data_connection())
    tables = declare(schema)
    fill(tables)
    pipeline.schemas = [data_schema]
    pipeline.save()
    return Lab(data_schema, pipeline, tables)


def where(tree: Any) -> str:
    return quote(json.dumps(tree))


def audit_count() -> int:
    return AuditEvent.objects.count()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The personas' passwords are never checked here: hash them cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

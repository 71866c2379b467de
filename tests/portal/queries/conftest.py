# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""A small lab pipeline on the data database (both backends) for the query and diagram tests."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.models import Pipeline
from pipelines.services.data import data_connection

NASTY = "o'hara; DROP TABLE x --"
UID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def declare_lab(schema_name: str) -> SimpleNamespace:
    schema = dj.Schema(schema_name, connection=data_connection())

    @schema
    class Person(dj.Lookup):
        definition = """
        person_id : varchar(16)
        ---
        full_name : varchar(64)
        """
        contents = [("ann", "Ann A."), ("bo", "Bo B.")]

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(32)
        species : varchar(16)
        weight = null : float64
        born : date
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        session_date : date
        -> [nullable] Person.proj(experimenter="person_id")
        score = null : decimal(5,2)
        """

        class Trial(dj.Part):
            definition = """
            -> master
            trial : int16
            ---
            reaction_time : float64
            """

    @schema
    class Recording(dj.Manual):
        definition = """
        -> Session
        ---
        trace = null : <blob>
        raw = null : bytes
        meta = null : json
        uid = null : uuid
        """

    Subject.insert(
        [
            (1, "ann", "mouse", 20.5, "2024-01-01"),
            (2, "bob", "rat", None, "2024-06-01"),
            (3, NASTY, "mouse", 31.0, "2025-01-01"),
        ]
    )
    Session.insert(
        [
            (1, 1, "2024-03-01", "ann", "1.25"),
            (1, 2, "2024-04-01", "bo", None),
            (2, 1, "2024-07-01", None, "3.50"),
            (3, 1, "2025-02-01", "ann", "2.00"),
        ]
    )
    Session.Trial.insert(
        [(1, 1, t, 0.25 * t) for t in range(1, 4)] + [(1, 2, t, 1.0) for t in range(1, 3)]
    )
    Recording.insert(
        [
            (1, 1, np.arange(4, dtype="float64"), b"abcde", {"gain": 2, "tags": ["a"]}, UID),
            (1, 2, None, None, None, None),
        ]
    )
    return SimpleNamespace(
        schema=schema, Person=Person, Subject=Subject, Session=Session, Recording=Recording
    )


@pytest.fixture
def lab(data_schema: str, pipeline: Pipeline) -> SimpleNamespace:
    """The ``lab`` pipeline (of the persona fixtures) owning one data schema with tables."""
    tables = declare_lab(data_schema)
    pipeline.schemas = [data_schema]
    pipeline.save()
    tables.pipeline = pipeline
    tables.name = data_schema
    return tables

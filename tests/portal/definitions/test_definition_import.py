# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, index, union-attr"
"""Importing an existing DataJoint schema on both data backends: definitions read back from the
live tables validate as unchanged, so a lab's years of data start a pipeline as they are."""

from __future__ import annotations

import pytest

import pipelines.core as dj
from accounts.models import User
from pipelines.models import AuditEvent, DefinitionRevision, Pipeline, TableDefinition
from pipelines.services.data import data_connection
from pipelines.services.definition_import import definition_import
from pipelines.services.definition_plan import definition_validate
from pipelines.services.errors import Conflict, Invalid, NotFound
from tests.portal.conftest import make_pipeline

pytestmark = pytest.mark.django_db


def declare_existing(first: str, second: str) -> None:
    """Tables a lab declared with DataJoint code, with data in them."""
    schema = dj.Schema(first, connection=data_connection())

    @schema
    class Rig(dj.Lookup):
        definition = """
        # recording rigs
        rig : varchar(8)
        ---
        room = "basement" : varchar(16)  # where it stands
        """
        contents = [{"rig": "A"}]

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(32)
        -> [nullable] Rig
        index (name)
        """

    @schema
    class Pair(dj.Manual):
        definition = """
        -> Subject
        ---
        -> Subject.proj(buddy='subject_id')
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        notes = null : <blob>
        """

        class Trial(dj.Part):
            definition = """
            -> master
            trial : int16
            ---
            outcome : enum('hit', 'miss')
            """

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Session
        ---
        score : float64
        """

    other = dj.Schema(second, connection=data_connection())

    @other
    class Summary(dj.Manual):
        definition = """
        -> Session.Trial
        ---
        total : int32
        """

    Subject.insert1({"subject_id": 1, "name": "m", "rig": "A"})
    Pair.insert1({"subject_id": 1, "buddy": 1})
    Session.insert1({"subject_id": 1, "session": 1})


@pytest.fixture
def maintainer(personas: dict[str, User | None]) -> User:
    user = personas["maintainer"]
    assert user is not None
    return user


def test_an_imported_schema_validates_as_unchanged(
    pipeline: Pipeline, data_schema: str, second_schema: str, maintainer: User, data_backend: str
) -> None:
    declare_existing(data_schema, second_schema)
    imported = definition_import(actor=maintainer, pipeline=pipeline, schema=data_schema)
    definition_import(actor=maintainer, pipeline=pipeline, schema=second_schema)
    pipeline.refresh_from_db()
    assert pipeline.schemas == [data_schema, second_schema]
    names = [(d.class_name, d.tier) for d in imported]
    assert names[0] == ("Rig", "Lookup") and ("Session.Trial", "Part") in names
    assert ("Analysis", "Computed") in names and len(names) == 6
    trial = TableDefinition.objects.get(class_name="Session.Trial")
    assert trial.master.class_name == "Session" and trial.status == "applied"
    assert trial.applied_definition == trial.definition and "-> Session" in trial.definition
    summary = TableDefinition.objects.get(class_name="Summary")
    assert f"-> {data_schema}.Session.Trial" in summary.definition
    assert "-> [nullable] Rig" in TableDefinition.objects.get(class_name="Subject").definition
    pair = TableDefinition.objects.get(class_name="Pair").definition
    assert '-> Subject.proj(buddy="subject_id")' in pair
    # never placed: the builder lays them out (parents above children, parts in their master)
    assert {(d.position_x, d.position_y) for d in TableDefinition.objects.all()} == {(0.0, 0.0)}

    plan = definition_validate(pipeline=pipeline)
    assert plan.errors == [] and plan.drops == []
    assert {t.action for t in plan.tables} == {"unchanged"}, [
        (t.draft.class_name, t.alter) for t in plan.tables if t.action != "unchanged"
    ]
    revisions = DefinitionRevision.objects.filter(pipeline=pipeline)
    assert [r.number for r in revisions] == [2, 1] and revisions[0].ddl == ""
    assert len(revisions[0].snapshot) == 7
    events = AuditEvent.objects.filter(action="definitions.import")
    assert [e.target for e in events] == [second_schema, data_schema]
    assert events[1].payload["tables"] == [d.class_name for d in imported]


def test_import_refusals_change_nothing(
    pipeline: Pipeline, data_schema: str, second_schema: str, maintainer: User, data_backend: str
) -> None:
    declare_existing(data_schema, second_schema)
    make_pipeline("other", schemas=[second_schema])
    definition_import(actor=maintainer, pipeline=pipeline, schema=data_schema)
    before = (TableDefinition.objects.count(), AuditEvent.objects.count(), list(pipeline.schemas))
    with pytest.raises(Conflict, match="already defines"):
        definition_import(actor=maintainer, pipeline=pipeline, schema=data_schema)
    with pytest.raises(Conflict, match="belongs to pipeline 'other'"):
        definition_import(actor=maintainer, pipeline=pipeline, schema=second_schema)
    with pytest.raises(NotFound):
        definition_import(actor=maintainer, pipeline=pipeline, schema="no_such_schema_here")
    for bad in ["Bad-Name", "a; DROP TABLE b", "", "x" * 80]:
        with pytest.raises(Invalid):
            definition_import(actor=maintainer, pipeline=pipeline, schema=bad)
    pipeline.refresh_from_db()
    after = (TableDefinition.objects.count(), AuditEvent.objects.count(), list(pipeline.schemas))
    assert after == before

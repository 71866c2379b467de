# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, index, union-attr"
"""Drafting definitions (portal DB only) and restoring a revision (with the data database)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from pipelines.models import AuditEvent, DefinitionRevision, Pipeline, TableDefinition
from pipelines.services.definition_apply import definition_apply
from pipelines.services.definition_plan import definition_validate
from pipelines.services.definitions import (
    definition_create,
    definition_delete,
    definition_update,
    revision_restore,
)
from pipelines.services.errors import Conflict, Invalid, NotFound
from tests.portal.definitions.conftest import define

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(personas: dict[str, User | None]) -> User:
    user = personas["maintainer"]
    assert user is not None
    return user


@pytest.fixture
def drafting(pipeline: Pipeline) -> Pipeline:
    pipeline.schemas = ["lab_core"]
    pipeline.save()
    return pipeline


def snapshot() -> tuple[Any, ...]:
    rows = TableDefinition.objects.order_by("pk").values_list(
        "class_name", "tier", "definition", "status", "master_id", "position_x"
    )
    return list(rows), AuditEvent.objects.count()


def test_create_update_rename_and_delete_are_audited(drafting: Pipeline, actor: User) -> None:
    session = definition_create(
        actor=actor, pipeline=drafting, schema="lab_core", class_name="Session", tier="Manual",
        definition="session : int32\n", position_x=10, position_y=20,
    )  # fmt: skip
    trial = definition_create(
        actor=actor, pipeline=drafting, schema="lab_core", class_name="Trial", tier="Part",
        definition="-> master\ntrial : int16\n", master="Session",
    )  # fmt: skip
    assert trial.class_name == "Session.Trial" and trial.master == session
    assert (session.position_x, session.position_y, session.status) == (10.0, 20.0, "draft")

    session.applied_definition = session.definition
    session.status = "applied"
    session.save()
    moved = definition_update(
        actor=actor, pipeline=drafting, table_definition=session, position_x=5.5
    )
    assert moved.status == "applied" and moved.position_x == 5.5
    edited = definition_update(
        actor=actor, pipeline=drafting, table_definition=session, definition="session : int64\n"
    )
    assert edited.status == "draft"
    renamed = definition_update(
        actor=actor, pipeline=drafting, table_definition=session, class_name="Recording"
    )
    assert renamed.class_name == "Recording" and renamed.applied_definition == ""
    assert TableDefinition.objects.get(pk=trial.pk).class_name == "Recording.Trial"
    retiered = definition_update(
        actor=actor, pipeline=drafting, table_definition=renamed, tier="Lookup"
    )
    assert retiered.tier == "Lookup"

    definition_delete(actor=actor, pipeline=drafting, table_definition=retiered)
    assert not TableDefinition.objects.exists()  # its part went with it
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "target"))
    assert actions == [
        ("definition.create", "lab_core.Session"),
        ("definition.create", "lab_core.Session.Trial"),
        ("definition.update", "lab_core.Session"),
        ("definition.update", "lab_core.Session"),
        ("definition.update", "lab_core.Session"),
        ("definition.update", "lab_core.Recording"),
        ("definition.delete", "lab_core.Recording"),
    ]
    delete_event = AuditEvent.objects.get(action="definition.delete")
    assert delete_event.payload["parts"] == ["Recording.Trial"]


BAD_CREATES: list[tuple[dict[str, Any], type[Exception]]] = [
    ({"schema": "elsewhere"}, Invalid),
    ({"schema": "lab_core; DROP TABLE x"}, Invalid),
    ({"class_name": "session"}, Invalid),
    ({"class_name": "Ses_sion"}, Invalid),
    ({"class_name": "Session`; DROP TABLE x; --"}, Invalid),
    ({"class_name": 42}, Invalid),
    ({"tier": "Imaginary"}, Invalid),
    ({"tier": "Part"}, Invalid),  # a part without a master
    ({"tier": "Part", "master": "Nobody"}, Invalid),
    ({"master": "Existing"}, Invalid),  # only parts have masters
    ({"definition": ""}, Invalid),
    ({"definition": "   \n"}, Invalid),
    ({"definition": "x" * 20_001}, Invalid),
    ({"definition": "a : int\x00"}, Invalid),
    ({"definition": 12}, Invalid),
    ({"position_x": float("nan")}, Invalid),
    ({"position_x": True}, Invalid),
    ({"position_y": 1e12}, Invalid),
    ({"class_name": "Existing"}, Conflict),
    ({"class_name": "L" + "o" * 64}, Invalid),
    ({"class_name": "P" * 60, "tier": "Part", "master": "Existing"}, Invalid),  # 69 in all
]


@pytest.mark.parametrize(("change", "error"), BAD_CREATES)
def test_bad_creates_are_refused_and_write_nothing(
    drafting: Pipeline, actor: User, change: dict[str, Any], error: type[Exception]
) -> None:
    define(drafting, "lab_core", "Existing", "Manual", "e : int32\n")
    before = snapshot()
    fields: dict[str, Any] = {
        "schema": "lab_core", "class_name": "Session", "tier": "Manual",
        "definition": "session : int32\n", **change,
    }  # fmt: skip
    with pytest.raises(error):
        definition_create(actor=actor, pipeline=drafting, **fields)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"tier": "Part"}, Invalid),
        ({"class_name": "Other"}, Conflict),
        ({"class_name": "lower"}, Invalid),
        ({"status": "applied"}, Invalid),
        ({"schema": "lab_core"}, Invalid),
        ({"definition": ""}, Invalid),
    ],
)
def test_bad_updates_are_refused_and_write_nothing(
    drafting: Pipeline, actor: User, change: dict[str, Any], error: type[Exception]
) -> None:
    row = define(drafting, "lab_core", "Session", "Manual", "session : int32\n")
    define(drafting, "lab_core", "Other", "Manual", "other : int32\n")
    before = snapshot()
    with pytest.raises(error):
        definition_update(actor=actor, pipeline=drafting, table_definition=row, **change)
    assert snapshot() == before


def test_a_restored_revision_becomes_the_drafts_and_plans_the_way_back(
    pipeline: Pipeline, data_schema: str, actor: User, data_backend: str
) -> None:
    pipeline.schemas = [data_schema]
    pipeline.save()
    define(
        pipeline, data_schema, "Subject", "Manual", "subject_id : int32\n---\nname : varchar(9)\n"
    )
    define(pipeline, data_schema, "Trial", "Manual", "-> Subject\ntrial : int16\n")
    definition_apply(actor=actor, pipeline=pipeline, message="one")
    TableDefinition.objects.filter(class_name="Trial").delete()
    TableDefinition.objects.filter(class_name="Subject").update(
        definition="subject_id : int32\n---\nname : varchar(9)\nage = 0 : int16\n", status="draft"
    )
    define(pipeline, data_schema, "Extra", "Lookup", "extra : int16\n")
    definition_apply(actor=actor, pipeline=pipeline, message="two", allow_data_loss=True)

    restored = revision_restore(actor=actor, pipeline=pipeline, number=1)
    assert sorted(r.class_name for r in restored) == ["Subject", "Trial"]
    rows = {r.class_name: r for r in TableDefinition.objects.filter(pipeline=pipeline)}
    assert set(rows) == {"Subject", "Trial"}
    assert rows["Subject"].status == "draft" and "age" not in rows["Subject"].definition
    assert rows["Trial"].status == "draft" and rows["Trial"].applied_definition == ""
    assert DefinitionRevision.objects.count() == 2  # a restore applies nothing
    event = AuditEvent.objects.filter(action="revision.restore").get()
    assert event.payload["removed"] == [f"{data_schema}.Extra"] and event.target == "r1"

    plan = definition_validate(pipeline=pipeline)
    assert {t.draft.class_name: t.action for t in plan.tables} == {
        "Subject": "alter", "Trial": "create"
    }  # fmt: skip
    assert [d.class_name for d in plan.drops] == ["Extra"]

    with pytest.raises(NotFound):
        revision_restore(actor=actor, pipeline=pipeline, number=99)
    pipeline.schemas = []
    pipeline.save()
    with pytest.raises(Invalid, match="no longer schemas"):
        revision_restore(actor=actor, pipeline=pipeline, number=1)

# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, index, union-attr"
"""Apply on both data backends: all or nothing, a revision per apply, every change audited."""

from __future__ import annotations

from typing import Any

import pytest

import pipelines.core as dj
from accounts.models import User
from pipelines.models import AuditEvent, DefinitionRevision, Pipeline, TableDefinition
from pipelines.services import definition_apply as apply_module
from pipelines.services.data import data_connection
from pipelines.services.definition_apply import definition_apply
from pipelines.services.definition_plan import definition_validate
from pipelines.services.errors import Conflict, Invalid
from tests.portal.definitions.conftest import define, define_lab, live_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(personas: dict[str, User | None]) -> User:
    user = personas["maintainer"]
    assert user is not None
    return user


def state(lab: Pipeline) -> tuple[Any, ...]:
    statuses = sorted(TableDefinition.objects.filter(pipeline=lab).values_list("status", flat=True))
    return (
        statuses,
        DefinitionRevision.objects.filter(pipeline=lab).count(),
        list(AuditEvent.objects.values_list("action", flat=True)),
    )


def test_apply_creates_everything_records_a_revision_and_audits_the_ddl(
    lab: Pipeline, data_schema: str, second_schema: str, owner: User, data_backend: str
) -> None:
    define_lab(lab, data_schema, second_schema)
    revision = definition_apply(actor=owner, pipeline=lab, message="first design")
    assert live_tables(data_schema) == [
        "#rig", "__analysis", "session", "session__trial", "subject"
    ]  # fmt: skip
    assert live_tables(second_schema) == ["__summary"]
    assert (revision.number, revision.message, revision.author) == (1, "first design", owner)
    assert revision.ddl.count("CREATE TABLE") == 6 and revision.ddl.endswith(";\n")
    assert {e["class_name"] for e in revision.snapshot} == {
        "Rig", "Subject", "Session", "Session.Trial", "Analysis", "Summary"
    }  # fmt: skip
    trial = next(e for e in revision.snapshot if e["class_name"] == "Session.Trial")
    assert trial["master"] == "Session" and trial["position"] == [0.0, 0.0]
    rows = TableDefinition.objects.filter(pipeline=lab)
    assert {r.status for r in rows} == {"applied"}
    assert all(r.applied_definition == r.definition for r in rows)
    event = AuditEvent.objects.get(action="definitions.apply")
    assert event.actor == owner and event.target == "r1" and event.pipeline == lab
    assert len(event.payload["ddl"]) >= 6 and len(event.payload["created"]) == 6
    # the tables work, and the definitions now validate as unchanged
    session = dj.FreeTable(data_connection(), f"`{data_schema}`.`session`")
    assert session.heading.primary_key == ["subject_id", "session"]
    plan = definition_validate(pipeline=lab)
    assert {t.action for t in plan.tables} == {"unchanged"} and plan.drops == []
    with pytest.raises(Conflict, match="Nothing to apply"):
        definition_apply(actor=owner, pipeline=lab)


def test_apply_alters_then_needs_consent_to_lose_data_then_drops(
    lab: Pipeline, data_schema: str, second_schema: str, owner: User, data_backend: str
) -> None:
    define(lab, data_schema, "Subject", "Manual", "subject_id : int32\n---\nname : varchar(32)\n")
    define(lab, data_schema, "Note", "Manual", "-> Subject\n---\ntext : varchar(99)\n")
    definition_apply(actor=owner, pipeline=lab)
    dj.FreeTable(data_connection(), f"`{data_schema}`.`subject`").insert1(
        {"subject_id": 1, "name": "m"}
    )
    dj.FreeTable(data_connection(), f"`{data_schema}`.`note`").insert1(
        {"subject_id": 1, "text": "hi"}
    )

    TableDefinition.objects.filter(class_name="Subject").update(
        definition="subject_id : int32\n---\nname : varchar(32)\nsex = 'U' : enum('F', 'M', 'U')\n",
        status="draft",
    )
    revision = definition_apply(actor=owner, pipeline=lab, message="add sex")
    assert revision.number == 2 and "sex" in revision.ddl
    subject = dj.FreeTable(data_connection(), f"`{data_schema}`.`subject`")
    assert subject.to_dicts() == [{"subject_id": 1, "name": "m", "sex": "U"}]

    TableDefinition.objects.filter(class_name="Note").delete()
    before = state(lab)
    with pytest.raises(Conflict, match="discard stored data") as refused:
        definition_apply(actor=owner, pipeline=lab)
    assert refused.value.details["data_loss"] == [
        f"{data_schema}.Note is dropped with its 1 row(s)."
    ]
    assert live_tables(data_schema) == ["note", "subject"] and state(lab) == before
    revision = definition_apply(actor=owner, pipeline=lab, allow_data_loss=True)
    assert live_tables(data_schema) == ["subject"] and "DROP TABLE" in revision.ddl
    event = AuditEvent.objects.filter(action="definitions.apply").first()
    assert event.payload["dropped"] == [f"{data_schema}.Note"]


def test_apply_refuses_definitions_with_errors_and_changes_nothing(
    lab: Pipeline, data_schema: str, second_schema: str, owner: User, data_backend: str
) -> None:
    define_lab(lab, data_schema, second_schema)
    TableDefinition.objects.filter(class_name="Analysis").update(
        definition="-> Session\n---\nx : nope\n"
    )
    before = state(lab)
    with pytest.raises(Invalid) as refused:
        definition_apply(actor=owner, pipeline=lab)
    assert refused.value.details["errors"][0]["class_name"] == "Analysis"
    assert refused.value.details["errors"][0]["line"] == 3
    assert live_tables(data_schema) == [] and live_tables(second_schema) == []
    assert state(lab) == before


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, name: str, number: int) -> list[str]:
    """Make the ``number``-th call of the apply module's ``name`` raise, as the server would."""
    real = getattr(apply_module, name)
    calls: list[str] = []

    def faulty(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        if len(calls) == number:
            raise dj.DataJointError("injected fault: the server refused the statement")
        return real(*args, **kwargs)

    monkeypatch.setattr(apply_module, name, faulty)
    return calls


def test_a_create_failing_mid_apply_leaves_nothing_behind(
    lab: Pipeline, data_schema: str, second_schema: str, owner: User, data_backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    define_lab(lab, data_schema, second_schema)
    statuses, revisions, _ = state(lab)
    _fail_on_call(monkeypatch, "create_resolved", 3)
    with pytest.raises(Conflict, match="Apply failed") as failed:
        definition_apply(actor=owner, pipeline=lab, message="doomed")
    # two tables had been created: both were dropped again, and the schemas with them
    assert len(failed.value.details["undone"]) >= 2
    assert live_tables(data_schema) == [] and live_tables(second_schema) == []
    connection = data_connection()
    assert not connection.catalog.schema_exists(data_schema)
    assert not connection.catalog.schema_exists(second_schema)
    assert state(lab) == (statuses, revisions, ["definitions.apply_failed"])
    event = AuditEvent.objects.get()
    assert "injected fault" in event.payload["error"] and len(event.payload["created"]) == 2
    assert set(TableDefinition.objects.values_list("status", flat=True)) == {"draft"}


def test_a_failing_alter_undoes_the_creates(
    lab: Pipeline, data_schema: str, second_schema: str, owner: User, data_backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    define(lab, data_schema, "Subject", "Manual", "subject_id : int32\n")
    definition_apply(actor=owner, pipeline=lab)
    TableDefinition.objects.filter(class_name="Subject").update(
        definition="subject_id : int32\n---\nname = '' : varchar(9)\n", status="draft"
    )
    define(lab, data_schema, "Session", "Manual", "-> Subject\nsession : int16\n")
    define(lab, second_schema, "Other", "Manual", "other : int16\n")
    before = state(lab)
    _fail_on_call(monkeypatch, "alter_to", 1)
    with pytest.raises(Conflict, match=r"Apply failed at .*Subject"):
        definition_apply(actor=owner, pipeline=lab)
    assert live_tables(data_schema) == ["subject"] and live_tables(second_schema) == []
    subject = dj.FreeTable(data_connection(), f"`{data_schema}`.`subject`")
    assert subject.heading.names == ["subject_id"]
    assert not data_connection().catalog.schema_exists(second_schema)
    assert state(lab) == (before[0], before[1], ["definitions.apply_failed", *before[2]])


@pytest.mark.parametrize("data_backend", ["mysql"], indirect=True)
def test_a_definition_that_passes_validation_but_fails_at_create(
    lab: Pipeline, data_schema: str, second_schema: str, owner: User, data_backend: str
) -> None:
    """A real refusal by the server, no injection: MariaDB limits a key to 3072 bytes, which
    the engine does not check. (SQLite has no such limit; the injected faults above cover it.)"""
    define(lab, data_schema, "Subject", "Manual", "subject_id : int32\n")
    define(lab, data_schema, "Session", "Manual", "-> Subject\nsession : int16\n")
    define(lab, data_schema, "Wide", "Manual", "-> Session\nlabel : varchar(4000)\n")
    define(lab, second_schema, "After", "Manual", f"-> {data_schema}.Wide\n")
    assert definition_validate(pipeline=lab).ok
    before = state(lab)
    with pytest.raises(Conflict, match="Wide") as failed:
        definition_apply(actor=owner, pipeline=lab)
    assert "key was too long" in failed.value.details["error"]
    assert live_tables(data_schema) == [] and live_tables(second_schema) == []
    assert state(lab) == (before[0], before[1], ["definitions.apply_failed"])


def test_a_failing_drop_undoes_the_creates_and_reports_the_alter_that_remains(
    lab: Pipeline, data_schema: str, second_schema: str, owner: User, data_backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    define(lab, data_schema, "Subject", "Manual", "subject_id : int32\n")
    define(lab, data_schema, "Note", "Manual", "-> Subject\n---\ntext : varchar(99)\n")
    definition_apply(actor=owner, pipeline=lab)
    TableDefinition.objects.filter(class_name="Note").delete()
    TableDefinition.objects.filter(class_name="Subject").update(
        definition="subject_id : int32\n---\nname = '' : varchar(9)\n", status="draft"
    )
    define(lab, second_schema, "Fresh", "Manual", "fresh : int16\n")
    real = dj.FreeTable.drop_quick

    def refuse_note(table: dj.FreeTable) -> None:
        if table.table_name == "note":
            raise dj.DataJointError("injected fault: cannot drop")
        real(table)

    monkeypatch.setattr(dj.FreeTable, "drop_quick", refuse_note)
    with pytest.raises(Conflict, match="remain") as failed:
        definition_apply(actor=owner, pipeline=lab, allow_data_loss=True)
    assert failed.value.details["altered"] == [f"{data_schema}.Subject"]
    assert live_tables(second_schema) == [] and live_tables(data_schema) == ["note", "subject"]
    subject = dj.FreeTable(data_connection(), f"`{data_schema}`.`subject`")
    assert subject.heading.names == ["subject_id", "name"]  # the alter is not undone
    event = AuditEvent.objects.filter(action="definitions.apply_failed").get()
    assert event.payload["altered"] == [f"{data_schema}.Subject"]
    assert DefinitionRevision.objects.count() == 1

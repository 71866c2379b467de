# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, index, union-attr"
"""Validation of a pipeline's definitions on both data backends: errors with their lines, the
DDL of each table, and the plan against the live database. Nothing is ever changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipelines.core as dj
from pipelines.models import Pipeline, TableDefinition
from pipelines.services.data import data_connection
from pipelines.services.definition_plan import definition_validate
from tests.portal.definitions.conftest import define, define_lab, live_tables

pytestmark = pytest.mark.django_db


def errors_of(plan: object) -> list[tuple[str, int | None, str]]:
    return [(e.class_name, e.line, e.message) for e in plan.errors]


def test_a_new_pipeline_plans_creates_parents_first_across_schemas_and_changes_nothing(
    lab: Pipeline, data_schema: str, second_schema: str, data_backend: str
) -> None:
    define_lab(lab, data_schema, second_schema)
    plan = definition_validate(pipeline=lab)
    assert plan.ok and plan.errors == [] and plan.drops == []
    order = [t.draft.class_name for t in plan.tables]
    for parent, child in [
        ("Subject", "Session"), ("Rig", "Session"), ("Session", "Session.Trial"),
        ("Session", "Analysis"), ("Session", "Summary"),
    ]:  # fmt: skip
        assert order.index(parent) < order.index(child)
    assert {t.action for t in plan.tables} == {"create"}
    summary = next(t for t in plan.tables if t.draft.class_name == "Summary")
    ddl = "\n".join(summary.ddl)
    quote = "`" if data_backend == "mysql" else '"'
    assert "CREATE TABLE" in ddl and "__summary" in ddl and "FOREIGN KEY" in ddl
    assert f"{quote}{data_schema}{'`.`' if data_backend == 'mysql' else '.'}session{quote}" in ddl
    assert ("ENGINE=InnoDB" in ddl) == (data_backend == "mysql")
    trial = next(t for t in plan.tables if t.draft.class_name == "Session.Trial")
    assert trial.draft.table_name == "session__trial"
    body = plan.as_dict()
    assert body["backend"] == data_backend
    assert [i["action"] for i in body["plan"]] == ["create"] * 6
    assert live_tables(data_schema) == [] and live_tables(second_schema) == []


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("subject_id : int32\n---\nname : varchr(3)\n", 3, "Unsupported attribute type"),
        ("subject_id : int32\nsubject_id : int16\n", 2, "Duplicate attribute"),
        ("\n\nBad Line\n", 3, "Declaration error"),
        ("subject_id : int32\n---\n-> Nowhere\n", 3, "names no table defined"),
        ("subject_id : int32\n---\n-> other_schema.Nope\n", None, "could not be resolved"),
    ],
)
def test_errors_name_the_table_and_the_line(
    lab: Pipeline, data_schema: str, data_backend: str, text: str, line: int | None, fragment: str
) -> None:
    define(lab, data_schema, "Subject", "Manual", text)
    define(lab, data_schema, "Session", "Manual", "-> Subject\nsession : int16\n")
    plan = definition_validate(pipeline=lab)
    assert not plan.ok
    found = errors_of(plan)
    assert found[0][0] == "Subject" and fragment in found[0][2]
    if line is not None:
        assert found[0][1] == line
    # the child cannot be planned without its parent, and says why
    assert found[1][:2] == ("Session", None) and "Subject" in found[1][2]
    assert live_tables(data_schema) == []


def test_circular_references_are_errors(lab: Pipeline, data_schema: str, data_backend: str) -> None:
    define(lab, data_schema, "Alpha", "Manual", "a : int32\n---\n-> Beta\n")
    define(lab, data_schema, "Beta", "Manual", "b : int32\n---\n-> Alpha\n")
    messages = [m for _, _, m in errors_of(definition_validate(pipeline=lab))]
    assert any("circle" in m and "Alpha" in m and "Beta" in m for m in messages)


@pytest.mark.parametrize(
    ("line_text", "fragment"),
    [
        ("-> __import__('os').system('touch {marker}')", "A reference names a table"),
        ("-> Subject.proj(x=open('{marker}', 'w'))", "A reference names a table"),
        ("-> Subject.__class__", "A reference names a table"),
        ("index ((select 1))", "Index items must be attribute names"),
        ("note = 'a\\' : varchar(10)", "backslash"),
        ("note = 'it's' : varchar(10)", "its own quote"),
    ],
)
def test_code_and_sql_in_a_definition_are_refused_before_the_engine_sees_them(
    lab: Pipeline, data_schema: str, data_backend: str, tmp_path: Path, line_text: str,
    fragment: str,
) -> None:  # fmt: skip
    marker = tmp_path / "evaluated"
    define(lab, data_schema, "Subject", "Manual", "subject_id : int32\n---\nnote : varchar(9)\n")
    text = "k : int32\n---\nnote2 : varchar(9)\n" + line_text.format(marker=marker) + "\n"
    define(lab, data_schema, "Probe", "Manual", text)
    found = errors_of(definition_validate(pipeline=lab))
    assert [(name, line) for name, line, _ in found] == [("Probe", 4)]
    assert fragment in found[0][2]
    assert not marker.exists()


def test_live_tables_plan_alters_unchanged_tables_and_drops(
    lab: Pipeline, data_schema: str, second_schema: str, data_backend: str
) -> None:
    schema = dj.Schema(data_schema, connection=data_connection())

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(32)
        """

    @schema
    class Old(dj.Manual):
        definition = """
        -> Subject
        ---
        weight : float64
        """

    Subject.insert1({"subject_id": 1, "name": "mouse"})
    Old.insert1({"subject_id": 1, "weight": 2.5})
    define(lab, data_schema, "Subject", "Manual", Subject.describe())
    plan = definition_validate(pipeline=lab)
    assert plan.ok and [t.action for t in plan.tables] == ["unchanged"]
    assert [(d.class_name, d.rows, d.blocked_by) for d in plan.drops] == [("Old", 1, ())]
    assert plan.losses == [f"{data_schema}.Old is dropped with its 1 row(s)."]
    drop = plan.as_dict()["plan"][0]
    assert drop["action"] == "drop" and "DROP TABLE" in drop["statements"][0]

    # an edited definition plans the engine's ALTER; a table still referenced cannot be dropped
    TableDefinition.objects.filter(class_name="Subject").update(
        definition="subject_id : int32\n---\nname : varchar(32)\nsex = 'U' : enum('F', 'M', 'U')\n"
    )
    define(lab, data_schema, "Old", "Manual", "-> Subject\n---\nweight : float64\n")
    TableDefinition.objects.filter(class_name="Subject").delete()  # Old still references it
    define(lab, data_schema, "Other", "Manual", "x : int32\n")
    plan = definition_validate(pipeline=lab)
    errors = errors_of(plan)
    assert errors and errors[0][0] == "Old" and "Subject" in errors[0][2]

    TableDefinition.objects.all().delete()
    define(lab, data_schema, "Subject", "Manual",
           "subject_id : int32\n---\nname : varchar(32)\nsex = 'U' : enum('F', 'M', 'U')\n")  # fmt: skip
    define(lab, data_schema, "Old", "Manual", "-> Subject\n---\n")
    plan = definition_validate(pipeline=lab)
    by_name = {t.draft.class_name: t for t in plan.tables}
    alter = by_name["Subject"].alter
    assert by_name["Subject"].action == "alter" and alter is not None
    assert "sex" in "\n".join(alter.statements) and not alter.lossy
    assert alter.changes == ("add attribute `sex='U' : enum('F', 'M', 'U')` (after `name`)",)
    lossy = by_name["Old"].alter
    assert by_name["Old"].action == "alter" and lossy.lossy and lossy.reasons
    assert any("weight" in loss for loss in plan.losses)
    assert live_tables(data_schema) == ["old", "subject"]
    assert dj.FreeTable(data_connection(), f"`{data_schema}`.`old`").to_dicts() == [
        {"subject_id": 1, "weight": 2.5}
    ]


def test_a_drop_blocked_by_a_defined_child_is_refused(
    lab: Pipeline, data_schema: str, second_schema: str, data_backend: str
) -> None:
    schema = dj.Schema(data_schema, connection=data_connection())

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    other = dj.Schema(second_schema, connection=data_connection())

    @other
    class Weighing(dj.Manual):
        definition = """
        -> Subject
        ---
        grams : float32
        """

    define(
        lab,
        second_schema,
        "Weighing",
        "Manual",
        f"-> {data_schema}.Subject\n---\ngrams : float32\n",
    )
    plan = definition_validate(pipeline=lab)
    # Subject is no longer defined, so Weighing cannot resolve it; and it blocks the drop
    assert plan.drops[0].blocked_by == (f"`{second_schema}`.`weighing`",)
    assert not plan.ok


def test_a_tier_change_is_a_new_table_and_a_drop(
    lab: Pipeline, data_schema: str, data_backend: str
) -> None:
    schema = dj.Schema(data_schema, connection=data_connection())

    @schema
    class Rig(dj.Manual):
        definition = """
        rig : varchar(8)
        """

    define(lab, data_schema, "Rig", "Lookup", "rig : varchar(8)\n")
    plan = definition_validate(pipeline=lab)
    assert [(t.draft.table_name, t.action) for t in plan.tables] == [("#rig", "create")]
    assert [d.table_name for d in plan.drops] == ["rig"]

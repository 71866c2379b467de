# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, index, union-attr"
""" "Show the code" of the builder (the pipeline's definitions as a Python module, run here as a
user would run it, on both backends; the role matrix of its endpoint), and the row counts the
plan gives for an alter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

import pipelines.core as dj
import pipelines.core.db.default as default_connection
from pipelines.models import Pipeline
from pipelines.services.data import data_connection
from pipelines.services.definition_code import definition_code
from pipelines.services.definition_plan import definition_validate
from tests.portal.conftest import PERSONAS
from tests.portal.definitions.conftest import define, live_tables

pytestmark = pytest.mark.django_db
RANKS = ["viewer", "entry", "operator", "maintainer", "owner"]


def define_small_lab(pipeline: Pipeline, first: str, second: str) -> None:
    define(pipeline, first, "Species", "Lookup", "# kinds of animal\nspecies : varchar(32)\n")
    define(pipeline, first, "Subject", "Manual", "subject_id : int32\n---\n-> Species\n")
    define(
        pipeline, first, "Session", "Manual",
        "-> Subject.proj(animal='subject_id')\nsession : int16\n---\nnote = \"\" : varchar(64)\n",
    )  # fmt: skip
    define(
        pipeline, first, "Session.Trial", "Part", "-> master\ntrial : int16\n---\nstart : float64\n",
        master="Session",
    )  # fmt: skip
    define(pipeline, first, "Stats", "Computed", "-> Session\n---\nmean : float64\n")
    define(pipeline, second, "Summary", "Computed", f"-> {first}.Stats\n---\ntotal : int32\n")


def test_the_module_declares_every_table_when_run(
    lab: Pipeline, data_schema: str, second_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    define_small_lab(lab, data_schema, second_schema)
    code = definition_code(pipeline=lab)
    assert f'schema_{data_schema} = dj.Schema("{data_schema}")'.replace('"', "'") in code
    assert "    class Trial(dj.Part):" in code
    assert code.count("def make(self, key: dict[str, Any]) -> None:") == 2
    assert '"mean": ...,  # float64' in code
    assert f"{data_schema}.Stats = Stats" in code

    monkeypatch.setattr(default_connection, "_shared", [data_connection()])
    namespace: dict[str, Any] = {}
    exec(compile(code, "pipeline.py", "exec"), namespace)
    assert live_tables(data_schema) == [
        "#species", "__stats", "session", "session__trial", "subject",
    ]  # fmt: skip
    assert live_tables(second_schema) == ["__summary"]
    session = namespace["Session"]
    assert session.heading.primary_key == ["animal", "session"]
    assert callable(namespace["Stats"].make)


def test_one_schema_is_named_schema_and_errors_are_noted(pipeline: Pipeline) -> None:
    pipeline.schemas = ["lab_core"]
    pipeline.save()
    define(pipeline, "lab_core", "Subject", "Manual", 'id : int32\n---\nnote : int24  # """\n')
    code = definition_code(pipeline=pipeline)
    assert "schema = dj.Schema('lab_core')" in code
    assert "# Not valid yet: Unsupported attribute type int24" in code
    assert 'definition = \'id : int32\\n---\\nnote : int24  # """\\n\'' in code
    compile(code, "pipeline.py", "exec")  # still Python, whatever the text holds

    pipeline.schemas = ["empty"]
    pipeline.save()
    pipeline.tables.all().delete()
    assert "# No tables are defined yet." in definition_code(pipeline=pipeline)


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix_of_the_code(
    pipeline: Pipeline, client_for: Callable[[str], APIClient], persona: str
) -> None:
    pipeline.schemas = ["lab_core"]
    pipeline.save()
    define(pipeline, "lab_core", "Subject", "Manual", "id : int32\n")
    response = client_for(persona).get("/api/pipelines/lab/definitions/code/")
    expected = {"anonymous": 401, "outsider": 404}.get(persona, 200)
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["filename"] == "lab_pipeline.py"
        assert "class Subject(dj.Manual):" in response.json()["code"]
    else:
        assert "error" in response.json()


def test_an_alter_in_the_plan_counts_the_rows_it_changes(
    lab: Pipeline, data_schema: str, second_schema: str, client_for: Callable[[str], APIClient]
) -> None:
    schema = dj.Schema(data_schema, connection=data_connection())

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(32)
        """

    Subject.insert([{"subject_id": i, "name": f"m{i}"} for i in range(3)])
    define(lab, data_schema, "Subject", "Manual", "subject_id : int32\n---\nname : varchar(32)\nage = 0 : int16\n")  # fmt: skip
    items = definition_validate(pipeline=lab).as_dict()["plan"]
    assert [(i["action"], i["rows"]) for i in items] == [("alter", 3)]
    response = client_for("maintainer").post(f"/api/pipelines/{lab.slug}/definitions/validate/")
    assert response.status_code == 200
    assert response.json()["plan"][0]["rows"] == 3

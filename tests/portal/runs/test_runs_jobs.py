# mypy: disable-error-code="attr-defined, call-arg, misc"
"""The job queues through the services, on both data backends: the dashboard status, failed
keys, ignoring a key, clearing errors, and the code view (registered, or the skeleton)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.models import AuditEvent, Pipeline
from pipelines.services.data import data_connection
from pipelines.services.errors import Conflict, Invalid, NotFound
from pipelines.services.runs import run_start
from pipelines.services.runs_jobs import (
    error_type,
    job_clear_errors,
    job_errors,
    job_ignore,
    table_code,
    table_status,
)
from pipelines.services.runs_worker import run_work
from tests.portal.runs.code_module import fill, made

pytestmark = pytest.mark.django_db


def _run(code: ModuleType, pipeline: Pipeline, owner: Any) -> None:
    run = run_start(actor=owner, pipeline=pipeline, schema=pipeline.schemas[0], table="Doubled")
    run_work(run_id=run.pk, background=False)


def test_status_counts_rows_remaining_and_errors_by_type(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: list[Any]
) -> None:
    fill(code, 6)
    code.FAIL.update({2, 5})
    _run(code, pipeline, personas["owner"])
    statuses = {s["table"]: s for s in table_status(pipeline=pipeline)}
    assert set(statuses) == {"Doubled", "Slowly"}  # the populated tables, not Source
    status = statuses["Doubled"]
    assert status["table"] == "Doubled" and status["tier"] == "Computed"
    assert (status["rows"], status["keys"], status["remaining"]) == (4, 6, 2)
    assert status["errors_by_type"] == {"ValueError": 2}
    assert status["jobs"]["error"] == 2
    assert status["registered"] is True and status["active_runs"] == []
    errors = job_errors(pipeline=pipeline, schema=pipeline.schemas[0], table="Doubled")
    assert sorted(e["key"]["n"] for e in errors) == [2, 5]
    assert errors[0]["error"] == "ValueError" and "cannot double" in errors[0]["message"]
    assert "Traceback" in errors[0]["traceback"] and "in make" in errors[0]["traceback"]
    assert errors[0]["traceback"].rstrip().endswith(errors[0]["message"].split(":", 1)[-1].strip())


def test_clearing_errors_of_one_type_lets_the_next_run_make_them(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: list[Any]
) -> None:
    fill(code, 4)
    code.FAIL.add(3)
    _run(code, pipeline, personas["owner"])
    schema = pipeline.schemas[0]
    actor = personas["operator"]
    assert job_clear_errors(
        actor=actor, pipeline=pipeline, schema=schema, table="Doubled", error="KeyError"
    ) == 0  # fmt: skip
    assert job_clear_errors(
        actor=actor, pipeline=pipeline, schema=schema, table="Doubled", error="ValueError"
    ) == 1  # fmt: skip
    audits = AuditEvent.objects.filter(action="jobs.clear_errors").order_by("id")
    assert [a.payload["keys"] for a in audits] == [[], [{"n": 3}]]
    code.FAIL.clear()
    _run(code, pipeline, personas["owner"])
    assert made(code) == [1, 2, 3, 4]


def test_an_ignored_key_is_not_made(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: list[Any]
) -> None:
    fill(code, 4)
    schema = pipeline.schemas[0]
    key = job_ignore(
        actor=personas["operator"], pipeline=pipeline, schema=schema, table="Doubled",
        key={"n": 2},
    )  # fmt: skip
    assert key == {"n": 2}
    _run(code, pipeline, personas["owner"])
    assert made(code) == [1, 3, 4]
    assert code.Doubled().jobs.progress()["ignore"] == 1
    audit = AuditEvent.objects.get(action="jobs.ignore")
    assert audit.payload == {"keys": [{"n": 2}]}


@pytest.mark.parametrize(
    ("key", "error", "message"),
    [
        ({"n": 99}, NotFound, "has no key"),
        ({"n": "2"}, Invalid, "not a value of type"),
        ({"n": 2, "extra": 1}, Invalid, "names exactly"),
        ({}, Invalid, "names exactly"),
        ([2], Invalid, "JSON object"),
        ({"n": None}, Invalid, "string, number or boolean"),
        ({"n": {"$gt": 1}}, Invalid, "string, number or boolean"),
        ({"n; DROP TABLE x": 1}, Invalid, "names exactly"),
        ({"n": "1 OR 1=1"}, Invalid, "not a value of type"),
    ],
)
def test_ignoring_a_bad_key_is_refused_and_changes_nothing(
    code: ModuleType,
    pipeline: Pipeline,
    personas: dict[str, Any],
    key: Any,
    error: type[Exception],
    message: str,
) -> None:
    fill(code, 3)
    with pytest.raises(error, match=message):
        job_ignore(
            actor=personas["operator"], pipeline=pipeline, schema=pipeline.schemas[0],
            table="Doubled", key=key,
        )  # fmt: skip
    assert code.Doubled().jobs.progress()["ignore"] == 0
    assert not AuditEvent.objects.exists()


def test_job_endpoints_refuse_tables_that_are_not_populated(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any]
) -> None:
    schema = pipeline.schemas[0]
    with pytest.raises(Invalid, match="Manual table"):
        job_errors(pipeline=pipeline, schema=schema, table="Source")
    with pytest.raises(NotFound):
        job_clear_errors(actor=personas["owner"], pipeline=pipeline, schema=schema, table="X")


def test_registered_code_is_named_with_its_version(code: ModuleType, pipeline: Pipeline) -> None:
    shown = table_code(pipeline=pipeline, schema=pipeline.schemas[0], table="Doubled")
    assert shown["registered"] is True and shown["skeleton"] is None
    assert shown["module"] == code.__name__
    assert shown["version"].startswith(code.__name__)


def test_the_skeleton_of_an_unregistered_table_is_a_module_that_runs_once_completed(
    code: ModuleType,
    pipeline: Pipeline,
    personas: dict[str, Any],
    queued: list[Any],
    tmp_path: Path,
    settings: Any,
) -> None:
    """A Computed table designed elsewhere (no code): the skeleton names its definition, its
    parts and every attribute to fill; with the blanks filled in and the module registered,
    the table populates."""
    schema = pipeline.schemas[0]
    designed = dj.Schema(schema, connection=data_connection())

    @designed
    class Tripled(dj.Computed):
        definition = """
        -> code.Source
        ---
        tripled : int64   # three times the value
        """

        class Note(dj.Part):
            definition = """
            -> master
            ---
            text : varchar(20)
            """

    fill(code, 3)
    with pytest.raises(Conflict, match="no registered make code"):
        run_start(actor=personas["owner"], pipeline=pipeline, schema=schema, table="Tripled")
    shown = table_code(pipeline=pipeline, schema=schema, table="Tripled")
    assert shown["registered"] is False
    skeleton = shown["skeleton"]
    assert "class Tripled(dj.Computed):" in skeleton and "-> upstream.Source" in skeleton
    assert "class Note(dj.Part):" in skeleton and "-> master" in skeleton
    assert '"tripled": ...,  # int64: three times the value' in skeleton
    completed = skeleton.replace(
        '"tripled": ...,', '"tripled": 3 * (upstream.Source & key).fetch1("value"),'
    ).replace("# self.Note.insert([...])", 'self.Note.insert1({**key, "text": "made"})')
    name = f"tripled_{code.__name__}"
    (tmp_path / f"{name}.py").write_text(completed)
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    settings.JOINERY = {
        **settings.JOINERY,
        "PIPELINE_MODULES": [*settings.JOINERY["PIPELINE_MODULES"], f"{name}@{schema}"],
    }
    run = run_start(actor=personas["owner"], pipeline=pipeline, schema=schema, table="Tripled")
    run_work(run_id=run.pk, background=False)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert sorted(r["tripled"] for r in Tripled().to_dicts()) == [30, 60, 90]
    assert len(Tripled.Note()) == 3


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("ValueError: odd", "ValueError"),
        ("KeyboardInterrupt", "KeyboardInterrupt"),
        ("numpy.linalg.LinAlgError: singular", "numpy.linalg.LinAlgError"),
        ("something: odd", "something"),
        ("not a type name: x", "Error"),
        ("", "Error"),
    ],
)
def test_error_type_is_read_from_the_job_message(message: str, kind: str) -> None:
    assert error_type(message) == kind

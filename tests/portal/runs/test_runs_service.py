# mypy: disable-error-code="attr-defined, call-arg, misc"
"""Populate runs through the services, on both data backends: start, work, cancel, retry.

The worker's share (``run_work``) is called here directly, flushing events from the test's
thread (``background=False``); the Celery and socket paths run in tests/realtime.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from accounts.models import User
from pipelines.models import AuditEvent, Pipeline, PopulateRun, RunEvent, WorkerHeartbeat
from pipelines.services.errors import Conflict, Invalid, NotFound
from pipelines.services.runs import POPULATE_TASK, run_cancel, run_retry, run_start
from pipelines.services.runs_worker import run_work
from tests.portal.runs.code_module import fill, made

pytestmark = pytest.mark.django_db

Queued = list[tuple[str, list[Any]]]


def kinds(run: PopulateRun) -> list[str]:
    return list(RunEvent.objects.filter(run=run).order_by("id").values_list("kind", flat=True))


def start(owner: User, pipeline: Pipeline, code: ModuleType, **options: Any) -> PopulateRun:
    schema = pipeline.schemas[0]
    return run_start(actor=owner, pipeline=pipeline, schema=schema, table="Doubled", **options)


def test_start_writes_a_queued_run_and_queues_one_task_per_worker_after_commit(
    code: ModuleType,
    pipeline: Pipeline,
    personas: dict[str, Any],
    queued: Queued,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = start(personas["operator"], pipeline, code, workers=3)
        assert queued == []  # nothing leaves before the run is committed
    assert queued == [(POPULATE_TASK, [run.pk])] * 3
    assert run.status == "queued" and run.workers_wanted == 3
    assert kinds(run) == ["queued"]
    audit = AuditEvent.objects.get(action="run.start")
    assert audit.payload["run"] == run.pk and audit.actor == personas["operator"]


def test_a_run_makes_every_key_and_reports_each(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued
) -> None:
    fill(code, 12)
    run = start(personas["owner"], pipeline, code)
    assert run_work(run_id=run.pk, background=False) == "done"
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert run.total == run.done == 12 == len(code.Doubled())
    assert run.skipped == 0
    assert len(code.Doubled.Half()) == 12
    assert run.code_version.startswith(code.__name__)
    assert run.started_at is not None and run.finished_at is not None
    events = list(RunEvent.objects.filter(run=run).order_by("id"))
    names = [e.kind for e in events]
    assert names[:3] == ["queued", "worker_started", "started"] or names[:3] == [
        "queued",
        "started",
        "worker_started",
    ]
    done = [e.key for e in events if e.kind == "key_done"]
    assert sorted(k["n"] for k in done) == list(range(1, 13))  # each key once
    assert names[-2:] == ["worker_finished", "finished"]
    assert events[-1].payload["status"] == "succeeded" and events[-1].payload["done"] == 12
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert WorkerHeartbeat.objects.get().run is None  # the worker left the run


def test_a_restriction_limits_the_keys(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued
) -> None:
    fill(code, 10)
    condition = {"attribute": "n", "operator": "<=", "value": 4}
    run = start(personas["owner"], pipeline, code, restriction=condition)
    run_work(run_id=run.pk, background=False)
    run.refresh_from_db()
    assert made(code) == [1, 2, 3, 4]
    assert run.status == "succeeded" and run.total == run.done == 4


def test_failed_keys_fail_the_run_and_a_retry_recomputes_only_them(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued
) -> None:
    fill(code, 8)
    code.FAIL.update({3, 6})
    run = start(personas["owner"], pipeline, code)
    run_work(run_id=run.pk, background=False)
    run.refresh_from_db()
    assert run.status == "failed" and run.failed == 2 and run.done == 6 and run.skipped == 0
    failures = RunEvent.objects.filter(run=run, kind="key_failed")
    assert sorted(e.key["n"] for e in failures) == [3, 6]
    assert {e.payload["error"] for e in failures} == {"ValueError"}
    code.FAIL.clear()
    code.CALLS.clear()
    retry = run_retry(actor=personas["operator"], run=run)
    assert retry.retry_of == run and len(retry.keys) == 2
    run_work(run_id=retry.pk, background=False)
    retry.refresh_from_db()
    assert sorted(code.CALLS) == [3, 6]  # only the failed keys were made again
    assert retry.status == "succeeded" and retry.total == retry.done == 2
    assert made(code) == list(range(1, 9))
    cleared = AuditEvent.objects.get(action="jobs.clear_errors")
    assert sorted(k["n"] for k in cleared.payload["keys"]) == [3, 6]


def test_retry_is_refused_while_running_or_without_failed_keys(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued
) -> None:
    fill(code, 3)
    run = start(personas["owner"], pipeline, code)
    with pytest.raises(Conflict, match="still queued"):
        run_retry(actor=personas["owner"], run=run)
    run_work(run_id=run.pk, background=False)
    run.refresh_from_db()
    with pytest.raises(Conflict, match="no failed keys"):
        run_retry(actor=personas["owner"], run=run)
    assert PopulateRun.objects.count() == 1


def test_cancelling_a_queued_run_ends_it_and_its_workers_do_nothing(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued
) -> None:
    fill(code, 5)
    run = start(personas["owner"], pipeline, code)
    cancelled = run_cancel(actor=personas["operator"], run=run)
    assert cancelled.status == "cancelled" and cancelled.cancel_requested
    assert run_work(run_id=run.pk, background=False) == "skipped"
    assert made(code) == []
    assert kinds(run) == ["queued", "cancel_requested", "finished"]
    with pytest.raises(Conflict, match="already cancelled"):
        run_cancel(actor=personas["operator"], run=run)
    assert AuditEvent.objects.filter(action="run.cancel").count() == 1


def test_cancel_stops_a_running_run_within_one_key(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued
) -> None:
    """The cancel arrives while key 3 is being made: key 3 is rolled back, no later key starts."""
    fill(code, 10)
    code.PAUSE["seconds"] = 0.3
    run = start(personas["owner"], pipeline, code)
    original = code.Doubled.make

    def make_and_cancel_at_three(self: Any, key: dict[str, Any]) -> None:
        if key["n"] == 3:
            run_cancel(actor=personas["operator"], run=run)
        original(self, key)

    code.Doubled.make = make_and_cancel_at_three
    assert run_work(run_id=run.pk, background=False) == "cancelled"
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert made(code) == [1, 2]
    assert code.CALLS == [1, 2, 3]
    jobs = code.Doubled().jobs.progress()
    assert jobs["reserved"] == 0 and jobs["error"] == 0  # back in the queue, not failed
    assert run.done == 2 and run.skipped == 8  # the keys the cancel left
    assert kinds(run)[-1] == "finished"
    finished = RunEvent.objects.get(run=run, kind="finished")
    assert finished.payload["skipped"] == 8


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"table": "Nope"}, NotFound, "No table 'Nope'"),
        ({"table": "Source"}, Invalid, "only Imported and Computed"),
        ({"table": "Doubled.Half"}, Invalid, "only Imported and Computed"),
        ({"schema": "other"}, NotFound, "not part of pipeline"),
        ({"workers": 0}, Invalid, "workers"),
        ({"workers": 65}, Invalid, "workers"),
        ({"workers": "2"}, Invalid, "workers"),
        ({"restriction": {"attribute": "nope", "value": 1}}, Invalid, "no attribute"),
        ({"restriction": {"attribute": "n; DROP TABLE x", "value": 1}}, Invalid, "no attribute"),
        ({"restriction": "n > 1 OR 1=1"}, Invalid, "JSON object"),
        ({"table": "Doubled`; DROP TABLE x; --"}, NotFound, "No table"),
    ],
)
def test_start_refuses_bad_requests_and_writes_nothing(
    code: ModuleType,
    pipeline: Pipeline,
    personas: dict[str, Any],
    queued: Queued,
    options: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    request = {"schema": pipeline.schemas[0], "table": "Doubled", **options}
    with pytest.raises(error, match=message):
        run_start(actor=personas["owner"], pipeline=pipeline, **request)
    assert PopulateRun.objects.count() == RunEvent.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_a_table_without_registered_code_cannot_be_populated(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued, settings: Any
) -> None:
    settings.JOINERY = {**settings.JOINERY, "PIPELINE_MODULES": []}
    with pytest.raises(Conflict, match="no registered make code") as refused:
        start(personas["owner"], pipeline, code)
    assert refused.value.details["reason"] == "no_registered_code"
    assert not PopulateRun.objects.exists()


def test_a_module_that_cannot_be_imported_is_named(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: Queued, settings: Any
) -> None:
    settings.JOINERY = {**settings.JOINERY, "PIPELINE_MODULES": ["lab.not_there@x"]}
    with pytest.raises(Invalid, match=r"'lab\.not_there', which cannot be imported"):
        start(personas["owner"], pipeline, code)

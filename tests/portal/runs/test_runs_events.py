"""The event log: batches written in order with the run's counts, the cancel flag read back,
the same through the ORM writer (portal databases other than SQLite and MySQL), coalescing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from pipelines.models import Pipeline, PopulateRun, RunEvent
from pipelines.services import runs_events
from pipelines.services.runs_events import NewEvent, event_head, events_after, events_record
from pipelines.services.runs_sink import coalesce

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(pipeline: Pipeline) -> PopulateRun:
    return PopulateRun.objects.create(pipeline=pipeline, schema="s", table="T")


@pytest.mark.parametrize("writer", ["_write_sql", "_write_orm"])
def test_a_batch_is_written_in_order_with_its_counts(
    run: PopulateRun, writer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if writer == "_write_orm":
        monkeypatch.setattr(runs_events, "_write_sql", runs_events._write_orm)
    batch = [
        NewEvent("key_done", {"n": 1, "when": "2026-01-01"}, {"duration": 0.5}),
        NewEvent("key_failed", {"n": 2}, {"error": "ValueError"}),
        NewEvent("worker_started", None, {"worker": "h:1"}),
    ]
    last, cancel = events_record(run=run, events=batch, done=1, failed=1)
    assert cancel is False
    events = events_after(pipeline_id=run.pipeline_id)
    assert [e.kind for e in events] == ["key_done", "key_failed", "worker_started"]
    assert events[0].key == {"n": 1, "when": "2026-01-01"} and events[0].payload == {
        "duration": 0.5
    }
    assert events[2].key is None
    assert last == events[-1].pk == event_head(pipeline_id=run.pipeline_id)
    run.refresh_from_db()
    assert (run.done, run.failed) == (1, 1)
    PopulateRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    again, cancel = events_record(run=run, events=[NewEvent("key_done", {"n": 3})], done=1)
    assert cancel is True and again > last
    assert events_record(run=run, events=[]) == (0, True)  # a look at the flag alone


def test_events_of_one_pipeline_only_and_after_an_id(run: PopulateRun) -> None:
    other = PopulateRun.objects.create(
        pipeline=Pipeline.objects.create(name="O", slug="o"), schema="s", table="T"
    )
    events_record(run=run, events=[NewEvent("a"), NewEvent("b")])
    events_record(run=other, events=[NewEvent("x")])
    first, _ = events_after(pipeline_id=run.pipeline_id)
    assert [e.kind for e in events_after(pipeline_id=run.pipeline_id, after=first.pk)] == ["b"]
    assert [e.kind for e in events_after(pipeline_id=other.pipeline_id)] == ["x"]
    assert events_after(pipeline_id=run.pipeline_id, run_id=other.pk) == []


def test_the_doorbell_rings_after_commit_with_the_last_id(
    run: PopulateRun, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    rung: list[tuple[int, int]] = []
    monkeypatch.setattr(runs_events, "ring", lambda pipeline, last: rung.append((pipeline, last)))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        last, _ = events_record(run=run, events=[NewEvent("a")])
        assert rung == []
    assert rung == [(run.pipeline_id, last)]


def test_coalescing_keeps_one_event_per_finished_key_and_the_last_progress() -> None:
    one, two = {"n": 1}, {"n": 2}
    batch = [
        NewEvent("key_started", one),
        NewEvent("key_progress", one, {"fraction": 0.5}),
        NewEvent("key_done", one),
        NewEvent("key_started", two),
        NewEvent("key_progress", two, {"fraction": 0.2}),
        NewEvent("key_progress", two, {"fraction": 0.7}),
        NewEvent("keys_reclaimed", None, {"count": 3}),
    ]
    kept = coalesce(batch)
    assert [(e.kind, e.key, e.payload) for e in kept] == [
        ("key_done", one, {}),
        ("key_started", two, {}),
        ("key_progress", two, {"fraction": 0.7}),
        ("keys_reclaimed", None, {"count": 3}),
    ]


def test_event_rows_reference_their_run_and_pipeline(run: PopulateRun) -> None:
    events_record(run=run, events=[NewEvent("a")])
    event = RunEvent.objects.get()
    assert event.run_id == run.pk and event.pipeline_id == run.pipeline_id


def test_a_batch_the_portal_database_refused_is_written_with_the_next(
    run: PopulateRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from pipelines.models import WorkerHeartbeat
    from pipelines.services import runs_sink

    worker = WorkerHeartbeat.objects.create(hostname="h", pid=1, run=run)
    sink = runs_sink.EventSink(run, worker, background=False)
    sink.batch_seconds = 3600.0  # flush only when asked
    sink.key_done({"n": 1}, 0.1)
    real = runs_sink.events_record
    calls = 0

    def refuse_once(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(runs_sink, "events_record", refuse_once)
    with pytest.raises(OperationalError):
        sink.flush()
    sink.key_done({"n": 2}, 0.1)
    sink.flush()

    kinds = [(e.kind, e.key) for e in events_after(pipeline_id=run.pipeline_id)]
    assert kinds == [("key_done", {"n": 1}), ("key_done", {"n": 2})]
    run.refresh_from_db()
    assert run.done == 2 and sink.done == 2

# mypy: disable-error-code="attr-defined, call-arg, misc"
"""Worker health on both data backends: a silent worker is flagged lost, its reserved keys are
reclaimed by the engine's heartbeat rule and made by the others, and the run says so."""

from __future__ import annotations

import os
import platform
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone

from pipelines.models import Pipeline, PopulateRun, RunEvent, WorkerHeartbeat
from pipelines.services.runs import run_start
from pipelines.services.runs_health import idle_beat, worker_list
from pipelines.services.runs_worker import run_work
from tests.portal.runs.code_module import fill, made

pytestmark = pytest.mark.django_db


def _dead_worker_holding(code: ModuleType, run: PopulateRun, keys: list[int]) -> WorkerHeartbeat:
    """A worker that reserved ``keys`` and then went silent (its process was killed)."""
    jobs = code.Doubled().jobs
    jobs.refresh()
    held = [{"n": n} for n in keys]
    assert jobs.reserve_many(held) == held
    connection = jobs.connection
    table = connection.dialect.table_ref(jobs.database, jobs.table_name)
    old = connection.dialect.now_sql(-120)
    in_list = ",".join(str(n) for n in keys)
    connection.query(
        f"UPDATE {table} SET host='deadhost', pid=4242, heartbeat_time={old}, "
        f"reserved_time={old} WHERE n IN ({in_list})"
    )
    silent = timezone.now() - timedelta(seconds=120)
    return WorkerHeartbeat.objects.create(
        hostname="deadhost", pid=4242, run=run, current_key={"n": keys[0]}, last_seen=silent
    )


def test_a_lost_worker_is_flagged_and_its_keys_are_reclaimed_and_made(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: list[Any]
) -> None:
    fill(code, 10)
    run = run_start(
        actor=personas["owner"], pipeline=pipeline, schema=pipeline.schemas[0], table="Doubled"
    )
    PopulateRun.objects.filter(pk=run.pk).update(status="running", total=10)
    dead = _dead_worker_holding(code, run, [4, 5, 6])
    assert run_work(run_id=run.pk, background=False) == "done"
    run.refresh_from_db()
    assert run.status == "succeeded" and run.done == 10
    assert made(code) == list(range(1, 11))
    assert sorted(code.CALLS) == list(range(1, 11))  # each key once
    lost = RunEvent.objects.get(run=run, kind="worker_lost")
    assert lost.payload["worker"] == "deadhost:4242" and lost.key == {"n": 4}
    reclaimed = RunEvent.objects.get(run=run, kind="keys_reclaimed")
    assert reclaimed.payload["lost_worker"] == "deadhost:4242"
    assert sorted(k["n"] for k in reclaimed.payload["keys"]) == [4, 5, 6]
    assert reclaimed.payload["count"] == 3
    dead.refresh_from_db()
    assert dead.lost_at is not None
    states = {(w["hostname"], w["state"]) for w in worker_list(pipeline=pipeline)}
    assert ("deadhost", "lost") in states


def test_the_last_live_worker_finishes_a_run_whose_other_worker_died_holding_nothing(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: list[Any]
) -> None:
    """The other worker is still attached and not yet stale: the survivor waits for it to go
    stale (at most the heartbeat timeout), flags it, and finishes the run."""
    fill(code, 3)
    run = run_start(
        actor=personas["owner"], pipeline=pipeline, schema=pipeline.schemas[0], table="Doubled"
    )
    recently = timezone.now() - timedelta(seconds=1)
    WorkerHeartbeat.objects.create(hostname="deadhost", pid=7, run=run, last_seen=recently)
    run_work(run_id=run.pk, background=False)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.done == 3
    assert RunEvent.objects.filter(run=run, kind="worker_lost").count() == 1


def test_a_worker_that_is_alive_finishes_the_run_itself(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: list[Any]
) -> None:
    """Another worker beating after this one started to wait is alive: this one leaves, the
    run stays running for the other to finish."""
    fill(code, 3)
    run = run_start(
        actor=personas["owner"], pipeline=pipeline, schema=pipeline.schemas[0], table="Doubled"
    )
    future = timezone.now() + timedelta(seconds=30)  # it keeps beating
    other = WorkerHeartbeat.objects.create(hostname="otherhost", pid=8, run=run, last_seen=future)
    run_work(run_id=run.pk, background=False)
    run.refresh_from_db()
    assert run.status == "running" and made(code) == [1, 2, 3]
    assert not RunEvent.objects.filter(run=run, kind="worker_lost").exists()
    other.delete()


def test_worker_list_shows_state_and_the_run_only_for_this_pipeline(
    code: ModuleType, pipeline: Pipeline, personas: dict[str, Any], queued: list[Any]
) -> None:
    run = run_start(
        actor=personas["owner"], pipeline=pipeline, schema=pipeline.schemas[0], table="Doubled"
    )
    other = Pipeline.objects.create(name="Other", slug="other")
    elsewhere = PopulateRun.objects.create(pipeline=other, schema="x", table="Y")
    now = timezone.now()
    WorkerHeartbeat.objects.create(hostname="a", pid=1, run=run, current_key={"n": 1})
    WorkerHeartbeat.objects.create(hostname="b", pid=2, run=elsewhere, current_key={"n": 9})
    WorkerHeartbeat.objects.create(hostname="c", pid=3, run=None)
    WorkerHeartbeat.objects.create(
        hostname="d", pid=4, run=run, last_seen=now - timedelta(seconds=60)
    )
    WorkerHeartbeat.objects.create(  # died between runs
        hostname="e", pid=5, run=None, last_seen=now - timedelta(seconds=60)
    )
    rows = {w["hostname"]: w for w in worker_list(pipeline=pipeline)}
    assert rows["a"]["state"] == "working" and rows["a"]["run"] == run.pk
    assert rows["a"]["current_key"] == {"n": 1}
    assert rows["b"]["state"] == "working" and rows["b"]["run"] is None
    assert rows["b"]["current_key"] is None  # another pipeline's key is not shown
    assert rows["c"]["state"] == "idle"
    assert rows["d"]["state"] == "stale"
    assert rows["e"]["state"] == "stale"


def test_an_idle_worker_beats_its_own_row_only(pipeline: Pipeline) -> None:
    run = PopulateRun.objects.create(pipeline=pipeline, schema="s", table="T")
    long_ago = timezone.now() - timedelta(seconds=600)
    host, pid = platform.node(), os.getpid()
    mine = WorkerHeartbeat.objects.create(hostname=host, pid=pid, run=None, last_seen=long_ago)
    other = WorkerHeartbeat.objects.create(hostname="x", pid=pid, run=None, last_seen=long_ago)

    assert idle_beat() == 1
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.last_seen > long_ago and other.last_seen == long_ago
    assert {w["hostname"]: w["state"] for w in worker_list(pipeline=pipeline)}[host] == "idle"
    WorkerHeartbeat.objects.filter(pk=mine.pk).update(run=run, last_seen=long_ago)
    assert idle_beat() == 0  # at work, its sink beats it


def test_a_populate_task_starts_the_idle_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines import tasks
    from pipelines.services import runs_health

    started: list[str] = []
    monkeypatch.setattr(runs_health, "_idle_beater", None)
    monkeypatch.setattr(runs_health, "_beat_while_idle", lambda: started.append("beat"))
    monkeypatch.setattr(tasks, "run_work", lambda run_id: "done")
    assert tasks.populate_run(7) == "done"
    runs_health._idle_beater.join(5)  # type: ignore[union-attr]
    assert started == ["beat"]

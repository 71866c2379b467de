# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Source.insert(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""Job-queue populate across independent worker processes: every key made exactly once (§5.8).

Workers are separate processes (fork), each with its own connection to the test's schema, as
separate ``populate(reserve_jobs=True)`` runs on a cluster would be.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from tests.pipelines.core.populate.exactly_once_fixture import build, populate_worker

CONTENDED_KEYS = 2000
WORKERS = 4
KEYS = 20
STALL_ID = 7
CONTEXT = multiprocessing.get_context("fork")


@pytest.fixture
def started() -> Iterator[list[Any]]:
    """Worker processes a test starts; any still alive at the end are killed."""
    processes: list[Any] = []
    yield processes
    for process in processes:
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=10)


def _start(started: list[Any], *args: Any) -> Any:
    process = CONTEXT.Process(target=populate_worker, args=args, daemon=True)
    process.start()
    started.append(process)
    return process


def _results(queue: Any, count: int) -> dict[int, Any]:
    return dict(queue.get(timeout=120) for _ in range(count))


def _made_ids(tables: SimpleNamespace) -> list[int]:
    return sorted(int(i) for i in tables.Made.to_arrays("source_id"))


@pytest.mark.parametrize("queued_by", ["workers", "up_front"])
def test_contending_workers_make_every_key_exactly_once(
    schema: dj.Schema, conn: dj.Connection, started: list[Any], queued_by: str
) -> None:
    """Four workers start at once on 2,000 keys. ``workers``: each declares the job table and
    queues the keys itself (``jobs.auto_refresh``), as separate runs on a cluster do, so the
    declarations and the queueing statements race too; ``up_front``: queued once, then only
    reservations contend."""
    tables = build(schema)
    tables.Source.insert({"source_id": i} for i in range(CONTENDED_KEYS))
    if queued_by == "up_front":
        tables.Made().jobs.refresh()
    results = CONTEXT.Queue()
    start = CONTEXT.Barrier(WORKERS)
    # the forked workers inherit the setting
    with conn.config.override(jobs__auto_refresh=queued_by == "workers"):
        for _ in range(WORKERS):
            _start(started, conn, schema.database, results, start)
        outcomes = _results(results, WORKERS)
    for process in started:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert all(isinstance(r, dict) for r in outcomes.values()), outcomes
    assert all(r["error_list"] == [] for r in outcomes.values()), outcomes
    assert sum(r["success_count"] for r in outcomes.values()) == CONTENDED_KEYS
    assert _made_ids(tables) == list(range(CONTENDED_KEYS))
    makers = {int(p) for p in tables.Made.to_arrays("pid")}
    assert makers <= set(outcomes)
    if conn.backend == "mysql":
        # SQLite serializes writers and its busy wait lets one worker win every lock now and
        # then, so only the server backend is held to sharing the work.
        assert len(makers) > 1
    progress = tables.Made().jobs.progress()
    assert progress["reserved"] == progress["pending"] == progress["error"] == 0


def test_a_killed_workers_job_is_reclaimed_and_made_once(
    schema: dj.Schema, conn: dj.Connection, started: list[Any], tmp_path: Path
) -> None:
    tables = build(schema)
    tables.Source.insert({"source_id": i} for i in range(KEYS))
    marker = tmp_path / "stalled"
    results = CONTEXT.Queue()
    victim = _start(started, conn, schema.database, results, None, marker, STALL_ID)
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert victim.is_alive() and time.monotonic() < deadline, "the worker never stalled"
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=10)
    assert victim.exitcode == -signal.SIGKILL
    stalled = {"source_id": STALL_ID}
    assert len(tables.Made & stalled) == 0  # its transaction died with the process
    jobs = tables.Made().jobs
    assert (jobs.table & stalled).fetch1("status") == "reserved"
    made_before = len(tables.Made())
    with conn.config.override(jobs__heartbeat_timeout=2):
        time.sleep(2.5)  # past the timeout since the victim's last heartbeat
        _start(started, conn, schema.database, results)
        (rescuer, outcome), *_ = _results(results, 1).items()
    assert outcome == {"success_count": KEYS - made_before, "error_list": []}
    assert _made_ids(tables) == list(range(KEYS))
    assert (tables.Made & stalled).fetch1("pid") == rescuer
    progress = jobs.progress()
    assert progress["reserved"] == progress["error"] == progress["pending"] == 0

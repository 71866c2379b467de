"""One worker's share of a populate run (what each Celery task of the run does).

Every worker runs the engine's ``populate(reserve_jobs=True)`` on the run's table with the
registered make code: the job queue in the data database hands each key to one worker, on any
machine. A worker goes on until no key of the run is pending or reserved: keys reserved by a
worker that died come back once its heartbeat is stale, and are made by the survivors. Then it
leaves the run; the last worker to leave finishes it (status, counts from the data, ``finished``).

Leaving is where a dead worker could strand a run: the last live worker may find another still
attached whose heartbeat is not stale yet. It waits, at most the heartbeat timeout, until that
one beats (it is alive and will finish the run itself) or goes stale (it is lost: this worker
flags it and finishes the run).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

import pipelines.core as dj
from pipelines.core.populate.progress import StopPopulate
from pipelines.models import PopulateRun, WorkerHeartbeat
from pipelines.services.data import data_connection
from pipelines.services.errors import ServiceError
from pipelines.services.runs import run_restrictions
from pipelines.services.runs_code import code_bind, code_lookup
from pipelines.services.runs_events import event_note, run_locked
from pipelines.services.runs_health import (
    heartbeat_interval,
    heartbeat_timeout,
    is_stale,
    jobs_reclaim,
    worker_attach,
    worker_name,
    workers_flag_lost,
    workers_of,
)
from pipelines.services.runs_sink import EventSink
from pipelines.services.tables import table_get

logger = logging.getLogger("pipelines.runs")

FINISHED = (
    PopulateRun.Status.SUCCEEDED,
    PopulateRun.Status.FAILED,
    PopulateRun.Status.CANCELLED,
)


class RunError(Exception):
    """The run cannot go on (no code, a bad restriction): its message is shown on the run."""


def run_work(*, run_id: int, background: bool = True) -> str:
    """Work on run ``run_id`` until its keys are made; returns this worker's outcome
    (``done``, ``cancelled``, ``error``, or ``skipped`` for a run that had already ended)."""
    run = PopulateRun.objects.select_related("pipeline").filter(pk=run_id).first()
    if run is None or run.status in FINISHED:
        return "skipped"
    worker = worker_attach(run=run)
    table: Any = None
    restrictions: tuple[Any, ...] = ()
    outcome, error = "done", ""
    with EventSink(run, worker, background=background) as sink:
        sink.note("worker_started")
        try:
            table, restrictions = _prepare(run)
            sink.check_cancel()
            _begin(run, table, restrictions)
            _work(run, worker, table, restrictions, sink)
        except StopPopulate:
            outcome = "cancelled"
        except Exception as failure:
            outcome, error = "error", _message(failure)
            logger.exception("Worker %s failed on run %s", worker_name(worker), run.pk)
        sink.note("worker_finished", outcome=outcome, done=sink.done, failed=sink.failed,
                  error=error)  # fmt: skip
    _leave(run, worker, table, restrictions, error)
    return outcome


def _message(error: BaseException) -> str:
    if isinstance(error, ServiceError | RunError):
        return str(error.args[0]) if error.args else type(error).__name__
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _prepare(run: PopulateRun) -> tuple[Any, tuple[Any, ...]]:
    """The run's table bound to its registered code, and the restrictions of its keys."""
    found = table_get(pipeline=run.pipeline, schema=run.schema, name=run.table)
    code = code_lookup(found.schema, found.table_name)
    if code is None:
        raise RunError(
            f"{run.schema}.{run.table} has no registered make code: list the module defining "
            "it in JOINERY_PIPELINE_MODULES."
        )
    connection = data_connection()
    table = code_bind(code, connection)
    config = table.connection.config
    config["jobs.heartbeat_interval"] = heartbeat_interval()
    config["jobs.heartbeat_timeout"] = heartbeat_timeout()
    if not run.code_version:
        PopulateRun.objects.filter(pk=run.pk, code_version="").update(code_version=code.version)
        run.code_version = code.version
    return table, run_restrictions(run=run, table=table)


def _begin(run: PopulateRun, table: Any, restrictions: tuple[Any, ...]) -> None:
    """The first worker to arrive marks the run running, with how many keys it covers."""
    remaining, _ = table.progress(*restrictions)
    now = timezone.now()
    started = PopulateRun.objects.filter(pk=run.pk, status=PopulateRun.Status.QUEUED).update(
        status=PopulateRun.Status.RUNNING, started_at=now, total=remaining
    )
    if started:
        run.total = remaining
        event_note(run, "started", total=remaining, code_version=run.code_version)


def _work(
    run: PopulateRun,
    worker: WorkerHeartbeat,
    table: Any,
    restrictions: tuple[Any, ...],
    sink: EventSink,
) -> None:
    """Populate until no key of the run is pending or reserved by anyone."""
    jobs = table.jobs

    def report(kind: str, **payload: Any) -> None:
        sink.note(kind, **payload)

    while True:
        workers_flag_lost(run=run, exclude=worker)
        jobs_reclaim(run=run, jobs=jobs, reporter=report)
        sink.begin_pass()
        try:
            table.populate(
                *restrictions, reserve_jobs=True, suppress_errors=True, progress_sink=sink
            )
        except StopPopulate:
            if sink.cancelled:
                raise
            continue  # the pass lasted a heartbeat interval: look around, then go on
        if jobs.pending_keys(*restrictions, limit=1):
            continue
        if not _reserved(table, jobs, restrictions):
            return
        sink.wait(min(1.0, heartbeat_interval()))  # others hold keys: wait for them or staleness


def _reserved(table: Any, jobs: Any, restrictions: tuple[Any, ...]) -> int:
    keys = (table.key_source & dj.AndList(list(restrictions))).proj()
    return len(jobs.reserved.restrict(keys, semantic_check=False))


def _leave(
    run: PopulateRun,
    worker: WorkerHeartbeat,
    table: Any,
    restrictions: tuple[Any, ...],
    error: str,
) -> None:
    """Detach from the run; the last worker out finishes it (see the module docstring)."""
    if error:
        PopulateRun.objects.filter(pk=run.pk, error="").update(error=error)
    waited_since = timezone.now()
    deadline = time.monotonic() + heartbeat_timeout() + heartbeat_interval()
    while True:
        with transaction.atomic():
            locked = run_locked(run)
            WorkerHeartbeat.objects.filter(pk=worker.pk, run=run).update(
                run=None, current_key=None, last_seen=timezone.now()
            )
            if locked.status in FINISHED:
                return
            others = workers_of(locked, exclude=worker)
            alive = [w for w in others if not is_stale(w)]
            if not alive:
                workers_flag_lost(run=locked, exclude=worker)
                _finish(locked, table, restrictions)
                return
            if all(w.last_seen > waited_since for w in alive) or time.monotonic() > deadline:
                return  # they beat since we began to wait: alive, and they finish the run
        time.sleep(min(1.0, heartbeat_interval() / 2))


def _finish(run: PopulateRun, table: Any, restrictions: tuple[Any, ...]) -> None:
    """Final status and counts (done from the data: keys of the run now in the table; skipped:
    the rest of the run's keys that did not fail in it)."""
    done = run.done
    if table is not None:
        try:
            remaining, _ = table.progress(*restrictions)
            done = max(0, run.total - remaining)
        except Exception:  # the data database is gone: keep the counted figure
            logger.exception("Counting the keys of run %s failed", run.pk)
    if run.cancel_requested:
        status = PopulateRun.Status.CANCELLED
    elif run.error or run.failed:
        status = PopulateRun.Status.FAILED
    else:
        status = PopulateRun.Status.SUCCEEDED
    now = timezone.now()
    run.status, run.done, run.finished_at = status, done, now
    # Keys of the run neither made nor failed by it: ignored, failed in an earlier run and not
    # cleared, or left when it was cancelled.
    run.skipped = max(0, run.total - done - run.failed)
    if run.started_at is None:
        run.started_at = now
    run.save(update_fields=["status", "done", "skipped", "finished_at", "started_at"])
    event_note(
        run,
        "finished",
        status=status,
        total=run.total,
        done=done,
        failed=run.failed,
        skipped=run.skipped,
        error=run.error,
        seconds=round((now - run.started_at).total_seconds(), 3),
    )

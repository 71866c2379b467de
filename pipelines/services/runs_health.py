"""Worker health: one ``WorkerHeartbeat`` row per worker process, beaten every
``HEARTBEAT_INTERVAL`` seconds.

A worker attaches its row to the run it works on and beats it (``EventSink.beat``) while it
works; between runs a thread of the process (``idle_beater_start``) keeps it fresh, so a worker
that dies idle is seen as stale too instead of idle forever. A row attached to a run and silent for ``HEARTBEAT_TIMEOUT`` is a
lost worker (killed, out of memory, its machine gone): the first worker of the run to notice
flags it and tells the run (``worker_lost``). The jobs the lost worker reserved in the data
database are reclaimed by the engine's own heartbeat rule (``JobTable.reclaim_stale``), reported
as ``keys_reclaimed``.
"""

from __future__ import annotations

import logging
import os
import platform
import threading
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from pipelines.models import Pipeline, PopulateRun, WorkerHeartbeat
from pipelines.services.runs_events import event_note, run_locked
from pipelines.services.runs_keys import key_to_json

KEYS_IN_EVENT = 100
logger = logging.getLogger("pipelines.runs")
_idle_beater: threading.Thread | None = None


def heartbeat_interval() -> int:
    return int(settings.JOINERY["HEARTBEAT_INTERVAL"])


def heartbeat_timeout() -> int:
    return int(settings.JOINERY["HEARTBEAT_TIMEOUT"])


def worker_name(worker: WorkerHeartbeat) -> str:
    return f"{worker.hostname}:{worker.pid}"


def worker_attach(*, run: PopulateRun) -> WorkerHeartbeat:
    """This process's row, attached to ``run`` and freshly beaten."""
    now = timezone.now()
    worker, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=platform.node(),
        pid=os.getpid(),
        defaults={
            "run": run, "current_key": None, "started_at": now, "last_seen": now, "lost_at": None,
        },
    )  # fmt: skip
    return worker


def idle_beat() -> int:
    """Beat this process's row if it waits between runs (rows at work are beaten by their
    sink); how many rows were beaten."""
    return WorkerHeartbeat.objects.filter(
        hostname=platform.node(), pid=os.getpid(), run__isnull=True, lost_at__isnull=True
    ).update(last_seen=timezone.now())


def idle_beater_start() -> None:
    """Start this process's idle heartbeat thread, once (called as each task starts)."""
    global _idle_beater
    if _idle_beater is not None and _idle_beater.is_alive():
        return
    _idle_beater = threading.Thread(target=_beat_while_idle, name="idle heartbeat", daemon=True)
    _idle_beater.start()


def _beat_while_idle() -> None:
    while True:
        time.sleep(heartbeat_interval())
        try:
            idle_beat()
        except DatabaseError:  # the portal database is away: the next beat may work
            logger.warning("The idle heartbeat could not be written", exc_info=True)
        finally:
            connection.close()


def worker_forget() -> None:
    """The process is shutting down cleanly: its row goes."""
    WorkerHeartbeat.objects.filter(hostname=platform.node(), pid=os.getpid()).delete()


def workers_of(
    run: PopulateRun, *, exclude: WorkerHeartbeat | None = None
) -> list[WorkerHeartbeat]:
    """The workers attached to ``run`` and not known to be lost."""
    rows = WorkerHeartbeat.objects.filter(run=run, lost_at__isnull=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return list(rows)


def is_stale(worker: WorkerHeartbeat, now: Any = None) -> bool:
    now = now or timezone.now()
    return bool(worker.last_seen < now - timedelta(seconds=heartbeat_timeout()))


def workers_flag_lost(*, run: PopulateRun, exclude: WorkerHeartbeat | None = None) -> list[str]:
    """Flag the run's silent workers as lost, telling the run once for each; their names."""
    now = timezone.now()
    if not any(is_stale(w, now) for w in workers_of(run, exclude=exclude)):
        return []  # the common case, without taking locks
    lost = []
    with transaction.atomic():
        run_locked(run)  # flags and their events are written by one worker at a time
        for worker in workers_of(run, exclude=exclude):
            if not is_stale(worker, now):
                continue
            WorkerHeartbeat.objects.filter(pk=worker.pk).update(lost_at=now)
            event_note(
                run,
                "worker_lost",
                worker.current_key,
                worker=worker_name(worker),
                last_seen=worker.last_seen.isoformat(),
                silent_seconds=round((now - worker.last_seen).total_seconds(), 1),
            )
            lost.append(worker_name(worker))
    return lost


def jobs_reclaim(*, run: PopulateRun, jobs: Any, reporter: Any) -> int:
    """Make the run table's jobs whose worker stopped beating pending again (the engine's
    rule), reporting which keys came back from which worker."""
    if not jobs.is_declared:
        return 0
    timeout = heartbeat_timeout()
    dialect = jobs.connection.dialect
    stale = jobs.reserved & (
        f"COALESCE(heartbeat_time, reserved_time) < {dialect.now_sql(-timeout)}"
    )
    rows = stale.proj("host", "pid").to_dicts()
    if not rows:
        return 0
    count = int(jobs.reclaim_stale(timeout))
    by_worker: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = {name: row[name] for name in jobs.primary_key}
        by_worker.setdefault(f"{row['host']}:{row['pid']}", []).append(key_to_json(key))
    for owner, keys in by_worker.items():
        reporter("keys_reclaimed", lost_worker=owner, count=len(keys), keys=keys[:KEYS_IN_EVENT])
    return count


def worker_list(*, pipeline: Pipeline) -> list[dict[str, Any]]:
    """Every worker process known, with its state: working (on a run of this pipeline or
    elsewhere), idle (between runs), stale (silent past the timeout, working or idle) or lost."""
    now = timezone.now()
    result = []
    for worker in WorkerHeartbeat.objects.select_related("run"):
        run = worker.run
        if worker.lost_at is not None:
            state = "lost"
        elif is_stale(worker, now):
            state = "stale"
        else:
            state = "idle" if run is None else "working"
        mine = run is not None and run.pipeline_id == pipeline.pk
        result.append(
            {
                "hostname": worker.hostname,
                "pid": worker.pid,
                "state": state,
                "run": run.pk if mine and run is not None else None,
                "table": f"{run.schema}.{run.table}" if mine and run is not None else None,
                "current_key": worker.current_key if mine else None,
                "started_at": worker.started_at,
                "last_seen": worker.last_seen,
                "lost_at": worker.lost_at,
                "seconds_since_seen": round((now - worker.last_seen).total_seconds(), 1),
            }
        )
    return result

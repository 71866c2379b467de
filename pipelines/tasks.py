"""Celery tasks (thin): take ids, call a service.

A populate run is queued as one ``populate_run`` task per wanted worker; each runs the worker's
share of the run (``runs_worker.run_work``) in whichever Celery worker takes it, on any machine.
"""

from __future__ import annotations

import contextlib
from typing import Any

from celery import shared_task
from celery.signals import worker_process_shutdown, worker_shutdown
from django.db import DatabaseError

from pipelines.services.data import close_data_connections
from pipelines.services.runs_health import idle_beater_start, worker_forget
from pipelines.services.runs_worker import run_work


@shared_task(name="pipelines.tasks.populate_run", ignore_result=True)  # type: ignore[untyped-decorator]
def populate_run(run_id: int) -> str:
    """One worker's share of populate run ``run_id``; returns its outcome."""
    idle_beater_start()  # from now on this process's row is beaten between runs too
    return run_work(run_id=run_id)


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
@worker_shutdown.connect  # type: ignore[untyped-decorator]
def _forget_this_worker(**_: Any) -> None:
    """A worker leaving cleanly removes its health row (a killed one is flagged as lost)."""
    with contextlib.suppress(DatabaseError):
        worker_forget()
    close_data_connections()

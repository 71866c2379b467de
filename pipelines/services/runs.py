"""Populate runs from the portal: start, cancel and retry, and what a run covers.

A run is a request to make the missing keys of one Imported or Computed table (optionally
restricted by a JSON condition tree, or limited to exact keys for a retry) with the make code
registered for it (``runs_code``). Starting one writes the run and its ``queued`` event, then,
once that commits, queues one Celery task per wanted worker; the tasks call
``runs_worker.run_work``. Cancelling is cooperative: workers see the flag between keys and
inside long makes (``runs_sink``).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

import pipelines.core as dj
from pipelines.core.populate.jobs import JobTable
from pipelines.models import Pipeline, PopulateRun
from pipelines.services.audit import audit_record
from pipelines.services.conditions import restriction_from_json
from pipelines.services.errors import Conflict, Invalid, NotFound
from pipelines.services.runs_code import code_lookup
from pipelines.services.runs_events import event_note, pipeline_lock, run_locked
from pipelines.services.runs_keys import key_from_json, key_to_json, keys_from_json
from pipelines.services.tables import TableName, table_get, table_query

logger = logging.getLogger("pipelines.runs")

#: The Celery task each worker of a run executes (sent by name: services never import tasks).
POPULATE_TASK = "pipelines.tasks.populate_run"
MAX_WORKERS = 64
POPULATED_TIERS = ("Imported", "Computed")
ACTIVE = (PopulateRun.Status.QUEUED, PopulateRun.Status.RUNNING)


def populated_table(*, pipeline: Pipeline, schema: str, table: str) -> TableName:
    """The table, which must be one ``populate`` fills (Imported or Computed, not a part)."""
    if not isinstance(schema, str) or not isinstance(table, str):
        raise Invalid("schema and table are strings.")
    found = table_get(pipeline=pipeline, schema=schema, name=table)
    if found.tier not in POPULATED_TIERS:
        raise Invalid(
            f"{schema}.{table} is a {found.tier} table: only Imported and Computed tables are "
            "populated (a part is filled by its master's make).",
            details={"schema": schema, "table": table, "tier": found.tier},
        )
    return found


def _no_code(table: TableName) -> Conflict:
    return Conflict(
        f"{table.schema}.{table.name} has no registered make code, so it cannot be populated. "
        "Write a module defining it (the code view gives a skeleton) and list it in "
        "JOINERY_PIPELINE_MODULES.",
        details={"schema": table.schema, "table": table.name, "reason": "no_registered_code"},
    )


def run_restrictions(*, run: PopulateRun, table: Any) -> tuple[Any, ...]:
    """The engine restrictions of the run's keys: its condition tree, and its exact keys."""
    pipeline = run.pipeline
    names = list(table.primary_key)

    def resolve(schema: str, name: str) -> Any:
        return table_query(table_get(pipeline=pipeline, schema=schema, name=name))

    restrictions: list[Any] = []
    if run.restriction:
        restrictions.append(restriction_from_json(run.restriction, names, resolve))
    if run.keys is not None:
        # The job queue's key: the primary key, or its attributes inherited from parents.
        named = list(run.keys[0]) if run.keys and isinstance(run.keys[0], dict) else names
        attributes = {n: table.heading.attributes[n] for n in named if n in names}
        restrictions.append(keys_from_json(run.keys, attributes))
    return tuple(restrictions)


@transaction.atomic
def run_start(
    *,
    actor: Any,
    pipeline: Pipeline,
    schema: str,
    table: str,
    restriction: Any = None,
    workers: int = 1,
    keys: list[dict[str, Any]] | None = None,
    retry_of: PopulateRun | None = None,
) -> PopulateRun:
    """A new run of ``schema.table``, queued to ``workers`` Celery workers once committed."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise Invalid(f"workers is a whole number from 1 to {MAX_WORKERS}.")
    found = populated_table(pipeline=pipeline, schema=schema, table=table)
    if code_lookup(found.schema, found.table_name) is None:
        raise _no_code(found)
    pipeline_lock(pipeline.pk)  # before any row referencing it (see runs_events)
    run = PopulateRun(
        pipeline=pipeline,
        schema=found.schema,
        table=found.name,
        restriction=restriction or None,
        keys=keys,
        retry_of=retry_of,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        workers_wanted=workers,
    )
    run_restrictions(run=run, table=table_query(found))  # a bad condition fails here, not later
    run.save()
    event_note(run, "queued", schema=run.schema, table=run.table, workers=workers)
    audit_record(
        actor=actor, pipeline=pipeline, action="run.start", target=f"{run.schema}.{run.table}",
        payload={"run": run.pk, "restriction": run.restriction, "workers": workers,
                 "keys": len(keys) if keys is not None else None},
    )  # fmt: skip
    transaction.on_commit(lambda: _dispatch(run.pk, workers))
    return run


def _dispatch(run_id: int, workers: int) -> None:
    """Queue the run's tasks; a broker that cannot be reached fails the run with the reason."""
    try:
        for _ in range(workers):
            current_app.send_task(POPULATE_TASK, args=[run_id])
    except Exception as error:
        logger.exception("Queueing run %s failed", run_id)
        message = f"The task queue could not be reached: {type(error).__name__}: {error}"
        run = PopulateRun.objects.get(pk=run_id)
        PopulateRun.objects.filter(pk=run_id, status__in=ACTIVE).update(
            status=PopulateRun.Status.FAILED, error=message, finished_at=timezone.now()
        )
        event_note(run, "finished", status=PopulateRun.Status.FAILED, error=message)


@transaction.atomic
def run_cancel(*, actor: Any, run: PopulateRun) -> PopulateRun:
    """Ask the run's workers to stop (between keys or inside a long make); a run no worker
    has picked up yet is cancelled at once."""
    locked = run_locked(run)
    if locked.status not in ACTIVE:
        raise Conflict(
            f"Run {run.pk} has already {locked.status}.", details={"status": locked.status}
        )
    if locked.cancel_requested:
        return locked
    locked.cancel_requested = True
    fields = ["cancel_requested"]
    event_note(locked, "cancel_requested")
    if locked.status == PopulateRun.Status.QUEUED:
        locked.status = PopulateRun.Status.CANCELLED
        locked.finished_at = timezone.now()
        fields += ["status", "finished_at"]
        event_note(locked, "finished", status=locked.status, done=0, failed=0, total=0)
    locked.save(update_fields=fields)
    audit_record(
        actor=actor, pipeline=run.pipeline, action="run.cancel",
        target=f"{run.schema}.{run.table}", payload={"run": run.pk},
    )  # fmt: skip
    return locked


def run_retry(*, actor: Any, run: PopulateRun, workers: int | None = None) -> PopulateRun:
    """A new run of the keys that failed in ``run`` (their errors cleared): only those are
    made again."""
    if run.status in ACTIVE:
        raise Conflict(f"Run {run.pk} is still {run.status}: retry it once it has finished.")
    found = populated_table(pipeline=run.pipeline, schema=run.schema, table=run.table)
    target = table_query(found)
    queue = JobTable(target)
    failed: Any = None
    if queue.is_declared:
        failed = queue.errors & dj.AndList(list(run_restrictions(run=run, table=target)))
    keys = [key_to_json(k) for k in failed.proj().to_dicts()] if failed is not None else []
    if not keys:
        raise Conflict(f"Run {run.pk} has no failed keys to retry.", details={"run": run.pk})
    with transaction.atomic():
        retry = run_start(
            actor=actor,
            pipeline=run.pipeline,
            schema=run.schema,
            table=run.table,
            restriction=run.restriction,
            workers=workers or run.workers_wanted,
            keys=keys,
            retry_of=run,
        )
        audit_record(
            actor=actor, pipeline=run.pipeline, action="jobs.clear_errors",
            target=f"{run.schema}.{run.table}", payload={"keys": keys, "retry": retry.pk},
        )  # fmt: skip
        assert failed is not None
        failed.delete_quick()
    return retry


def run_list(*, pipeline: Pipeline) -> QuerySet[PopulateRun]:
    return PopulateRun.objects.filter(pipeline=pipeline).select_related("requested_by")


def run_get(*, pipeline: Pipeline, run_id: int) -> PopulateRun:
    run = run_list(pipeline=pipeline).filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"No run {run_id} in this pipeline.", details={"run": run_id})
    return run


def key_for_table(table: Any, key: Any, *, where: str = "key") -> dict[str, Any]:
    """A JSON key of ``table`` (its primary key, values converted) for the engine."""
    names = list(table.primary_key)
    attributes = {name: table.heading.attributes[name] for name in names}
    return key_from_json(key, attributes, where=where)

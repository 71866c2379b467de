"""The event log of populate runs: writing batches, reading after an id, and the doorbell.

The log in the portal DB is the truth a browser replays from its last seen id, so an id must
never appear to a reader after a larger one of the same pipeline: the writes of one pipeline
are serialized on its row (``SELECT ... FOR UPDATE``; SQLite's writers are serialized anyway),
so ids commit in increasing order. After each write the pipeline's doorbell rings
(``runs_doorbell``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from pipelines.models import Pipeline, PopulateRun, RunEvent
from pipelines.services.runs_doorbell import ring

#: The most events one read returns.
PAGE = 500


@dataclass
class NewEvent:
    """An event not yet written: kind, key (JSON) and payload."""

    kind: str
    key: dict[str, Any] | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def pipeline_lock(pipeline_id: int) -> None:
    """Lock the pipeline's row for this transaction: the first lock every writer of run
    events takes, so they queue instead of deadlocking (a row inserted with a foreign key to
    the pipeline takes a shared lock on it, which must not be upgraded later)."""
    list(Pipeline.objects.select_for_update().filter(pk=pipeline_id).values_list("pk"))


def run_locked(run: PopulateRun) -> PopulateRun:
    """The run, re-read and locked for this transaction, after its pipeline (the order every
    event writer takes them)."""
    pipeline_lock(run.pipeline_id)
    return PopulateRun.objects.select_for_update().select_related("pipeline").get(pk=run.pk)


def events_record(
    *,
    run: PopulateRun,
    events: Iterable[NewEvent],
    done: int = 0,
    failed: int = 0,
) -> tuple[int, bool]:
    """Write events of ``run`` and add to its counts in one transaction, then ring.

    Returns the last event id (0 if none) and whether a cancel has been requested.
    """
    batch = list(events)
    write = _write_sql if connection.vendor in ("sqlite", "mysql") else _write_orm
    with transaction.atomic():
        last, cancel = write(run.pk, run.pipeline_id, batch, done, failed)
    if last:
        transaction.on_commit(lambda: ring(run.pipeline_id, last))
    return last, cancel


def _write_sql(
    run_id: int, pipeline_id: int, events: list[NewEvent], done: int, failed: int
) -> tuple[int, bool]:
    """The batch in five plain statements: workers write many batches a second beside a
    populate, whose throughput the ORM's per-query cost would eat into (bench/live.py)."""
    quote = connection.ops.quote_name
    pipelines, runs, log = (
        quote(model._meta.db_table) for model in (Pipeline, PopulateRun, RunEvent)
    )
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        # Serializes this pipeline's writers: ids of one pipeline commit in increasing order.
        # The run's row is locked before the events reference it, for the same reason.
        cursor.execute(f"SELECT id FROM {pipelines} WHERE id = %s{lock}", [pipeline_id])
        cursor.execute(f"SELECT cancel_requested FROM {runs} WHERE id = %s{lock}", [run_id])
        found = cursor.fetchone()
        cancel = bool(found[0]) if found else False
        last = 0
        if events:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.executemany(
                f"INSERT INTO {log} (run_id, pipeline_id, kind, {quote('key')}, payload, "
                "created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (run_id, pipeline_id, e.kind, _json(e.key), _json(e.payload), now)
                    for e in events
                ],
            )
            cursor.execute(f"SELECT MAX(id) FROM {log} WHERE pipeline_id = %s", [pipeline_id])
            last = int(cursor.fetchone()[0] or 0)
        if done or failed:
            cursor.execute(
                f"UPDATE {runs} SET done = done + %s, failed = failed + %s WHERE id = %s",
                [done, failed, run_id],
            )
    return last, cancel


#: One encoder for every event (json.dumps with options builds a new one per call).
_encode = json.JSONEncoder(separators=(",", ":")).encode


def _json(value: Any) -> str | None:
    return None if value is None else _encode(value)


def _write_orm(
    run_id: int, pipeline_id: int, events: list[NewEvent], done: int, failed: int
) -> tuple[int, bool]:
    """The same through the ORM, for other portal databases."""
    pipeline_lock(pipeline_id)
    locked = PopulateRun.objects.select_for_update().filter(pk=run_id)
    cancel = bool(locked.values_list("cancel_requested", flat=True).first())
    rows = [
        RunEvent(run_id=run_id, pipeline_id=pipeline_id, kind=e.kind, key=e.key, payload=e.payload)
        for e in events
    ]
    last = 0
    if rows:
        RunEvent.objects.bulk_create(rows)
        last = RunEvent.objects.filter(pipeline_id=pipeline_id).aggregate(m=Max("id"))["m"] or 0
    if done or failed:
        PopulateRun.objects.filter(pk=run_id).update(
            done=F("done") + done, failed=F("failed") + failed
        )
    return int(last), cancel


def event_note(run: PopulateRun, kind: str, key: Any = None, **payload: Any) -> int:
    """Write one event now (run-level news: queued, started, worker lost, finished)."""
    last, _ = events_record(run=run, events=[NewEvent(kind, key, payload)])
    return last


def events_after(
    *, pipeline_id: int, after: int = 0, run_id: int | None = None, limit: int = PAGE
) -> list[RunEvent]:
    """The pipeline's events with ids above ``after``, oldest first."""
    query = RunEvent.objects.filter(pipeline_id=pipeline_id, id__gt=after)
    if run_id is not None:
        query = query.filter(run_id=run_id)
    return list(query.order_by("id")[:limit])


def event_head(*, pipeline_id: int) -> int:
    """The pipeline's last event id (0 before any)."""
    return RunEvent.objects.filter(pipeline_id=pipeline_id).aggregate(m=Max("id"))["m"] or 0


def pipeline_slug(ref: str) -> str | None:
    """The slug of the pipeline a socket path names, by slug or by id."""
    slug = Pipeline.objects.filter(slug=ref).values_list("slug", flat=True).first()
    if slug is None and ref.isdigit():
        slug = Pipeline.objects.filter(pk=int(ref)).values_list("slug", flat=True).first()
    return slug


def event_json(event: RunEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "run": event.run_id,
        "kind": event.kind,
        "key": event.key,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }

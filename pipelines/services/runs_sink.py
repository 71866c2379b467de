"""The progress sink of one populate worker: events into the run's log, in small batches.

``populate`` calls the sink from its own thread many times a second; the sink only appends to
a buffer there. A flusher thread writes the buffer at most every ``EVENT_BATCH_SECONDS`` (one
transaction per batch, then the doorbell), reads whether the run was cancelled, and beats the
worker's heartbeat row. Once a cancel is seen, the next ``key_started`` or ``key_progress``
raises ``StopPopulate``: the run stops between keys or inside a long ``make``.

A long ``populate`` pass is also ended at a key boundary once it has lasted a heartbeat
interval (the same ``StopPopulate``, with ``cancelled`` false): the worker then looks around (lost
workers, their reclaimed keys, keys queued since) and starts a new pass, so keys a dead worker
held are made within about the heartbeat timeout plus one interval.

Within a batch, a key's ``key_started`` is dropped when its ``key_done``/``key_failed`` is in the
same batch, and only its last ``key_progress`` is kept: a fast run writes one event per key.

``background=False`` flushes from the calling thread instead (tests, and scripts that want no
threads): on every sink call once the batch time is up, and on ``close``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from pipelines.core.populate.progress import StopPopulate
from pipelines.models import PopulateRun, WorkerHeartbeat
from pipelines.services.runs_events import NewEvent, events_record
from pipelines.services.runs_keys import KeyIdentity, key_identity, key_to_json

logger = logging.getLogger("pipelines.runs")

#: Seconds between two looks at the cancel flag when no events are written.
CANCEL_POLL = 0.2
MESSAGE_LENGTH = 2000


class EventSink:
    """``ProgressSink`` writing a run's events; ``with EventSink(...) as sink:`` flushes on exit."""

    def __init__(
        self, run: PopulateRun, worker: WorkerHeartbeat, *, background: bool = True
    ) -> None:
        self.run = run
        self.worker = worker
        self.worker_name = f"{worker.hostname}:{worker.pid}"
        self.background = background
        self.batch_seconds = float(settings.JOINERY["EVENT_BATCH_SECONDS"])
        self.beat_seconds = float(settings.JOINERY["HEARTBEAT_INTERVAL"])
        self.current_key: dict[str, Any] | None = None
        self.done = 0
        self.failed = 0
        self.batches = 0
        self._buffer: list[NewEvent] = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancelled = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_flush = time.monotonic()
        self._last_beat = 0.0
        self._pass_started = time.monotonic()

    # --- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> EventSink:
        if self.background:
            self._thread = threading.Thread(target=self._run, name="run events", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Write what is buffered and stop the flusher."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            self._wake.set()
            thread.join(timeout=30)
        self.flush()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check_cancel(self) -> None:
        """Raise ``StopPopulate`` once the run's cancel has been seen."""
        if not self.background and time.monotonic() - self._last_flush >= CANCEL_POLL:
            self.flush()
        if self._cancelled.is_set():
            raise StopPopulate

    def begin_pass(self) -> None:
        """A populate pass starts now; it ends at the first key boundary a heartbeat interval
        later."""
        self._pass_started = time.monotonic()

    def wait(self, seconds: float) -> None:
        """Sleep between two populate passes, waking (and stopping) on a cancel."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check_cancel()
            time.sleep(min(CANCEL_POLL, max(0.0, deadline - time.monotonic())))
        self.check_cancel()

    # --- ProgressSink ----------------------------------------------------------------------------
    def started(self, table: str, total: int) -> None:
        pass  # one populate pass of many: the run's own events say when it starts and ends

    def finished(self, success_count: int, error_count: int) -> None:
        pass

    def key_started(self, key: dict[str, Any]) -> None:
        self.check_cancel()
        if time.monotonic() - self._pass_started >= self.beat_seconds:
            raise StopPopulate  # the pass is over: the worker looks around and goes on
        self.current_key = key
        self._add(NewEvent("key_started", key_to_json(key), {"worker": self.worker_name}))

    def key_progress(self, key: dict[str, Any], fraction: float, message: str) -> None:
        self.check_cancel()
        payload = {"fraction": round(float(fraction), 4), "message": message[:200]}
        self._add(NewEvent("key_progress", key_to_json(key), payload))

    def key_done(self, key: dict[str, Any], duration: float) -> None:
        payload = {
            "duration": round(duration, 6),
            "worker": self.worker_name,
            "at": round(time.time(), 4),  # when it was made (latency to the browser)
        }
        self._add(NewEvent("key_done", key_to_json(key), payload))

    def key_failed(self, key: dict[str, Any], error: BaseException, message: str) -> None:
        payload = {
            "error": type(error).__name__,
            "message": message[:MESSAGE_LENGTH],
            "worker": self.worker_name,
            "at": round(time.time(), 4),
        }
        self._add(NewEvent("key_failed", key_to_json(key), payload))

    def note(self, kind: str, key: Any = None, **payload: Any) -> None:
        """A worker-level event (worker started, keys reclaimed...), written with the batch."""
        self._add(NewEvent(kind, key, {"worker": self.worker_name, **payload}))

    # --- batching --------------------------------------------------------------------------------
    def _add(self, event: NewEvent) -> None:
        with self._lock:
            self._buffer.append(event)
            first = len(self._buffer) == 1
        if self.background:
            if first:
                self._wake.set()
        elif time.monotonic() - self._last_flush >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffered events (coalesced) and the counts; read the cancel flag."""
        with self._flush_lock:
            with self._lock:
                events, self._buffer = self._buffer, []
            batch = coalesce(events)
            done = sum(1 for e in batch if e.kind == "key_done")
            failed = sum(1 for e in batch if e.kind == "key_failed")
            try:
                _, cancel = events_record(run=self.run, events=batch, done=done, failed=failed)
            except Exception:
                with self._lock:  # not written: the next batch carries them, in order
                    self._buffer[:0] = batch
                raise
            self.done += done
            self.failed += failed
            self.batches += 1 if batch else 0
            self._last_flush = time.monotonic()
            if cancel:
                self._cancelled.set()
            if self._last_flush - self._last_beat >= self.beat_seconds or not self.background:
                self.beat()

    def beat(self) -> None:
        """The worker is alive, and making ``current_key``."""
        self._last_beat = time.monotonic()
        key = key_to_json(self.current_key) if self.current_key is not None else None
        WorkerHeartbeat.objects.filter(pk=self.worker.pk).update(
            last_seen=timezone.now(), current_key=key, lost_at=None
        )

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait(CANCEL_POLL)
                self._wake.clear()
                try:
                    self.flush()
                except Exception:  # the next batch may succeed; populate must go on
                    logger.exception("Writing the events of run %s failed", self.run.pk)
                self._stop.wait(self.batch_seconds)
        finally:
            close_old_connections()
            connection.close()


def coalesce(events: list[NewEvent]) -> list[NewEvent]:
    """Drop what a batch makes redundant: a key's start when it also ended in the batch, and
    all but a key's last progress report (and any once it ended)."""
    ended = {key_identity(e.key) for e in events if e.kind in ("key_done", "key_failed") and e.key}
    last_progress: dict[KeyIdentity, int] = {}
    for index, event in enumerate(events):
        if event.kind == "key_progress" and event.key is not None:
            last_progress[key_identity(event.key)] = index
    kept = []
    for index, event in enumerate(events):
        if event.kind in ("key_started", "key_progress") and event.key is not None:
            identity = key_identity(event.key)
            if identity in ended:
                continue
            if event.kind == "key_progress" and last_progress[identity] != index:
                continue
        kept.append(event)
    return kept

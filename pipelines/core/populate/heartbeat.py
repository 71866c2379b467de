"""``Heartbeat``: keeps a worker's reservation fresh while its ``make`` runs.

The beats go through a connection of their own: the worker's connection is busy (and, during
``make``, inside a transaction whose writes must not include the heartbeat).
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

from ..db.connection import Connection
from .jobs import JobTable

logger = logging.getLogger("pipelines.core")


class Heartbeat:
    """``with Heartbeat(jobs) as beat: beat.track(key); make(key); beat.track(None)``."""

    def __init__(self, jobs: JobTable, interval: float | None = None) -> None:
        config = jobs.connection.config
        self.jobs = jobs
        self.interval = float(config["jobs.heartbeat_interval"] if interval is None else interval)
        if self.interval <= 0:
            raise ValueError("The heartbeat interval must be positive.")
        self._keys: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None
        self.beats = 0  # how many beats were written (for monitoring and tests)

    def track(self, key: dict[str, Any] | None) -> None:
        """Beat for this key from now on (None: the worker holds nothing)."""
        self.track_many([] if key is None else [key])

    def track_many(self, keys: list[dict[str, Any]]) -> None:
        """Beat for these keys from now on (a worker holding a group of reserved jobs)."""
        with self._lock:
            self._keys = [dict(key) for key in keys]

    def start(self) -> None:
        if self._thread is not None:
            return
        self.jobs.declare()
        self._connection = self.jobs.connection.new_session()
        own = JobTable(self.jobs.target, connection=self._connection)
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(own,), name=f"heartbeat {self.jobs.table_name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=max(5.0, 2 * self.interval))
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def __enter__(self) -> Heartbeat:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, jobs: JobTable) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                keys = self._keys
            if not keys:
                continue
            try:
                jobs.beat_many(keys)
                self.beats += 1
            except Exception as error:  # a missed beat is survivable; the next one may succeed
                logger.warning("Heartbeat for %s failed: %s", jobs.full_table_name, error)

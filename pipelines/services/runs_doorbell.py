"""The doorbell of live progress: a Channels group message telling sockets to read the log.

Only a doorbell, carrying the last event id: the log in the portal DB is the truth. With Redis
as channel layer, workers on any machine ring the consumers of every web process. The in-memory
layer does not cross processes, so in the embedded setup nothing rings and consumers tail the
log instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger("pipelines.runs")


def event_group(pipeline_id: int) -> str:
    """The Channels group whose members stream a pipeline's events."""
    return f"pipeline.{pipeline_id}"


def doorbell_enabled() -> bool:
    """Whether the channel layer reaches other processes (Redis); in memory it does not, and
    consumers tail the log instead."""
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return not str(backend).endswith("InMemoryChannelLayer")


class _Bell:
    """One event loop thread per process that sends doorbell messages without blocking the
    writer (a worker's flusher must not wait on Redis)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="doorbell", daemon=True)
        self.thread.start()

    def send(self, group: str, last_id: int) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        message = {"type": "events.ring", "last_id": last_id}
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), self.loop)
        future.add_done_callback(_log_failure)


_bell: _Bell | None = None
_bell_lock = threading.Lock()


def ring(pipeline_id: int, last_id: int) -> None:
    """Tell the pipeline's consumers, on any machine, that events up to ``last_id`` exist."""
    global _bell
    if not doorbell_enabled():
        return
    with _bell_lock:
        if _bell is None or _bell.pid != os.getpid():  # a forked worker starts its own loop
            _bell = _Bell()
        bell = _bell
    bell.send(event_group(pipeline_id), last_id)


def _log_failure(future: Any) -> None:
    error = future.exception()
    if error is not None:
        logger.warning("The live-progress doorbell failed (consumers poll instead): %s", error)

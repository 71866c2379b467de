"""``/ws/pipelines/<id>/``: a pipeline's run events, replayed from a last seen id, then live.

Protocol (JSON text frames). The server sends ``{"type": "hello", "pipeline", "role",
"last_event_id"}`` once open, then ``{"type": "events", "events": [...]}`` batches, each event
as the REST endpoint returns it, in increasing id. The client says where to start with
``{"last_event_id": n}`` (``null``: from now on), or ``?last_event_id=n`` in the URL; it may send
it again after a reconnect. A client too slow to take its events is closed with code 4008 and
reconnects with its last id. Refused sockets (no valid session or token, no viewer role, a
browser page of another site) are closed before they open (HTTP 403).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from pipelines.realtime.access import Access, Refused, authorize, query_params
from pipelines.realtime.feed import Feed, encode, feed_for, read_events
from pipelines.services.runs_doorbell import doorbell_enabled, event_group
from pipelines.services.runs_events import PAGE

logger = logging.getLogger("pipelines.realtime")

#: Batches waiting for a socket beyond this and the client is too slow: closed, to reconnect.
MAX_QUEUED = 1000
TOO_SLOW = 4008


class PipelineEventsConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    access: Access
    feed: Feed

    async def connect(self) -> None:
        self.cursor = 0
        self.live = False
        self.tasks: list[asyncio.Task[None]] = []
        self.catching_up: asyncio.Task[None] | None = None
        self.outbox: asyncio.Queue[str] = asyncio.Queue()
        self.joined = False
        try:
            self.access = await authorize(self.scope, self.scope["url_route"]["kwargs"]["ref"])
        except Refused as refusal:
            logger.info("Socket refused: %s", refusal)
            await self.close()
            return
        if doorbell_enabled():
            await self.channel_layer.group_add(
                event_group(self.access.pipeline_id), self.channel_name
            )
            self.joined = True
        await self.accept(subprotocol=self.access.subprotocol)
        self.tasks.append(asyncio.get_running_loop().create_task(self._write()))
        self.feed = feed_for(self.access.pipeline_id)
        self.feed.add(self)
        await self.feed.ready.wait()
        self._send(
            {
                "type": "hello",
                "pipeline": self.access.slug,
                "role": self.access.role,
                "last_event_id": self.feed.head,
            }
        )
        start = query_params(self.scope).get("last_event_id")
        if start is not None:
            self._resume(start)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "feed"):
            self.feed.remove(self)
        if self.joined:
            await self.channel_layer.group_discard(
                event_group(self.access.pipeline_id), self.channel_name
            )
        for task in [*self.tasks, self.catching_up]:
            if task is not None:
                task.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
        except ValueError:
            message = None
        if not isinstance(message, dict) or "last_event_id" not in message:
            self._send({"type": "error", "message": 'Send {"last_event_id": <id or null>}.'})
            return
        self._resume(message["last_event_id"])

    async def events_ring(self, message: dict[str, Any]) -> None:
        """The doorbell (Channels group message ``events.ring``): new events in the log."""
        feed = getattr(self, "feed", None)
        if feed is not None:
            feed.ring()

    # --- replay, then live -----------------------------------------------------------------------
    def _resume(self, after: Any) -> None:
        if after is None or after == "":
            after = self.feed.head
        try:
            after = int(after)
            if after < 0:
                raise ValueError
        except (TypeError, ValueError):
            self._send({"type": "error", "message": "last_event_id is a whole number or null."})
            return
        self.live = False
        self.cursor = after
        if self.catching_up is not None:
            self.catching_up.cancel()
        self.catching_up = asyncio.get_running_loop().create_task(self._catch_up())

    async def _catch_up(self) -> None:
        """Read the log from the cursor until level with the feed, then go live."""
        while True:
            events = await read_events(self.access.pipeline_id, self.cursor)
            if events:
                self._enqueue(encode(events))
                self.cursor = events[-1]["id"]
            if len(events) < PAGE and self.cursor >= self.feed.head:
                self.live = True  # no await since the check: the feed cannot have moved on
                return

    def deliver(self, previous: int, events: list[dict[str, Any]], text: str) -> None:
        """A batch from the feed: the events after ``previous``."""
        if not self.live or self.cursor >= events[-1]["id"]:
            return
        if self.cursor < previous:  # should not happen; replay rather than leave a gap
            self._resume(self.cursor)
            return
        if self.cursor > previous:
            events = [e for e in events if e["id"] > self.cursor]
            text = encode(events)
        self._enqueue(text)
        self.cursor = events[-1]["id"]

    # --- sending in order ------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        self._enqueue(json.dumps(message, separators=(",", ":")))

    def _enqueue(self, text: str) -> None:
        if self.outbox.qsize() >= MAX_QUEUED:
            self.live = False
            self.tasks.append(asyncio.get_running_loop().create_task(self.close(code=TOO_SLOW)))
            return
        self.outbox.put_nowait(text)

    async def _write(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                text = await self.outbox.get()
                await self.send(text_data=text)

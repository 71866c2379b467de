"""One reader of a pipeline's event log per process, shared by all its sockets.

A feed wakes on the doorbell (a Channels group message, with Redis) or every ``TAIL_SECONDS``
(the embedded default tails the log: the in-memory layer does not cross processes), reads the
events after the last id it read, encodes them once, and hands them to every live socket. A
socket that is replaying (``last_event_id`` behind) reads the log itself until it reaches the
feed's position, then goes live: nothing is missed and nothing is sent twice, because every
step between checking the position and going live runs without yielding to the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from pipelines.services.runs_events import PAGE, event_head, event_json, events_after


class Subscriber(Protocol):
    def deliver(self, previous: int, events: list[dict[str, Any]], text: str) -> None: ...


def encode(events: list[dict[str, Any]]) -> str:
    return json.dumps({"type": "events", "events": events}, separators=(",", ":"))


def _events(pipeline_id: int, after: int, limit: int) -> list[dict[str, Any]]:
    return [event_json(e) for e in events_after(pipeline_id=pipeline_id, after=after, limit=limit)]


async def read_events(pipeline_id: int, after: int, limit: int = PAGE) -> list[dict[str, Any]]:
    """The pipeline's events after ``after`` (the ORM runs in Channels' database thread)."""
    events: list[dict[str, Any]] = await database_sync_to_async(_events)(pipeline_id, after, limit)
    return events


async def read_head(pipeline_id: int) -> int:
    head: int = await database_sync_to_async(event_head)(pipeline_id=pipeline_id)
    return head


class Feed:
    """The sockets of one pipeline in this process, and the one task reading for them."""

    def __init__(self, pipeline_id: int) -> None:
        self.pipeline_id = pipeline_id
        self.loop = asyncio.get_running_loop()
        #: Every event up to this id has been handed to the live subscribers.
        self.head = 0
        self.ready = asyncio.Event()
        self.subscribers: set[Subscriber] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def add(self, subscriber: Subscriber) -> None:
        self.subscribers.add(subscriber)
        if self._task is None or self._task.done():
            self.ready.clear()
            self._task = self.loop.create_task(self._run())

    def remove(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        self._wake.set()  # lets an idle reader notice it has no one left

    def ring(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        self.head = await read_head(self.pipeline_id)
        self.ready.set()
        poll = float(settings.JOINERY["TAIL_SECONDS"])
        while self.subscribers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), poll)
            self._wake.clear()
            if self.subscribers:
                await self._read()

    async def _read(self) -> None:
        while True:
            events = await read_events(self.pipeline_id, self.head)
            if not events:
                return
            previous, self.head = self.head, events[-1]["id"]
            text = encode(events)
            for subscriber in list(self.subscribers):
                subscriber.deliver(previous, events, text)
            if len(events) < PAGE:
                return


_feeds: dict[int, Feed] = {}


def feed_for(pipeline_id: int) -> Feed:
    """The pipeline's feed on this event loop (a server has one loop; tests start several)."""
    feed = _feeds.get(pipeline_id)
    if feed is None or feed.loop is not asyncio.get_running_loop():
        feed = _feeds[pipeline_id] = Feed(pipeline_id)
    return feed

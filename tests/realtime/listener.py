"""A browser-like socket client in a thread: reads a pipeline's events until a run finishes,
optionally dropping the connection now and then and resuming from its last id."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from websockets.sync.client import ClientConnection, connect


class Listener(threading.Thread):
    def __init__(
        self,
        url: str,
        token: str,
        *,
        reconnect_every: int | None = None,
        timeout: float = 90,
    ) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.token = token
        self.reconnect_every = reconnect_every
        self.deadline = time.monotonic() + timeout
        self.events: list[dict[str, Any]] = []
        self.reconnects = 0
        self.error: BaseException | None = None
        self.target: int | None = None
        self.connected = threading.Event()
        self.latencies: list[float] = []

    def finish_with(self, run_id: int) -> None:
        """Stop once run ``run_id`` has finished."""
        self.target = run_id

    @property
    def last_id(self) -> int:
        return self.events[-1]["id"] if self.events else 0

    def run(self) -> None:
        try:
            after: int | None = None  # the first connection starts from the head
            while not self._done():
                with connect(
                    self.url,
                    subprotocols=["bearer", self.token],
                    open_timeout=10,  # type: ignore[list-item]
                ) as socket:
                    self._listen(socket, after)
                after = self.last_id
                if not self._done():
                    self.reconnects += 1
                    time.sleep(0.2)  # events go on while the client is away
        except BaseException as error:  # reported by the test
            self.error = error
            self.connected.set()

    def _listen(self, socket: ClientConnection, after: int | None) -> None:
        """Resume after ``after``; read until the run finishes or it is time to reconnect."""
        hello = json.loads(socket.recv(timeout=10))
        assert hello["type"] == "hello", hello
        socket.send(
            json.dumps({"last_event_id": hello["last_event_id"] if after is None else after})
        )
        self.connected.set()
        frames = 0
        while not self._done():
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"no finished event for run {self.target}")
            try:
                frame = json.loads(socket.recv(timeout=1))
            except TimeoutError:
                continue
            arrived = time.time()
            assert frame["type"] == "events", frame
            self.events += frame["events"]
            self.latencies += [
                arrived - e["payload"]["at"]
                for e in frame["events"]
                if isinstance(e["payload"], dict) and "at" in e["payload"]
            ]
            frames += 1
            if self.reconnect_every and frames % self.reconnect_every == 0:
                return

    def _done(self) -> bool:
        return self.target is not None and any(
            e["kind"] == "finished" and e["run"] == self.target for e in self.events
        )

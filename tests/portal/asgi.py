"""One HTTP request through an ASGI application, as a server would send it, counting the trips
the request makes from the event loop to a worker thread."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import SyncToAsync


@dataclass
class AsgiResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    #: Names of the functions the request ran in a worker thread, in order.
    thread_trips: list[str] = field(default_factory=list)
    #: The body messages (a streamed response sends several).
    body_messages: int = 0


def asgi_get(
    application: Any, path: str, query: str = "", token: str | None = None
) -> AsgiResponse:
    headers = [(b"host", b"testserver")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "headers": headers,
        "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
    }  # fmt: skip
    trips: list[str] = []
    sent: list[dict[str, Any]] = []
    original = SyncToAsync.__call__

    async def counted(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(self.func, "__name__", repr(self.func)))
        return await original(self, *args, **kwargs)

    async def run() -> None:
        requests = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            if requests:
                return requests.pop()
            await asyncio.Event().wait()  # the client stays connected
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await application(scope, receive, send)

    SyncToAsync.__call__ = counted  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        SyncToAsync.__call__ = original  # type: ignore[method-assign]
    start = next(m for m in sent if m["type"] == "http.response.start")
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    return AsgiResponse(
        status=start["status"],
        headers={k.decode().lower(): v.decode() for k, v in start["headers"]},
        body=b"".join(m.get("body", b"") for m in bodies),
        thread_trips=trips,
        body_messages=len(bodies),
    )

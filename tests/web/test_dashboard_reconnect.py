"""The dashboard's socket dropped in a real browser: the page says it is reconnecting, comes back
by itself, resumes from the last event it had (not from now), and shows the run that ran while it
was away through to its end."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from playwright.sync_api import WebSocketRoute, expect

from tests.web.harness import WebStack
from tests.web.steps_dashboard import open_dashboard, wait_progress_complete

SOCKET = "**/ws/pipelines/demo/"


def test_a_dropped_socket_reconnects_and_resumes_from_its_last_event(web: WebStack) -> None:
    page = web.page("demo")
    connections: list[list[dict[str, Any]]] = []  # what the page sent on each connection
    sockets: list[WebSocketRoute] = []
    reachable = {"server": True}

    def route(socket: WebSocketRoute) -> None:
        sent: list[dict[str, Any]] = []
        connections.append(sent)
        sockets.append(socket)
        if not reachable["server"]:
            socket.close()  # the server is away: this attempt fails
            return
        server = socket.connect_to_server()

        def forward(message: str | bytes) -> None:
            sent.append(json.loads(message))
            server.send(message)

        socket.on_message(forward)

    page.route_web_socket(SOCKET, route)
    open_dashboard(page, "demo")
    first = connections[0]
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    assert first and "last_event_id" in first[0]

    # The socket drops and the server stays away while a run starts and finishes.
    reachable["server"] = False
    dropped = len(connections)
    sockets[-1].close(code=1011, reason="network gone")
    expect(page.get_by_role("status").filter(has_text="Reconnecting")).to_be_visible()
    for _ in range(100):  # it tries again by itself (and fails: the server is away)
        if len(connections) > dropped:
            break
        page.wait_for_timeout(100)
    assert len(connections) > dropped, "no reconnect attempt within 10 s"

    session_idx = random.randint(30001, 32000)
    web.api_as(page, "POST", "/api/pipelines/demo/tables/demo/Session/rows/", {"rows": [
        {"subject_id": 3, "session_idx": session_idx, "session_date": "2026-08-01",
         "duration": 1.0}]})  # fmt: skip
    run = web.api_as(page, "POST", "/api/pipelines/demo/runs/",
                     {"schema": "demo", "table": "Recording"})  # fmt: skip
    finished = _wait(web, page, run["id"])

    reachable["server"] = True
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible(timeout=30_000)
    resumed = connections[-1]
    assert resumed and isinstance(resumed[0]["last_event_id"], int), resumed  # not "from now"
    assert resumed[0]["last_event_id"] >= (first[0]["last_event_id"] or 0)
    item = wait_progress_complete(page, "Recording", status=finished["status"])
    expect(item).to_have_attribute("data-run", str(run["id"]))
    page.context.close()


def _wait(web: WebStack, page: Any, run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run: dict[str, Any] = web.api_as(page, "GET", f"/api/pipelines/demo/runs/{run_id}/")
        if run["status"] in ("succeeded", "failed", "cancelled"):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish")

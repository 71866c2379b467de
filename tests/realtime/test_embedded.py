# mypy: disable-error-code="attr-defined, call-arg, misc"
"""The embedded default end to end: daphne and a Celery worker on the file-system broker,
SQLite portal and data databases, the in-memory channel layer (so the socket tails the log).

A run started through the API reaches a real websocket client event by event; the final
status and counts agree with the table. A slow run is cancelled through the API and stops
within one key. Outsiders' and anonymous sockets are refused at the handshake.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

import pipelines.core as dj
from tests.conftest import _config
from tests.portal.runs.code_module import bind, fill, write_module
from tests.realtime.listener import Listener
from tests.realtime.stack import Stack

KEYS = 200
SCHEMA = "embedded"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Stack, ModuleType]]:
    data_url = f"sqlite:///{tmp_path / 'data.sqlite3'}"
    module = write_module(tmp_path)
    connection = dj.Connection(url=data_url, config=_config())
    bind(module, SCHEMA, connection)
    fill(module, KEYS)
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "DATA_DATABASE_URL": data_url,
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "CELERY_BROKER_FOLDER": str(tmp_path / "broker"),
        "CHANNEL_LAYER_URL": "",
        "REDIS_URL": "",
        "JOINERY_PIPELINE_MODULES": f"{module.__name__}@{SCHEMA}",
        "JOINERY_HEARTBEAT_INTERVAL": "1",
        "JOINERY_HEARTBEAT_TIMEOUT": "4",
    }
    with Stack(tmp_path, env) as running:
        running.prepare([SCHEMA])
        running.start_worker("worker")
        running.start_server()
        yield running, module
    connection.close()


def test_a_run_streams_every_event_to_a_socket_and_a_cancel_stops_within_a_key(
    stack: tuple[Stack, ModuleType],
) -> None:
    running, module = stack
    listener = Listener(running.ws_url("/ws/pipelines/lab/"), running.tokens["viewer"])
    listener.start()
    assert listener.connected.wait(15) and listener.error is None
    run = running.api("POST", "/api/pipelines/lab/runs/", {"schema": SCHEMA, "table": "Doubled"})
    listener.finish_with(run["id"])
    finished = running.wait_for_run(run["id"], timeout=90)
    listener.join(30)
    assert listener.error is None, listener.error
    assert finished["status"] == "succeeded", finished
    assert finished["total"] == finished["done"] == KEYS == len(module.Doubled())
    logged = running.run_events(run["id"])
    received = [e for e in listener.events if e["run"] == run["id"]]
    assert [e["id"] for e in received] == [e["id"] for e in logged]  # every event, in order
    done = [e["key"]["n"] for e in received if e["kind"] == "key_done"]
    assert sorted(done) == list(range(1, KEYS + 1))
    assert received[-1]["kind"] == "finished" and received[-1]["payload"]["done"] == KEYS
    assert {"started", "worker_started", "worker_finished"} <= {e["kind"] for e in received}
    _cancel_a_slow_run(running, module)
    _refuse_strangers(running)
    assert "ERROR" not in running.log("worker") and "Traceback" not in running.log("server")


def _cancel_a_slow_run(running: Stack, module: ModuleType) -> None:
    """Each key of Slowly takes 0.3 s; the cancel comes after three keys."""
    run = running.api("POST", "/api/pipelines/lab/runs/", {"schema": SCHEMA, "table": "Slowly"})
    deadline = time.monotonic() + 60
    while len(module.Slowly()) < 3:
        assert time.monotonic() < deadline, running.log("worker")
        time.sleep(0.05)
    running.api("POST", f"/api/pipelines/lab/runs/{run['id']}/cancel/")
    made_at_cancel = len(module.Slowly())
    finished = running.wait_for_run(run["id"], timeout=60)
    assert finished["status"] == "cancelled"
    assert len(module.Slowly()) - made_at_cancel <= 1  # at most the key in hand
    assert finished["done"] == len(module.Slowly()) < KEYS
    jobs = module.Slowly().jobs.progress()
    assert jobs["reserved"] == 0 and jobs["error"] == 0
    kinds = [e["kind"] for e in running.run_events(run["id"])]
    after_cancel = kinds[kinds.index("cancel_requested") :]
    assert after_cancel.count("key_done") <= 1 and kinds[-1] == "finished"


def _refuse_strangers(running: Stack) -> None:
    attempts: list[dict[str, Any]] = [
        {"subprotocols": ["bearer", running.tokens["outsider"]]},
        {},  # anonymous: no cookie, no token
        {"subprotocols": ["bearer", "jnr_forged"]},
    ]
    for options in attempts:
        with pytest.raises(InvalidStatus) as refused:
            connect(running.ws_url("/ws/pipelines/lab/"), open_timeout=10, **options)
        assert refused.value.response.status_code == 403

"""The engine's connection to the data database (``DATA_DATABASE_URL``).

A thread holds one session per URL while it works: an engine connection is one database session
and must not be used by two threads at once. Under ASGI, Django runs each request's views in a
thread of its own, so sessions are pooled: a request takes an idle session (or opens one) on
first use and gives it back when it finishes (``release_data_connections`` on
``request_finished``), keeping the server's connection and the table headings it has loaded.
Threads outside a request cycle (Celery workers, scripts, tests) keep theirs.

The portal never prompts, so ``safemode`` is off for it; deletes are confirmed through the API's
preview-and-token flow.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings

import pipelines.core as dj
from pipelines.core.errors import LostConnectionError
from pipelines.core.settings import Config

#: Idle sessions kept per URL; more are closed when given back.
MAX_IDLE = 8

_local = threading.local()
_idle: dict[str, list[dj.Connection]] = {}
_idle_lock = threading.Lock()


def data_database_url() -> str:
    return str(settings.JOINERY["DATA_DATABASE_URL"])


def data_connection() -> dj.Connection:
    """This thread's session on the data database (the engine reconnects a dropped session
    by itself outside transactions)."""
    url = data_database_url()
    connections: dict[str, dj.Connection] = _local.__dict__.setdefault("connections", {})
    connection = connections.get(url)
    if connection is None:
        connection = _take_idle(url) or _open(url)
        connections[url] = connection
    return connection


def release_data_connections(**_: Any) -> None:
    """Give this thread's sessions back to the pool (a request finished)."""
    for url, connection in _local.__dict__.pop("connections", {}).items():
        try:
            if connection.in_transaction:
                connection.cancel_transaction()
        except LostConnectionError:
            connection.close()
            continue
        with _idle_lock:
            pool = _idle.setdefault(url, [])
            if len(pool) < MAX_IDLE:
                pool.append(connection)
                continue
        connection.close()


def close_data_connections() -> None:
    """Close this thread's sessions and the idle ones (tests, worker shutdown)."""
    for connection in _local.__dict__.pop("connections", {}).values():
        connection.close()
    with _idle_lock:
        idle = [c for pool in _idle.values() for c in pool]
        _idle.clear()
    for connection in idle:
        connection.close()


def _take_idle(url: str) -> dj.Connection | None:
    with _idle_lock:
        pool = _idle.get(url)
        return pool.pop() if pool else None


def _open(url: str) -> dj.Connection:
    config = Config(environ={})
    config["safemode"] = False
    return dj.Connection(url=url, config=config)

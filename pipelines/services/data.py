"""The engine's connection to the data database (``DATA_DATABASE_URL``).

One connection per thread and URL: an engine connection is one database session and must not
be shared between threads (a web server runs views on several). The portal never prompts, so
``safemode`` is off for it; deletes are confirmed through the API's preview-and-token flow.
"""

from __future__ import annotations

import threading

from django.conf import settings

import pipelines.core as dj
from pipelines.core.settings import Config

_local = threading.local()


def data_database_url() -> str:
    return str(settings.JOINERY["DATA_DATABASE_URL"])


def data_connection() -> dj.Connection:
    """This thread's session on the data database (the engine reconnects a dropped session
    by itself outside transactions)."""
    url = data_database_url()
    connections: dict[str, dj.Connection] = _local.__dict__.setdefault("connections", {})
    connection = connections.get(url)
    if connection is None:
        config = Config(environ={})
        config["safemode"] = False
        connection = dj.Connection(url=url, config=config)
        connections[url] = connection
    return connection


def close_data_connections() -> None:
    """Close this thread's sessions (tests, worker shutdown)."""
    for connection in _local.__dict__.pop("connections", {}).values():
        connection.close()

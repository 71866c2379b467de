"""The process-wide ``dj.config`` and the lazily built default connection ``dj.conn()``."""

from __future__ import annotations

import logging

from ..errors import DataJointError
from ..settings import Config
from .connection import Connection

config = Config()
config.watch("loglevel", lambda level: logging.getLogger("pipelines.core").setLevel(level))
_shared: list[Connection] = []


def conn(
    host: str | None = None,
    user: str | None = None,
    password: str | None = None,
    *,
    reset: bool = False,
) -> Connection:
    """The shared connection, built from ``dj.config`` on first use (or rebuilt with reset)."""
    if _shared and not reset and host is None:
        return _shared[0]
    if host is None and config["database.url"] is None and config["database.user"] is None:
        raise DataJointError(
            "Database user not configured. Set dj.config['database.user'] or pass user= "
            "argument, or set database.url (DJ_DATABASE_URL) to mysql://… or sqlite:///…"
        )
    connection = Connection(host, user, password, config=config)
    _shared[:] = [connection]
    return connection

# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""``database.lock_wait_timeout``: a statement blocked by another session's lock fails in time.

Without it a MariaDB session waits up to a day for a table lock held by an open transaction
elsewhere (a notebook left mid-transaction, a hung worker); with it the waiter gets a clear error
after the configured seconds and its own transaction is left to roll back, on both backends.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import pipelines.core as dj
from pipelines.core.settings import Config


def _connection(conn: dj.Connection, lock_wait: int | None) -> dj.Connection:
    config = Config(environ={})
    config["safemode"] = False
    config["database.lock_wait_timeout"] = lock_wait
    a = conn.address
    if a.backend == "sqlite":
        url = f"sqlite:///{a.path}"
    else:
        url = f"mysql://{a.user or ''}:{a.password or ''}@{a.host}:{a.port}"
    return dj.Connection(url=url, config=config)


@pytest.fixture
def counter(schema: dj.Schema) -> type[dj.Manual]:
    @schema
    class Counter(dj.Manual):
        definition = """
        counter_id : int32
        ---
        value : int32
        """

    Counter.insert1({"counter_id": 1, "value": 0})
    return Counter


@pytest.fixture
def impatient(conn: dj.Connection, schema: dj.Schema) -> Iterator[dj.Connection]:
    connection = _connection(conn, lock_wait=1)
    dj.Schema(schema.database, connection=connection)  # SQLite attaches the schema's file
    yield connection
    connection.close()


def test_the_setting_reaches_the_mysql_session(mysql_connection: dj.Connection) -> None:
    connection = _connection(mysql_connection, lock_wait=7)
    try:
        row = connection.query(
            "SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout"
        ).fetchone()
        assert tuple(int(v) for v in row) == (7, 7)
    finally:
        connection.close()


def test_a_blocked_write_fails_after_the_timeout_and_changes_nothing(
    conn: dj.Connection, counter: type[dj.Manual], impatient: dj.Connection, tmp_path: Path
) -> None:
    table = conn.dialect.table_ref(counter.database, counter.table_name)
    with conn.transaction:
        conn.query(f"UPDATE {table} SET value = 1 WHERE counter_id = 1")
        started = time.monotonic()
        with pytest.raises(dj.LockTimeoutError), impatient.transaction:
            impatient.query(f"UPDATE {table} SET value = 2 WHERE counter_id = 1")
        waited = time.monotonic() - started
        assert 0.5 <= waited < 15
    assert impatient.query(f"SELECT value FROM {table}").fetchone()[0] == 1
    assert not impatient.in_transaction

"""Shared fixtures. Engine tests take ``conn``: one run on SQLite and one on MariaDB.

MariaDB comes from ``JOINERY_TEST_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``). If it
cannot be reached the MariaDB tests fail, never skip: both backends are part of the suite.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import pytest

import pipelines.core as dj
from pipelines.core.settings import Config

MYSQL_URL = os.environ.get("JOINERY_TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306")
_counter = itertools.count()


def _config() -> Config:
    config = Config(environ={})
    config["safemode"] = False
    # A test that waits on a lock another session holds fails in a minute instead of stalling.
    config["database.lock_wait_timeout"] = 60
    return config


@pytest.fixture(scope="session")
def mysql_connection() -> Iterator[dj.Connection]:
    try:
        connection = dj.Connection(url=MYSQL_URL, config=_config())
    except dj.LostConnectionError as error:
        pytest.fail(
            f"MariaDB is required for the test suite and is unreachable at {MYSQL_URL}: "
            f"{error}. Start it (.ci/run does) or set JOINERY_TEST_MYSQL_URL."
        )
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def sqlite_connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dj.Connection]:
    path = tmp_path_factory.mktemp("data") / "data.sqlite3"
    connection = dj.Connection(url=f"sqlite:///{path}", config=_config())
    yield connection
    connection.close()


@pytest.fixture(params=["sqlite", "mysql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def conn(backend: str, request: pytest.FixtureRequest) -> dj.Connection:
    """A connection to the backend under test (parametrized: SQLite and MariaDB)."""
    fixture = "mysql_connection" if backend == "mysql" else "sqlite_connection"
    connection: dj.Connection = request.getfixturevalue(fixture)
    return connection


@pytest.fixture
def schema_name() -> str:
    return f"jt_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def schema(conn: dj.Connection, schema_name: str) -> Iterator[dj.Schema]:
    """A fresh, empty schema on the backend under test, dropped afterwards."""
    created = dj.Schema(schema_name, connection=conn)
    yield created
    if conn.in_transaction:
        conn.cancel_transaction()
    created.drop(prompt=False)

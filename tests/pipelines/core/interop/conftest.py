"""Fixtures of the interop suite: DataJoint 2.3.5's connection and schemas of either client.

Every schema a test makes gets a name of its own and is dropped afterwards, downstream schemas
first (a schema another one references cannot be dropped before it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import pipelines.core as dj
from tests.pipelines.core.interop.interop_fixture import oracle_connection, unique_name

SchemaMaker = Callable[[Any, str], Any]


@pytest.fixture(scope="module")
def oracle() -> Any:
    """DataJoint's own connection to the MariaDB server the tests run on."""
    return oracle_connection()


@pytest.fixture
def new_schema(mysql_connection: dj.Connection, oracle: Any) -> Iterator[SchemaMaker]:
    """``new_schema(client, side)``: a fresh schema opened by ``dj`` or by ``datajoint``.

    Make upstream schemas first: they are dropped in the reverse order.
    """
    names: list[str] = []

    def make(client: Any, side: str) -> Any:
        name = unique_name(side)
        names.append(name)
        return client.Schema(name, connection=mysql_connection if client is dj else oracle)

    try:
        yield make
    finally:
        if mysql_connection.in_transaction:
            mysql_connection.cancel_transaction()
        failures: list[BaseException] = []
        for name in reversed(names):
            try:
                dj.Schema(name, connection=mysql_connection, create_schema=False).drop(prompt=False)
            except Exception as error:  # drop the others still, then report the first failure
                failures.append(error)
        if failures:
            raise failures[0]

# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""Queueing jobs while other workers write: no deadlock, no lock wait, retried if one happens."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.settings import Config


def _declare(schema: dj.Schema) -> SimpleNamespace:
    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        """

    @schema
    class Made(dj.Computed):
        definition = """
        -> Source
        """

        def make(self, key: dict[str, Any]) -> None:
            self.insert1(key)

    return SimpleNamespace(Source=Source, Made=Made)


def test_queueing_reads_past_another_workers_uncommitted_results(
    mysql_connection: dj.Connection, schema_name: str
) -> None:
    """A worker in the middle of a commit group holds row locks on the results it inserted;
    a refresh in another session must not wait for them (it reads committed data only).
    Row locks are the server's (SQLite locks the whole file, and waits its busy timeout)."""
    schema = dj.Schema(schema_name, connection=mysql_connection)
    lab = _declare(schema)
    lab.Source.insert({"source_id": i} for i in range(10))
    lab.Made().jobs.declare()
    config = Config(environ={})
    config["database.lock_wait_timeout"] = 1
    a = mysql_connection.address
    other = dj.Connection(url=f"mysql://{a.user}:@{a.host}:{a.port}", config=config)
    try:
        mysql_connection.start_transaction()
        made = dj.FreeTable(mysql_connection, lab.Made.full_table_name)
        made.insert1({"source_id": 5}, allow_direct_insert=True)  # uncommitted: row locked
        schema_there = dj.Schema(schema.database, connection=other)
        there = _declare(schema_there)
        assert there.Made().jobs.refresh()["added"] == 10  # did not wait for the lock
    finally:
        if mysql_connection.in_transaction:
            mysql_connection.cancel_transaction()
        other.close()
        schema.drop(prompt=False)


def test_a_refresh_that_meets_a_deadlock_is_retried(
    schema: dj.Schema, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    lab = _declare(schema)
    lab.Source.insert({"source_id": i} for i in range(3))
    jobs_class = type(lab.Made().jobs)
    real = jobs_class.refresh
    calls: list[int] = []

    def deadlocking_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise dj.LockTimeoutError("Deadlock found when trying to get lock")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jobs_class, "refresh", deadlocking_once)
    with caplog.at_level(logging.WARNING, logger="pipelines.core"):
        result = lab.Made.populate(reserve_jobs=True)
    assert result["success_count"] == 3 and len(calls) == 2
    assert "Refreshing the job queue failed" in caplog.text


def test_a_refresh_mistake_is_not_retried(
    schema: dj.Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = _declare(schema)
    jobs_class = type(lab.Made().jobs)
    calls: list[int] = []

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        raise dj.DataJointError("the key source is not a query")

    monkeypatch.setattr(jobs_class, "refresh", broken)
    with pytest.raises(dj.DataJointError, match="key source is not a query"):
        lab.Made.populate(reserve_jobs=True)
    assert len(calls) == 1

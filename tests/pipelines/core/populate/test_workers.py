# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""``populate(processes=N)``: keys made by worker processes, each exactly once (§5.4, §5.8)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

import pipelines.core as dj
from pipelines.core.populate.workers import worker_count
from tests.pipelines.core.populate.pipeline_fixture import build

KEYS = 24


@pytest.fixture
def pipeline(schema: dj.Schema) -> SimpleNamespace:
    tables = build(schema)
    tables.Source.insert({"source_id": i, "value": 100 + i} for i in range(KEYS))
    return tables


def _workers_expected() -> int:
    return min(2, os.cpu_count() or 1)


def test_two_processes_make_every_key_exactly_once(
    pipeline: SimpleNamespace, conn: dj.Connection
) -> None:
    result = pipeline.Square.populate(processes=2)
    assert result == {"success_count": KEYS, "error_list": []}
    rows = pipeline.Square.to_dicts()
    assert sorted(r["source_id"] for r in rows) == list(range(KEYS))
    assert len(pipeline.Square.Digit()) == 3 * KEYS
    workers = {r["worker"] for r in rows}
    assert os.getpid() not in workers
    # Usually both workers get keys, but a worker may finish them all before the other starts.
    assert 1 <= len(workers) <= _workers_expected()
    assert conn.is_connected and not conn.in_transaction  # the parent reconnected


def test_worker_errors_are_merged_into_the_result(pipeline: SimpleNamespace) -> None:
    result = pipeline.Failing.populate(processes=2, suppress_errors=True)
    assert result["success_count"] == KEYS // 2
    messages = dict((key["source_id"], message) for key, message in result["error_list"])
    assert sorted(messages) == list(range(1, KEYS, 2))
    assert messages[1] == "ValueError: odd value 101"
    assert sorted(pipeline.Failing.to_arrays("source_id")) == list(range(0, KEYS, 2))


def test_a_worker_error_is_raised_in_the_parent(
    pipeline: SimpleNamespace, conn: dj.Connection
) -> None:
    with pytest.raises(ValueError, match="odd value"):
        pipeline.Failing.populate("source_id < 4", processes=2)
    assert conn.is_connected


def test_workers_reserve_their_own_jobs(pipeline: SimpleNamespace) -> None:
    result = pipeline.Square.populate(processes=2, reserve_jobs=True)
    assert result["success_count"] == KEYS
    assert sorted(pipeline.Square.to_arrays("source_id")) == list(range(KEYS))
    progress = pipeline.Square().jobs.progress()
    assert progress["pending"] == 0 and progress["reserved"] == 0


def test_worker_count_is_capped_by_keys_and_cpus() -> None:
    cpus = os.cpu_count() or 1
    assert worker_count(1, 100) == 1
    assert worker_count(4, 1) == 1
    assert worker_count(4, 0) == 1
    assert worker_count(3, 2) == min(2, cpus)
    assert worker_count(None, 1000) == cpus
    assert worker_count(0, 1000) == cpus
    assert worker_count(10_000, 100_000) == cpus


def test_a_dead_worker_stops_the_run_with_an_error_instead_of_hanging(
    pipeline: SimpleNamespace, schema: dj.Schema, conn: dj.Connection
) -> None:
    Source = pipeline.Source  # noqa: F841 (named in the definition)
    parent = os.getpid()

    @schema
    class Fragile(dj.Computed):
        definition = """
        -> Source
        ---
        doubled : int32
        """

        def make(self, key: dict) -> None:
            if key["source_id"] == 5 and os.getpid() != parent:
                os._exit(3)  # the worker dies mid-key, as under the OOM killer
            self.insert1({**key, "doubled": 2 * key["source_id"]})

    with pytest.raises(dj.DataJointError, match="worker process of Fragile died"):
        Fragile.populate(processes=2)
    assert conn.is_connected and not conn.in_transaction
    assert 5 not in set(Fragile.to_arrays("source_id"))
    made_before = len(Fragile())
    assert Fragile.populate()["success_count"] == KEYS - made_before
    assert sorted(Fragile.to_arrays("source_id")) == list(range(KEYS))

# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""Direct-mode populate in commit groups (``populate/grouped.py``), on both backends.

Many keys share a transaction, yet every key stays all-or-nothing: a failing key leaves no row
(master or part), the keys made before it in its group still commit, its ``make`` is not
called twice, the progress sink hears of a key only once it is committed, and an interrupted
group leaves nothing behind that a second run cannot finish.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate import grouped
from pipelines.core.populate.outcome import RunSettings
from pipelines.core.populate.progress import NullSink

KEYS = 40


@pytest.fixture
def calls() -> list[int]:
    return []


@pytest.fixture
def pipeline(schema: dj.Schema, calls: list[int]) -> SimpleNamespace:
    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        ---
        value : int32
        """

    @schema
    class Tripled(dj.Computed):
        definition = """
        -> Source
        ---
        tripled : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : int16
            """

        fail_on: frozenset[int] = frozenset()
        interrupt_on: int | None = None

        def make(self, key: dict[str, Any]) -> None:
            calls.append(key["source_id"])
            value = (Source & key).fetch1("value")
            self.insert1({**key, "tripled": 3 * value})
            self.Piece.insert({**key, "piece": p} for p in range(2))
            if key["source_id"] in self.fail_on:
                raise ValueError(f"cannot triple {value}")  # after master and parts were inserted
            if key["source_id"] == self.interrupt_on:
                raise KeyboardInterrupt

    Source.insert({"source_id": i, "value": i} for i in range(KEYS))
    return SimpleNamespace(Source=Source, Tripled=Tripled)


class CommitCounter:
    def __init__(self, conn: dj.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = conn.commit_transaction

        def counting() -> None:
            self.count += 1
            original()

        monkeypatch.setattr(conn, "commit_transaction", counting)


class RecordingSink(NullSink):
    def __init__(self, conn: dj.Connection) -> None:
        self.conn = conn
        self.started_keys: list[int] = []
        self.done: list[int] = []
        self.failed: list[int] = []
        self.committed_when_done: list[bool] = []

    def key_started(self, key: dict[str, Any]) -> None:
        self.started_keys.append(key["source_id"])

    def key_done(self, key: dict[str, Any], duration: float) -> None:
        self.done.append(key["source_id"])
        self.committed_when_done.append(not self.conn.in_transaction)

    def key_failed(self, key: dict[str, Any], error: BaseException, message: str) -> None:
        self.failed.append(key["source_id"])


def test_a_clean_run_commits_in_groups(
    pipeline: SimpleNamespace, conn: dj.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits = CommitCounter(conn, monkeypatch)
    assert pipeline.Tripled.populate() == {"success_count": KEYS, "error_list": []}
    assert len(pipeline.Tripled()) == KEYS and len(pipeline.Tripled.Piece()) == 2 * KEYS
    assert 1 < commits.count < KEYS // 4  # groups of 1, 2, 4, 8, 16, ... keys


def test_group_size_and_duration_are_bounded(
    pipeline: SimpleNamespace, conn: dj.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grouped, "GROUP_MAX_KEYS", 4)
    commits = CommitCounter(conn, monkeypatch)
    pipeline.Tripled.populate()
    assert commits.count >= KEYS // 4
    monkeypatch.setattr(grouped, "GROUP_SECONDS", 0.0)  # every key its own transaction
    pipeline.Tripled.Piece.delete_quick()
    pipeline.Tripled.delete_quick()
    commits.count = 0
    pipeline.Tripled.populate()
    assert commits.count == KEYS


def test_a_failing_key_rolls_back_alone_and_its_make_runs_once(
    pipeline: SimpleNamespace, conn: dj.Connection, calls: list[int]
) -> None:
    pipeline.Tripled.fail_on = frozenset({5, 6, 30})
    sink = RecordingSink(conn)
    result = pipeline.Tripled.populate(suppress_errors=True, progress_sink=sink)
    assert result["success_count"] == KEYS - 3
    assert [key["source_id"] for key, _ in result["error_list"]] == [5, 6, 30]
    assert result["error_list"][0][1] == "ValueError: cannot triple 5"
    made = set(pipeline.Tripled.to_arrays("source_id"))
    assert made == set(range(KEYS)) - {5, 6, 30}
    assert set(pipeline.Tripled.Piece.to_arrays("source_id")) == made  # no orphaned parts
    assert [calls.count(k) for k in (5, 6, 30)] == [1, 1, 1]
    assert sorted(sink.done) == sorted(made) and sink.failed == [5, 6, 30]
    assert all(sink.committed_when_done)
    assert sorted(sink.started_keys) == list(range(KEYS))  # a re-made key is announced once


def test_keys_before_an_unsuppressed_error_are_committed(
    pipeline: SimpleNamespace, calls: list[int], conn: dj.Connection
) -> None:
    pipeline.Tripled.fail_on = frozenset({12})
    with pytest.raises(ValueError, match="cannot triple 12"):
        pipeline.Tripled.populate()
    made = sorted(pipeline.Tripled.to_arrays("source_id"))
    assert made == sorted({k for k in calls[: calls.index(12)]})  # all keys tried before 12
    assert 12 not in made and not conn.in_transaction
    assert calls.count(12) == 1


def test_an_interrupted_group_leaves_nothing_a_second_run_cannot_finish(
    pipeline: SimpleNamespace, conn: dj.Connection
) -> None:
    pipeline.Tripled.interrupt_on = 20
    with pytest.raises(KeyboardInterrupt):
        pipeline.Tripled.populate()
    assert not conn.in_transaction
    assert 20 not in set(pipeline.Tripled.to_arrays("source_id"))
    assert set(pipeline.Tripled.Piece.to_arrays("source_id")) == set(
        pipeline.Tripled.to_arrays("source_id")
    )
    pipeline.Tripled.interrupt_on = None
    pipeline.Tripled.populate()
    assert sorted(pipeline.Tripled.to_arrays("source_id")) == list(range(KEYS))


def test_a_key_another_session_made_first_is_skipped_without_losing_the_group(
    pipeline: SimpleNamespace, conn: dj.Connection
) -> None:
    # As if another worker committed key 9 after this run listed its pending keys.
    keys = pipeline.Tripled.key_source.keys()
    table = pipeline.Tripled()
    table.insert1({"source_id": 9, "tripled": 27}, allow_direct_insert=True)
    outcomes = list(table._run_here(keys, RunSettings(suppress_errors=True)))
    statuses = {o[1]["source_id"]: o[0] for o in outcomes}
    assert statuses[9] == "skipped"
    assert sum(1 for s in statuses.values() if s == "success") == KEYS - 1
    assert len(table) == KEYS

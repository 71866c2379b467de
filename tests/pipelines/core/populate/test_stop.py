# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""A progress sink stops ``populate()`` cooperatively by raising ``StopPopulate`` (a cancelled run).

Between keys (``key_started``) the keys already made commit; inside ``make`` (through
``progress_update``) the key is rolled back. No key is recorded as failed, the jobs not made go
back to the queue, no transaction stays open, and a later populate finishes the table.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate.progress import NullSink, StopPopulate

KEYS = 12


class StopAt(NullSink):
    """Raises ``StopPopulate`` when key ``n`` starts (``where="start"``) or reports progress."""

    def __init__(self, n: int, where: str) -> None:
        self.n = n
        self.where = where
        self.events: list[tuple[str, int]] = []

    def key_started(self, key: dict[str, Any]) -> None:
        self.events.append(("started", key["n"]))
        if self.where == "start" and key["n"] == self.n:
            raise StopPopulate

    def key_progress(self, key: dict[str, Any], fraction: float, message: str) -> None:
        if self.where == "progress" and key["n"] == self.n:
            raise StopPopulate

    def key_done(self, key: dict[str, Any], duration: float) -> None:
        self.events.append(("done", key["n"]))

    def key_failed(self, key: dict[str, Any], error: BaseException, message: str) -> None:
        self.events.append(("failed", key["n"]))

    def finished(self, success_count: int, error_count: int) -> None:
        self.events.append(("finished", success_count))


@pytest.fixture
def tables(schema: dj.Schema) -> SimpleNamespace:
    calls: list[int] = []

    @schema
    class Number(dj.Lookup):
        definition = "n : int32"
        contents = [{"n": n} for n in range(1, KEYS + 1)]

    @schema
    class Doubled(dj.Computed):
        definition = """
        -> Number
        ---
        doubled : int32
        """

        class Note(dj.Part):
            definition = """
            -> master
            """

        def make(self, key: dict[str, Any]) -> None:
            calls.append(key["n"])
            self.insert1({**key, "doubled": 2 * key["n"]})
            self.Note.insert1(key)  # written before progress: a rollback must remove both rows
            self.progress_update(0.5, "half")

    @schema
    class Staged(dj.Computed):
        definition = """
        -> Number
        ---
        tripled : int32
        """

        def make_fetch(self, key: dict[str, Any]) -> tuple[int]:
            return (key["n"],)

        def make_compute(self, key: dict[str, Any], n: int) -> tuple[int]:
            self.progress_update(0.5, "computing")
            return (3 * n,)

        def make_insert(self, key: dict[str, Any], tripled: int) -> None:
            self.insert1({**key, "tripled": tripled})

    return SimpleNamespace(Number=Number, Doubled=Doubled, Staged=Staged, calls=calls)


def _made(table: Any) -> list[int]:
    return sorted(row["n"] for row in table.proj().to_dicts())


@pytest.mark.parametrize("reserve_jobs", [False, True])
def test_stop_between_keys_commits_the_keys_made_and_raises(
    tables: SimpleNamespace, reserve_jobs: bool
) -> None:
    sink = StopAt(4, "start")
    with pytest.raises(StopPopulate):
        tables.Doubled.populate(reserve_jobs=reserve_jobs, progress_sink=sink)
    assert _made(tables.Doubled) == [1, 2, 3]
    assert sorted(row["n"] for row in tables.Doubled.Note.to_dicts()) == [1, 2, 3]
    assert 4 not in tables.calls  # the key was never begun
    assert ("failed", 4) not in sink.events
    assert sink.events[-1] == ("finished", 3)
    assert not tables.Doubled().connection.in_transaction
    if reserve_jobs:
        jobs = tables.Doubled().jobs
        progress = jobs.progress()
        assert progress["reserved"] == 0 and progress["error"] == 0
        assert progress["pending"] == KEYS - 3
    tables.Doubled.populate(reserve_jobs=reserve_jobs)
    assert _made(tables.Doubled) == list(range(1, KEYS + 1))


@pytest.mark.parametrize("reserve_jobs", [False, True])
def test_stop_inside_make_rolls_the_key_back_without_an_error(
    tables: SimpleNamespace, reserve_jobs: bool
) -> None:
    sink = StopAt(5, "progress")
    with pytest.raises(StopPopulate):
        tables.Doubled.populate(reserve_jobs=reserve_jobs, progress_sink=sink)
    made = _made(tables.Doubled)
    assert 5 not in made and all(n < 5 for n in made)
    assert sorted(row["n"] for row in tables.Doubled.Note.to_dicts()) == made
    assert tables.calls.count(5) == 1  # stopped once, not retried
    assert ("failed", 5) not in sink.events
    assert not tables.Doubled().connection.in_transaction
    if reserve_jobs:
        progress = tables.Doubled().jobs.progress()
        assert progress["reserved"] == 0 and progress["error"] == 0
        assert progress["pending"] == KEYS - len(made)
    tables.Doubled.populate(reserve_jobs=reserve_jobs)
    assert _made(tables.Doubled) == list(range(1, KEYS + 1))


@pytest.mark.parametrize("where", ["start", "progress"])
def test_stop_with_a_generator_make_releases_the_key(tables: SimpleNamespace, where: str) -> None:
    sink = StopAt(3, where)
    with pytest.raises(StopPopulate):
        tables.Staged.populate(reserve_jobs=True, progress_sink=sink)
    assert _made(tables.Staged) == [1, 2]
    progress = tables.Staged().jobs.progress()
    assert progress["reserved"] == 0 and progress["error"] == 0
    assert progress["pending"] == KEYS - 2
    assert not tables.Staged().connection.in_transaction
    tables.Staged.populate(reserve_jobs=True)
    assert _made(tables.Staged) == list(range(1, KEYS + 1))


def test_make_catching_exception_does_not_swallow_the_stop(schema: dj.Schema) -> None:
    @schema
    class Item(dj.Lookup):
        definition = "n : int32"
        contents = [{"n": 1}, {"n": 2}]

    @schema
    class Careful(dj.Computed):
        definition = """
        -> Item
        """

        def make(self, key: dict[str, Any]) -> None:
            # A make that guards its own work must not eat a cancellation.
            with contextlib.suppress(Exception):
                self.progress_update(0.1)
            self.insert1(key)

    with pytest.raises(StopPopulate):
        Careful.populate(suppress_errors=True, progress_sink=StopAt(1, "progress"))
    assert len(Careful()) == 0

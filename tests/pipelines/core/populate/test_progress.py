# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""``progress()`` counts (§5.6) and the events a ``ProgressSink`` receives."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate.progress import NullSink, ProgressSink, TqdmSink


class RecordingSink:
    """Keeps every event, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def started(self, table: str, total: int) -> None:
        self.events.append(("started", table, total))

    def key_started(self, key: dict[str, Any]) -> None:
        self.events.append(("key_started", key["n"]))

    def key_progress(self, key: dict[str, Any], fraction: float, message: str) -> None:
        self.events.append(("key_progress", key["n"], fraction, message))

    def key_done(self, key: dict[str, Any], duration: float) -> None:
        assert duration >= 0
        self.events.append(("key_done", key["n"]))

    def key_failed(self, key: dict[str, Any], error: BaseException, message: str) -> None:
        self.events.append(("key_failed", key["n"], type(error).__name__, message))

    def finished(self, success_count: int, error_count: int) -> None:
        self.events.append(("finished", success_count, error_count))


def _composite(schema: dj.Schema) -> tuple[Any, Any]:
    @schema
    class Cell(dj.Manual):
        definition = """
        row : varchar(4)
        col : varchar(4)
        """

    @schema
    class Filled(dj.Computed):
        definition = """
        -> Cell
        """

        def make(self, key: dict[str, Any]) -> None:
            self.insert1(key)

    # keys that a separator-joined string would confuse: ("a|b", "c") vs ("a", "b|c")
    Cell.insert([("a|b", "c"), ("a", "b|c"), ("a", "b"), ("x", "y")])
    return Cell, Filled


def test_progress_counts_remaining_and_total_for_composite_keys(schema: dj.Schema) -> None:
    _, Filled = _composite(schema)
    assert Filled.progress() == (4, 4)
    Filled.populate({"row": "a|b"})
    assert Filled.progress() == (3, 4)
    assert Filled.progress({"row": "a"}) == (2, 2)
    Filled.populate()
    assert Filled.progress() == (0, 4)


def test_progress_display_logs_a_summary(
    schema: dj.Schema, caplog: pytest.LogCaptureFixture
) -> None:
    _, Filled = _composite(schema)
    Filled.populate({"row": "x"})
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        assert Filled.progress(display=True) == (3, 4)
    assert "Completed 1 of 4 (25.0%)" in caplog.text


def _counter(schema: dj.Schema) -> Any:
    @schema
    class Number(dj.Lookup):
        definition = "n : int32"
        contents = [(1,), (2,), (3,)]

    @schema
    class Checked(dj.Computed):
        definition = """
        -> Number
        """

        def make(self, key: dict[str, Any]) -> None:
            self.progress_update(0.5, "halfway")
            if key["n"] == 2:
                raise ValueError("two")
            self.insert1(key)

    return Checked


def test_sink_receives_the_events_of_a_run_in_order(schema: dj.Schema) -> None:
    Checked = _counter(schema)
    sink = RecordingSink()
    Checked.populate(suppress_errors=True, progress_sink=sink)
    started, *per_key, finished = sink.events
    assert started == ("started", "Checked", 3)
    assert finished == ("finished", 2, 1)
    by_key: dict[int, list[tuple[Any, ...]]] = {}
    for event in per_key:
        by_key.setdefault(event[1], []).append(event)
    assert [e[0] for e in per_key].count("key_started") == 3
    assert by_key[1] == [("key_started", 1), ("key_progress", 1, 0.5, "halfway"), ("key_done", 1)]
    assert by_key[2][-1] == ("key_failed", 2, "ValueError", "ValueError: two")


def test_sink_hears_finished_when_an_error_stops_the_run(schema: dj.Schema) -> None:
    Checked = _counter(schema)
    sink = RecordingSink()
    with pytest.raises(ValueError):
        Checked.populate({"n": 2}, progress_sink=sink)
    assert [e[0] for e in sink.events] == [
        "started",
        "key_started",
        "key_progress",
        "key_failed",
        "finished",
    ]


def test_progress_update_outside_make_is_refused(schema: dj.Schema) -> None:
    Checked = _counter(schema)
    with pytest.raises(dj.DataJointError, match="only available inside make"):
        Checked().progress_update(0.1)


def test_display_progress_draws_a_bar(
    schema: dj.Schema, capsys: pytest.CaptureFixture[str]
) -> None:
    Checked = _counter(schema)
    Checked.populate({"n": 1}, display_progress=True)
    assert "Checked" in capsys.readouterr().err


def test_sinks_satisfy_the_protocol() -> None:
    assert isinstance(NullSink(), ProgressSink)
    assert isinstance(TqdmSink(), ProgressSink)
    assert isinstance(RecordingSink(), ProgressSink)
    sink = TqdmSink(file=io.StringIO())
    sink.started("T", 2)
    sink.key_done({}, 0.1)
    sink.key_failed({}, ValueError(), "ValueError")
    assert sink.bar.n == 2
    sink.finished(1, 1)
    assert sink.bar is None

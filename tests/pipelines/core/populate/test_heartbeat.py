# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""A worker's heartbeat keeps its reservation from being reclaimed, on SQLite and on MariaDB."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate.heartbeat import Heartbeat
from pipelines.core.populate.jobs import JobTable


def _jobs(schema: dj.Schema) -> JobTable:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Subject
        ---
        value : float64
        """

        @property
        def key_source(self) -> Any:
            return Subject()

    Subject.insert([{"subject_id": 0}, {"subject_id": 1}])
    jobs = JobTable(Analysis())
    jobs.refresh()
    return jobs


def _wait_for_beats(heartbeat: Heartbeat, count: int) -> None:
    """Until the heartbeat has beaten ``count`` times (a loaded machine may not schedule its
    thread for a while); then a beat is at most one interval old."""
    deadline = time.monotonic() + 10
    beats = heartbeat.beats
    while heartbeat.beats < max(count, beats + 1) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert heartbeat.beats >= count, f"{heartbeat.beats} beats in 10 s"


def test_heartbeat_keeps_a_reservation_fresh_until_it_stops(schema: dj.Schema) -> None:
    jobs = _jobs(schema)
    key = {"subject_id": 0}
    assert jobs.reserve(key)
    with Heartbeat(jobs, interval=0.05) as heartbeat:
        heartbeat.track(key)
        time.sleep(0.3)
        _wait_for_beats(heartbeat, 3)
        assert jobs.reclaim_stale(timeout=0.25) == 0
    time.sleep(0.3)
    assert jobs.reclaim_stale(timeout=0.25) == 1
    assert len(jobs.pending & key) == 1


def test_heartbeat_beats_only_for_the_tracked_key(schema: dj.Schema) -> None:
    jobs = _jobs(schema)
    assert jobs.reserve({"subject_id": 0})
    assert jobs.reserve({"subject_id": 1})
    with Heartbeat(jobs, interval=0.05) as heartbeat:
        heartbeat.track({"subject_id": 1})
        time.sleep(0.3)
        _wait_for_beats(heartbeat, 3)
        reclaimed = jobs.reclaim_stale(timeout=0.25)
        heartbeat.track(None)
        beats = heartbeat.beats
        time.sleep(0.1)
        assert heartbeat.beats == beats
    assert reclaimed == 1
    assert len(jobs.reserved & {"subject_id": 1}) == 1
    assert len(jobs.pending & {"subject_id": 0}) == 1


def test_heartbeat_survives_failing_beats(
    schema: dj.Schema, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = _jobs(schema)
    assert jobs.reserve({"subject_id": 0})
    failures = threading.Event()
    original = JobTable.beat_many

    def flaky(self: JobTable, keys: list[dict[str, Any]]) -> None:
        if not failures.is_set():
            failures.set()
            raise dj.LostConnectionError("server went away")
        original(self, keys)

    monkeypatch.setattr(JobTable, "beat_many", flaky)
    with Heartbeat(jobs, interval=0.05) as heartbeat:
        heartbeat.track({"subject_id": 0})
        _wait_for_beats(heartbeat, 1)
    assert failures.is_set()
    assert heartbeat.beats >= 1
    assert "Heartbeat for" in caplog.text


def test_heartbeat_stops_its_thread_and_closes_its_connection(schema: dj.Schema) -> None:
    jobs = _jobs(schema)
    heartbeat = Heartbeat(jobs, interval=0.05)
    with heartbeat:
        threads = {t.name for t in threading.enumerate()}
        assert f"heartbeat {jobs.table_name}" in threads
    assert f"heartbeat {jobs.table_name}" not in {t.name for t in threading.enumerate()}
    assert heartbeat._connection is None


def test_heartbeat_interval_defaults_to_the_configuration(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    jobs = _jobs(schema)
    with conn.config.override(jobs__heartbeat_interval=7):
        assert Heartbeat(jobs).interval == 7.0
    with pytest.raises(ValueError):
        Heartbeat(jobs, interval=0)

# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""A job table in DataJoint's layout (no ``heartbeat_time`` column), as DataJoint 2.3.5 declares
it: Joinery reserves, finishes and releases its jobs without heartbeats, never reclaims them by
heartbeat timeout, and populates through it (spec/engine.md §5.7; the interop suite runs the
same against DataJoint itself on MariaDB).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate.heartbeat import Heartbeat
from pipelines.core.populate.jobs import HEARTBEAT, JobTable
from pipelines.core.schema.declare import declare_table


def _queue(schema: dj.Schema) -> tuple[Any, JobTable]:
    """Subject (3 rows) and Analysis, whose job table is declared without a heartbeat column;
    ``make`` fails for subject 2."""

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

        def make(self, key: dict[str, Any]) -> None:
            if key["subject_id"] == 2:
                raise ValueError("bad subject")
            self.insert1({**key, "value": key["subject_id"] / 2})

    Subject.insert([{"subject_id": i} for i in range(3)])
    jobs = Analysis().jobs
    definition = jobs.definition.replace(f"{HEARTBEAT}=null : datetime(3)\n", "")
    assert HEARTBEAT not in definition
    declare_table(
        schema.connection,
        schema.database,
        jobs.table_name,
        definition,
        context={},
        auto_populated=False,
    )
    return Analysis, jobs


def _row(jobs: JobTable, subject: int) -> dict[str, Any]:
    return dict((jobs.table & {"subject_id": subject}).to_dicts()[0])


def test_populate_with_reserved_jobs_runs_through_a_job_table_without_heartbeats(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    analysis, jobs = _queue(schema)
    assert not jobs.has_heartbeat
    with conn.config.override(jobs__keep_completed=True):
        result = analysis.populate(reserve_jobs=True, suppress_errors=True)
    assert result["success_count"] == 2
    assert result["error_list"] == [({"subject_id": 2}, "ValueError: bad subject")]
    statuses = [(r["subject_id"], r["status"]) for r in jobs.table.to_dicts(order_by="KEY")]
    assert statuses == [(0, "success"), (1, "success"), (2, "error")]
    assert _row(jobs, 2)["error_message"] == "ValueError: bad subject"
    assert HEARTBEAT not in jobs.table.heading.names  # the table was left as it was
    assert analysis.to_dicts(order_by="KEY") == [
        {"subject_id": 0, "value": 0.0},
        {"subject_id": 1, "value": 0.5},
    ]


def test_jobs_without_heartbeats_are_reserved_released_re_pended_and_finished(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    _, jobs = _queue(schema)
    assert jobs.refresh()["added"] == 3
    assert jobs.reserve_many([{"subject_id": 0}, {"subject_id": 1}]) == [
        {"subject_id": 0},
        {"subject_id": 1},
    ]
    jobs.beat_many([{"subject_id": 0}])  # nothing to write, and no error
    assert _row(jobs, 0)["status"] == "reserved"
    assert jobs.release_many([{"subject_id": 1}]) == 1
    assert (_row(jobs, 1)["status"], _row(jobs, 1)["pid"]) == ("pending", 0)
    jobs.error({"subject_id": 1}, "boom", "trace")
    assert (_row(jobs, 1)["status"], _row(jobs, 1)["error_stack"]) == ("error", "trace")
    with conn.config.override(jobs__keep_completed=True):
        jobs.complete({"subject_id": 0}, duration=0.5)
        assert (_row(jobs, 0)["status"], _row(jobs, 0)["duration"]) == ("success", 0.5)
        assert jobs.refresh()["re_pended"] == 1  # its result row was never written
    assert _row(jobs, 0)["status"] == "pending"
    jobs.ignore({"subject_id": 2})
    assert jobs.progress() == {
        "pending": 1,
        "reserved": 0,
        "success": 0,
        "error": 1,
        "ignore": 1,
        "total": 3,
    }


def test_jobs_without_heartbeats_are_not_reclaimed_by_heartbeat_timeout_but_by_orphan_timeout(
    schema: dj.Schema,
) -> None:
    _, jobs = _queue(schema)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 0})
    time.sleep(0.15)
    assert jobs.reclaim_stale(timeout=0.05) == 0  # a slow worker is not a dead one
    assert _row(jobs, 0)["status"] == "reserved"
    assert jobs.refresh(orphan_timeout=0.05)["orphaned"] == 1  # as DataJoint releases them
    assert _row(jobs, 0)["status"] == "pending"


def test_a_heartbeat_over_a_job_table_without_heartbeats_writes_nothing_and_warns_nothing(
    schema: dj.Schema, caplog: pytest.LogCaptureFixture
) -> None:
    _, jobs = _queue(schema)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 0})
    before = _row(jobs, 0)
    with caplog.at_level("WARNING", logger="pipelines.core"), Heartbeat(jobs, 0.02) as beat:
        beat.track({"subject_id": 0})
        time.sleep(0.15)
    assert beat.beats > 0
    assert not [r for r in caplog.records if "Heartbeat" in r.getMessage()]
    assert _row(jobs, 0) == before

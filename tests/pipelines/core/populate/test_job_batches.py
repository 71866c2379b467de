# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""Job-queue statements for a group of keys (``reserve_many``, ``complete_many``, ``beat_many``,
``release_many``) on a composite key of a string, a date and a UUID, on both backends, and a
job-queue populate where a failing key in a group leaves the others made and its job in error."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate.jobs import JobTable

RUNS = [uuid.UUID(int=n) for n in range(1, 5)]


@pytest.fixture
def lab(schema: dj.Schema) -> SimpleNamespace:
    @schema
    class Session(dj.Manual):
        definition = """
        subject : varchar(16)
        session_date : date
        run : uuid
        ---
        signal : int32
        """

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Session
        ---
        doubled : int32
        """

        def make(self, key: dict[str, Any]) -> None:
            signal = (Session & key).fetch1("signal")
            self.insert1({**key, "doubled": 2 * signal})
            if signal == 13:
                raise ValueError("unlucky signal")

    rows = [
        {"subject": s, "session_date": dt.date(2026, 1, d), "run": r, "signal": 10 * d + i}
        for s in ("ann", "bo")
        for d in (1, 2)
        for i, r in enumerate(RUNS)
    ]
    Session.insert(rows)
    jobs = JobTable(Summary())
    jobs.refresh()
    return SimpleNamespace(Session=Session, Summary=Summary, jobs=jobs, rows=rows)


def _keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: row[k] for k in ("subject", "session_date", "run")} for row in rows]


@pytest.fixture
def rival(lab: SimpleNamespace, conn: dj.Connection) -> Any:
    """The same job queue seen by another worker's session."""
    session = conn.new_session()
    yield JobTable(lab.Summary(), connection=session)
    session.close()


def test_reserve_many_takes_only_pending_jobs_and_names_them(
    lab: SimpleNamespace, rival: JobTable
) -> None:
    keys = _keys(lab.rows)
    assert rival.reserve(keys[0])
    assert lab.jobs.reserve_many(keys[:5]) == keys[1:5]  # the rival holds keys[0]
    assert rival.reserve_many(keys[:6]) == [keys[0], keys[5]]  # its own, and the free one
    assert len(lab.jobs.reserved) == 6 and len(lab.jobs.pending) == len(keys) - 6


def test_release_many_returns_held_jobs_to_the_queue(lab: SimpleNamespace, rival: JobTable) -> None:
    keys = _keys(lab.rows)
    assert lab.jobs.reserve_many(keys[:3]) == keys[:3]
    assert rival.release_many(keys[:3]) == 0  # only the holder gives jobs back
    assert lab.jobs.release_many(keys[:2]) == 2
    assert len(lab.jobs.reserved) == 1
    assert rival.reserve_many(keys[:3]) == keys[:2]


def test_beat_and_complete_many_touch_exactly_the_named_jobs(lab: SimpleNamespace) -> None:
    keys = _keys(lab.rows)
    lab.jobs.reserve_many(keys)
    lab.jobs.table.connection.query(
        lab.jobs._sql(f"UPDATE {lab.jobs._ref()} SET `heartbeat_time`=NULL")
    )
    lab.jobs.beat_many(keys[2:4])
    beaten = lab.jobs.table & "heartbeat_time IS NOT NULL"
    assert sorted(_keys(beaten.to_dicts()), key=str) == sorted(keys[2:4], key=str)
    lab.jobs.complete_many(keys[:6])
    assert len(lab.jobs.table) == len(keys) - 6
    assert not (lab.jobs.table & keys[:6])


def test_a_failing_key_in_a_reserved_group_fails_alone(lab: SimpleNamespace) -> None:
    result = lab.Summary.populate(reserve_jobs=True, suppress_errors=True)
    failed = [key for key, _ in result["error_list"]]
    assert [k["subject"] for k in failed] == ["ann", "bo"] and len(failed) == 2
    assert result["success_count"] == len(lab.rows) - 2
    assert len(lab.Summary()) == len(lab.rows) - 2
    errors = lab.jobs.errors.to_dicts()
    assert len(errors) == 2 and {e["error_message"] for e in errors} == {
        "ValueError: unlucky signal"
    }
    assert len(lab.jobs.reserved) == 0 and len(lab.jobs.pending) == 0


def test_an_unsuppressed_error_gives_back_the_jobs_it_did_not_start(
    lab: SimpleNamespace,
) -> None:
    with pytest.raises(ValueError, match="unlucky"):
        lab.Summary.populate(reserve_jobs=True)
    assert len(lab.jobs.reserved) == 0  # nothing stays held by a run that stopped
    assert len(lab.jobs.errors) == 1
    made = len(lab.Summary())
    assert len(lab.jobs.pending) == len(lab.rows) - made - 1

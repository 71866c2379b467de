# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""The job queue (spec/engine.md §5.7, §5.8) on SQLite and on MariaDB."""

from __future__ import annotations

import collections
import contextlib
import os
import platform
import random
import threading
import time
import uuid
import warnings
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate.jobs import (
    ERROR_MESSAGE_LENGTH,
    JobTable,
    job_version,
    truncate_message,
)

EXPECTED_MYSQL_DDL = """CREATE TABLE IF NOT EXISTS `{db}`.`~~result` (
`subject_id` int NOT NULL,
`animal_id` binary(16) NOT NULL COMMENT ":uuid:",
`param_id` tinyint NOT NULL,
`status` enum('pending', 'reserved', 'success', 'error', 'ignore') NOT NULL COMMENT ":enum('pending', 'reserved', 'success', 'error', 'ignore'):",
`priority` tinyint NOT NULL COMMENT ":int8:",
`created_time` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) COMMENT ":datetime(3):",
`scheduled_time` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) COMMENT ":datetime(3):",
`reserved_time` datetime(3) DEFAULT NULL COMMENT ":datetime(3):",
`completed_time` datetime(3) DEFAULT NULL COMMENT ":datetime(3):",
`duration` double DEFAULT NULL COMMENT ":float64:",
`error_message` varchar(2047) NOT NULL DEFAULT '' COMMENT ":varchar(2047):",
`error_stack` longblob DEFAULT NULL COMMENT ":<blob>:",
`user` varchar(255) NOT NULL DEFAULT '' COMMENT ":varchar(255):",
`host` varchar(255) NOT NULL DEFAULT '' COMMENT ":varchar(255):",
`pid` int NOT NULL DEFAULT '0' COMMENT ":int32:",
`connection_id` bigint NOT NULL DEFAULT '0' COMMENT ":int64:",
`version` varchar(64) NOT NULL DEFAULT '' COMMENT ":varchar(64):",
`heartbeat_time` datetime(3) DEFAULT NULL COMMENT ":datetime(3):",
PRIMARY KEY (`subject_id`, `animal_id`, `param_id`),
index (`status`,`priority`,`scheduled_time`)
) ENGINE=InnoDB, COMMENT "Job queue for `{db}`.`__result`\""""


def _second_connection(conn: dj.Connection) -> dj.Connection:
    """Another session to the same database (as another worker would open)."""
    address = conn.address
    if address.backend == "sqlite":
        return dj.Connection(url=f"sqlite:///{address.path}", config=conn.config)
    return dj.Connection(
        address.host, address.user, address.password, address.port, config=conn.config
    )


def _queue(schema: dj.Schema, count: int = 3) -> tuple[Any, Any, JobTable]:
    """Subject (``count`` rows) and a Computed table whose key_source is Subject."""

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

    Subject.insert([{"subject_id": i} for i in range(count)])
    return Subject, Analysis, JobTable(Analysis())


def _status(jobs: JobTable, key: dict[str, Any]) -> str:
    rows = (jobs.table & key).to_dicts()
    return str(rows[0]["status"]) if rows else "absent"


# --- declaration -------------------------------------------------------------------------------
def test_job_table_ddl_is_the_documented_layout_plus_heartbeat(
    conn: dj.Connection, schema: dj.Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id : uuid
        """

    @schema
    class Param(dj.Lookup):
        definition = """
        param_id : int8
        """

    @schema
    class Result(dj.Computed):
        definition = """
        -> Subject
        -> Animal
        -> Param
        ---
        value : float64
        """

    jobs = JobTable(Result())
    statements: list[str] = []
    original = conn.query

    def recording(sql: str, args: Any = (), **kwargs: Any) -> Any:
        statements.append(sql)
        return original(sql, args, **kwargs)

    monkeypatch.setattr(conn, "query", recording)
    jobs.declare()
    monkeypatch.undo()
    assert jobs.table_name == "~~result"
    assert jobs.primary_key == ["subject_id", "animal_id", "param_id"]
    creates = [s for s in statements if s.startswith("CREATE TABLE") and "~~result" in s]
    if conn.backend == "mysql":
        assert creates == [EXPECTED_MYSQL_DDL.format(db=schema.database)]
    else:
        assert len(creates) == 1
        assert '"heartbeat_time"' in creates[0]
    assert "heartbeat_time" in jobs.table.heading.names
    assert jobs.table.heading["animal_id"].uuid


def test_declare_is_idempotent_and_the_table_stays_hidden(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema)
    assert not jobs.is_declared
    jobs.declare()
    jobs.declare()
    assert jobs.is_declared
    assert not any(name.startswith("~") for name in schema.list_tables())


def test_job_table_without_inherited_key_is_refused(conn: dj.Connection, schema: dj.Schema) -> None:
    with conn.config.override(jobs__allow_new_pk_fields_in_computed_tables=True):

        @schema
        class Standalone(dj.Computed):
            definition = """
            item : int32
            """

    with pytest.raises(dj.DataJointError, match="Cannot create jobs table"):
        JobTable(Standalone()).declare()


def test_job_key_drops_primary_key_attributes_of_the_target_itself(
    conn: dj.Connection, schema: dj.Schema, caplog: pytest.LogCaptureFixture
) -> None:
    subject, _, _ = _queue(schema)

    class Trial(dj.Computed):
        definition = """
        -> Subject
        trial : int16
        """

    with conn.config.override(jobs__allow_new_pk_fields_in_computed_tables=True):
        schema(Trial, context={"Subject": subject})
    jobs = JobTable(Trial())
    jobs.declare()
    assert jobs.primary_key == ["subject_id"]
    assert "Ignoring non-FK primary key attribute 'trial'" in caplog.text


def test_progress_is_all_zero_before_the_table_exists(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema)
    expected = {"pending": 0, "reserved": 0, "success": 0, "error": 0, "ignore": 0, "total": 0}
    assert jobs.progress() == expected
    assert not jobs.is_declared


# --- refresh -----------------------------------------------------------------------------------
def test_refresh_queues_each_new_key_once(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=5)
    result = jobs.refresh()
    assert result == {"added": 5, "removed": 0, "orphaned": 0, "re_pended": 0}
    assert jobs.refresh()["added"] == 0
    assert jobs.progress()["pending"] == 5
    rows = jobs.table.to_dicts()
    assert {r["priority"] for r in rows} == {5}
    assert sorted(jobs.pending_keys(), key=lambda k: k["subject_id"]) == [
        {"subject_id": i} for i in range(5)
    ]


def test_refresh_skips_populated_keys_and_honours_restrictions(schema: dj.Schema) -> None:
    _, analysis, jobs = _queue(schema, count=6)
    analysis.insert1({"subject_id": 0, "value": 1.0}, allow_direct_insert=True)
    assert jobs.refresh("subject_id < 3", priority=2)["added"] == 2
    assert jobs.refresh({"subject_id": 5})["added"] == 1
    keys = [k["subject_id"] for k in jobs.pending_keys()]
    assert sorted(keys[:2]) == [1, 2]
    assert keys[2:] == [5]
    assert jobs.pending_keys(priority=2, limit=1)[0]["subject_id"] in (1, 2)
    assert jobs.pending_keys("subject_id > 1") == [{"subject_id": 2}, {"subject_id": 5}]
    assert jobs.pending_keys(analysis.proj()) == []  # populated keys are not to do


def test_refresh_removes_finished_jobs_whose_keys_vanished(schema: dj.Schema) -> None:
    subject, _, jobs = _queue(schema, count=3)
    jobs.refresh()
    jobs.error({"subject_id": 1}, "boom")
    jobs.ignore({"subject_id": 2})
    (subject & {"subject_id": 1}).delete_quick()
    (subject & {"subject_id": 2}).delete_quick()
    result = jobs.refresh()
    assert result["removed"] == 1
    assert _status(jobs, {"subject_id": 1}) == "absent"
    assert _status(jobs, {"subject_id": 2}) == "ignore"


def test_refresh_with_delay_schedules_jobs_later(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=2)
    assert jobs.refresh(delay=60)["added"] == 2
    assert jobs.pending_keys() == []
    assert not jobs.reserve({"subject_id": 0})


def test_refresh_re_pends_completed_jobs_when_kept(conn: dj.Connection, schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=2)
    with conn.config.override(jobs__keep_completed=True):
        jobs.refresh()
        assert jobs.reserve({"subject_id": 0})
        jobs.complete({"subject_id": 0}, duration=1.5)
        row = (jobs.table & {"subject_id": 0}).to_dicts()[0]
        assert row["status"] == "success"
        assert row["duration"] == 1.5
        result = jobs.refresh()  # the result row was never written: the job is due again
    assert result["re_pended"] == 1
    assert _status(jobs, {"subject_id": 0}) == "pending"


def test_refresh_releases_orphaned_reservations(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=2)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 0})
    assert jobs.refresh(orphan_timeout=60)["orphaned"] == 0
    time.sleep(0.15)
    assert jobs.refresh(orphan_timeout=0.05)["orphaned"] == 1
    assert _status(jobs, {"subject_id": 0}) == "pending"


# --- reservation -------------------------------------------------------------------------------
def test_reserve_takes_a_pending_job_exactly_once(conn: dj.Connection, schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=2)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 1, "extra": "ignored"})
    assert not jobs.reserve({"subject_id": 1})
    row = (jobs.table & {"subject_id": 1}).to_dicts()[0]
    assert row["status"] == "reserved"
    assert row["pid"] == os.getpid()
    assert row["host"] == platform.node()
    assert row["user"] == conn.get_user()
    if conn.backend == "mysql":
        assert row["connection_id"] == conn.query("SELECT connection_id()").fetchone()[0]
    else:  # the session's number in this process; another session has another
        other = conn.new_session()
        assert row["connection_id"] == conn.server_connection_id() != other.server_connection_id()
        other.close()
    assert row["reserved_time"] is not None
    assert row["heartbeat_time"] is not None
    assert not jobs.reserve({"subject_id": 99})  # never queued


def test_reserve_needs_the_whole_key(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema)
    jobs.refresh()
    with pytest.raises(dj.DataJointError, match="lacks"):
        jobs.reserve({})


def test_two_connections_racing_for_one_key_yield_one_winner(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    _, analysis, jobs = _queue(schema, count=1)
    jobs.refresh()
    other = _second_connection(conn)
    try:
        contenders = [jobs, JobTable(analysis(), connection=other)]
        barrier = threading.Barrier(2)
        wins: list[bool] = []

        def contend(queue: JobTable) -> None:
            barrier.wait()
            wins.append(queue.reserve({"subject_id": 0}))

        threads = [threading.Thread(target=contend, args=(q,)) for q in contenders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.close()
    assert sorted(wins) == [False, True]


def test_four_workers_reserve_every_one_of_200_keys_exactly_once(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    _, analysis, jobs = _queue(schema, count=200)
    assert jobs.refresh()["added"] == 200
    connections = [_second_connection(conn) for _ in range(4)]
    won: list[list[int]] = [[] for _ in connections]
    failures: list[BaseException] = []

    def work(index: int) -> None:
        queue = JobTable(analysis(), connection=connections[index])
        order = list(range(200))
        random.Random(index).shuffle(order)
        try:
            won[index].extend(i for i in order if queue.reserve({"subject_id": i}))
        except BaseException as error:  # surfaced by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for connection in connections:
            connection.close()
    assert failures == []
    counts = collections.Counter(key for keys in won for key in keys)
    assert sorted(counts) == list(range(200))
    assert set(counts.values()) == {1}
    assert jobs.progress()["reserved"] == 200


# --- transitions -------------------------------------------------------------------------------
def test_complete_deletes_the_job_by_default(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 0})
    jobs.complete({"subject_id": 0}, duration=0.25)
    assert _status(jobs, {"subject_id": 0}) == "absent"
    assert jobs.progress()["total"] == 2


def test_error_keeps_a_truncated_message_and_a_large_stack(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 0})
    stack = "Traceback (most recent call last):\n" + "  line ✓ of code\n" * 5600
    assert len(stack) > 90_000
    jobs.error({"subject_id": 0}, "ValueError: " + "x" * 5000, stack)
    row = (jobs.errors & {"subject_id": 0}).to_dicts()[0]
    assert len(row["error_message"]) == ERROR_MESSAGE_LENGTH
    assert row["error_message"].endswith("...truncated")
    assert row["error_stack"] == stack
    assert row["completed_time"] is not None
    assert row["duration"] is None
    jobs.error({"subject_id": 1}, "KeyError")  # not queued before: recorded anyway
    assert _status(jobs, {"subject_id": 1}) == "error"
    assert jobs.clear_errors() == 2
    assert jobs.progress()["error"] == 0


def test_ignore_marks_queued_and_unqueued_keys(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=3)
    jobs.refresh()
    jobs.ignore({"subject_id": 0})
    jobs.ignore({"subject_id": 0})
    jobs.ignore({"subject_id": 7})
    assert _status(jobs, {"subject_id": 0}) == "ignore"
    assert _status(jobs, {"subject_id": 7}) == "ignore"
    assert not jobs.reserve({"subject_id": 0})
    assert jobs.refresh()["added"] == 0


def test_progress_and_status_views_count_each_status(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=5)
    jobs.refresh()
    jobs.reserve({"subject_id": 0})
    jobs.reserve({"subject_id": 1})
    jobs.error({"subject_id": 1}, "boom")
    jobs.ignore({"subject_id": 2})
    assert jobs.progress() == {
        "pending": 2,
        "reserved": 1,
        "success": 0,
        "error": 1,
        "ignore": 1,
        "total": 5,
    }
    assert len(jobs.pending) == 2
    assert len(jobs.reserved) == 1
    assert len(jobs.errors) == 1
    assert len(jobs.ignored) == 1
    assert len(jobs.completed) == 0


def test_pending_keys_come_most_urgent_first(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=4)
    jobs.refresh({"subject_id": 3}, priority=9)
    jobs.refresh({"subject_id": 1}, priority=1)
    jobs.refresh(priority=5)
    keys = [k["subject_id"] for k in jobs.pending_keys()]
    assert keys[0] == 1
    assert keys[-1] == 3
    assert [k["subject_id"] for k in jobs.pending_keys(priority=5)][-1] != 3


def test_reclaim_stale_returns_silent_reservations_to_the_queue(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema, count=2)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 0})
    assert jobs.reclaim_stale(timeout=60) == 0
    time.sleep(0.15)
    assert jobs.reclaim_stale(timeout=0.05) == 1
    row = (jobs.table & {"subject_id": 0}).to_dicts()[0]
    assert (row["status"], row["pid"], row["heartbeat_time"]) == ("pending", 0, None)
    assert jobs.reserve({"subject_id": 0})


def test_reclaim_stale_defaults_to_the_configured_timeout(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    _, _, jobs = _queue(schema, count=1)
    jobs.refresh()
    assert jobs.reserve({"subject_id": 0})
    with conn.config.override(jobs__heartbeat_timeout=3600):
        assert jobs.reclaim_stale() == 0
    assert _status(jobs, {"subject_id": 0}) == "reserved"


def test_delete_and_drop_remove_the_queue(schema: dj.Schema) -> None:
    _, _, jobs = _queue(schema)
    jobs.refresh()
    jobs.delete()
    assert jobs.progress()["total"] == 0
    jobs.drop()
    assert not jobs.is_declared


# --- helpers -----------------------------------------------------------------------------------
def test_truncate_message_keeps_short_messages_and_cuts_long_ones() -> None:
    assert truncate_message("short") == "short"
    cut = truncate_message("y" * 3000)
    assert len(cut) == ERROR_MESSAGE_LENGTH
    assert cut == "y" * 2035 + "...truncated"


def test_job_version_is_empty_without_a_method() -> None:
    assert job_version(None) == ""
    assert job_version("none") == ""
    with pytest.raises(dj.DataJointError):
        job_version("svn")


# --- DataJoint 2.3.5 on the same server --------------------------------------------------------
_RESULT_DEFINITIONS = {
    "Subject": "subject_id : int32",
    "Animal": "animal_id : uuid",
    "Param": "param_id : int8",
    "Result": "-> Subject\n-> Animal\n-> Param\n---\nvalue : float64",
}


def _declare_result(module: Any, schema: Any) -> Any:
    """Subject, Animal, Param and Result, declared by ``module`` (Joinery or DataJoint)."""
    context: dict[str, Any] = {}
    tiers = {"Param": module.Lookup, "Result": module.Computed}
    for name, definition in _RESULT_DEFINITIONS.items():
        cls = type(name, (tiers.get(name, module.Manual),), {"definition": definition})
        context[name] = schema(cls, context=context)
    return context["Result"]


def _show_create(conn: dj.Connection, database: str, table: str) -> str:
    text = str(conn.query(f"SHOW CREATE TABLE `{database}`.`{table}`").fetchone()[1])
    return text.replace(database, "db")


def test_job_table_matches_datajoints_and_both_clients_share_the_queue(
    mysql_connection: dj.Connection,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DataJoint warns about a missing datajoint.json
        import datajoint as oracle_dj

        oracle_dj.config["database.host"] = "127.0.0.1"
        oracle_dj.config["database.user"] = "root"
        oracle_dj.config["database.password"] = ""
        oracle_dj.config["database.use_tls"] = False
        oracle_dj.config["safemode"] = False
        oracle = oracle_dj.conn(reset=True)
    suffix = f"{os.getpid()}_{random.randrange(16**6):06x}"
    ours = dj.Schema(f"jt_jo_{suffix}", connection=mysql_connection)
    theirs = oracle_dj.Schema(f"jt_dj_{suffix}", connection=oracle)
    shared = oracle_dj.Schema(ours.database, connection=oracle)
    try:
        jobs = JobTable(_declare_result(dj, ours)())
        jobs.declare()
        _ = _declare_result(oracle_dj, theirs)().jobs.progress()  # DataJoint declares lazily
        joinery_text = _show_create(mysql_connection, ours.database, "~~result")
        datajoint_text = _show_create(mysql_connection, theirs.database, "~~result")
        heartbeat = "  `heartbeat_time` datetime(3) DEFAULT NULL COMMENT ':datetime(3):',\n"
        assert heartbeat in joinery_text
        assert joinery_text.replace(heartbeat, "") == datajoint_text

        their_result = _declare_result(oracle_dj, shared)()
        animal = uuid.uuid4()
        dj.FreeTable(mysql_connection, f"`{ours.database}`.`subject`").insert1({"subject_id": 1})
        dj.FreeTable(mysql_connection, f"`{ours.database}`.`animal`").insert1({"animal_id": animal})
        dj.FreeTable(mysql_connection, f"`{ours.database}`.`#param`").insert1({"param_id": 3})
        their_key = {"subject_id": 1, "animal_id": animal, "param_id": 3}
        assert jobs.refresh()["added"] == 1
        assert their_result.jobs.reserve(their_key)
        assert not jobs.reserve(their_key)
        their_result.jobs.error(their_key, "boom", "trace")
        assert (jobs.errors & their_key).to_dicts()[0]["error_stack"] == "trace"
    finally:
        for schema in (theirs, shared):
            with contextlib.suppress(Exception):
                schema.drop(prompt=False)
        with contextlib.suppress(Exception):
            ours.drop(prompt=False)

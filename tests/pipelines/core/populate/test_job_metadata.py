# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""Hidden job-metadata columns (spec/engine.md §5.9): declared on request, stamped by populate."""

from __future__ import annotations

import contextlib
import os
import random
import time
import warnings
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.definition.job_metadata import JOB_METADATA_NAMES

DEFINITIONS = {
    "subject": """
    subject_id : int32
    ---
    weight : float64
    """,
    "summary": """
    -> Subject
    ---
    doubled : float64
    """,
}


def _declare(schema: dj.Schema, *, fail_on: int | None = None) -> SimpleNamespace:
    @schema
    class Subject(dj.Manual):
        definition = DEFINITIONS["subject"]

    @schema
    class Summary(dj.Computed):
        definition = DEFINITIONS["summary"]

        class Detail(dj.Part):
            definition = """
            -> master
            part : int16
            """

        def make(self, key: dict[str, Any]) -> None:
            if key["subject_id"] == fail_on:
                raise ValueError("bad subject")
            weight = (Subject & key).fetch1("weight")
            self.insert1({**key, "doubled": 2 * weight})
            self.Detail.insert1({**key, "part": 1})

    @schema
    class Sliced(dj.Computed):
        definition = """
        -> Subject
        ---
        half : float64
        """

        def make_fetch(self, key: dict[str, Any]) -> tuple[float]:
            return ((Subject & key).fetch1("weight"),)

        def make_compute(self, key: dict[str, Any], weight: float) -> tuple[float]:
            return (weight / 2,)

        def make_insert(self, key: dict[str, Any], half: float) -> None:
            self.insert1({**key, "half": half})

    return SimpleNamespace(Subject=Subject, Summary=Summary, Sliced=Sliced)


@pytest.fixture
def stamped(schema: dj.Schema, conn: dj.Connection) -> SimpleNamespace:
    with conn.config.override(jobs__add_job_metadata=True):
        lab = _declare(schema, fail_on=3)
    lab.Subject.insert([{"subject_id": i, "weight": 10.0 * i} for i in range(1, 6)])
    return lab


def _columns(conn: dj.Connection, table: Any) -> list[str]:
    return [c.name for c in conn.catalog.table_info(table.database, table.table_name).columns]


def _metadata(conn: dj.Connection, table: Any) -> dict[int, tuple[Any, ...]]:
    ref = conn.dialect.table_ref(table.database, table.table_name)
    rows = conn.query(
        f"SELECT subject_id, _job_start_time, _job_duration, _job_version FROM {ref}"
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_computed_and_imported_tables_get_the_hidden_columns_parts_and_manual_do_not(
    stamped: SimpleNamespace, conn: dj.Connection
) -> None:
    assert _columns(conn, stamped.Summary())[-3:] == list(JOB_METADATA_NAMES)
    assert _columns(conn, stamped.Sliced())[-3:] == list(JOB_METADATA_NAMES)
    assert not set(JOB_METADATA_NAMES) & set(_columns(conn, stamped.Summary.Detail()))
    assert not set(JOB_METADATA_NAMES) & set(_columns(conn, stamped.Subject()))
    # hidden: not in the heading, the describe text or fetched rows
    assert stamped.Summary.heading.names == ["subject_id", "doubled"]
    assert set(JOB_METADATA_NAMES) <= set(stamped.Summary.heading.hidden_attributes)
    assert "_job" not in stamped.Summary.describe()
    stamped.Summary.populate(stamped.Subject & "subject_id < 3")
    assert set(stamped.Summary.to_dicts()[0]) == {"subject_id", "doubled"}
    assert stamped.Summary.to_pandas().columns.tolist() == ["doubled"]


def test_without_the_setting_no_columns_are_added(schema: dj.Schema, conn: dj.Connection) -> None:
    lab = _declare(schema)
    assert not set(JOB_METADATA_NAMES) & set(_columns(conn, lab.Summary()))
    lab.Subject.insert1({"subject_id": 1, "weight": 1.0})
    assert lab.Summary.populate()["success_count"] == 1  # and populate does not try to stamp


@pytest.mark.parametrize("reserve_jobs", [False, True])
def test_populate_stamps_each_made_row(
    stamped: SimpleNamespace, conn: dj.Connection, reserve_jobs: bool
) -> None:
    before = datetime.now() - timedelta(seconds=1)
    result = stamped.Summary.populate(suppress_errors=True, reserve_jobs=reserve_jobs)
    after = datetime.now() + timedelta(seconds=1)
    assert result["success_count"] == 4 and len(result["error_list"]) == 1
    stamps = _metadata(conn, stamped.Summary())
    assert sorted(stamps) == [1, 2, 4, 5]
    for start, duration, version in stamps.values():
        if isinstance(start, str):  # SQLite stores datetimes as text
            start = datetime.fromisoformat(start)
        assert before <= start <= after
        assert 0 <= duration < 5
        assert version == ""


def test_tripartite_make_rows_are_stamped(stamped: SimpleNamespace, conn: dj.Connection) -> None:
    stamped.Sliced.populate()
    stamps = _metadata(conn, stamped.Sliced())
    assert sorted(stamps) == [1, 2, 3, 4, 5]
    assert all(start is not None and duration >= 0 for start, duration, _ in stamps.values())


def test_version_is_recorded_and_cut_to_64_characters(
    stamped: SimpleNamespace, conn: dj.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.core.populate import job_stamp

    monkeypatch.setattr(job_stamp, "job_version", lambda method: "v" * 80)
    stamped.Summary.populate(stamped.Subject & "subject_id = 1")
    ((_, _, version),) = _metadata(conn, stamped.Summary()).values()
    assert version == "v" * 64


def test_stamp_commits_with_the_row_in_worker_processes(
    stamped: SimpleNamespace, conn: dj.Connection
) -> None:
    stamped.Sliced.populate(processes=2)
    stamps = _metadata(conn, stamped.Sliced())
    assert sorted(stamps) == [1, 2, 3, 4, 5]
    assert all(duration is not None for _, duration, _ in stamps.values())


def test_hidden_columns_match_datajoints_and_datajoint_rows_are_stamped_by_joinery(
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
        oracle_dj.config.jobs.add_job_metadata = True
        oracle = oracle_dj.conn(reset=True)
    suffix = f"{os.getpid()}_{random.randrange(16**6):06x}"
    ours = dj.Schema(f"jt_jm_{suffix}", connection=mysql_connection)
    theirs = oracle_dj.Schema(f"jt_jmdj_{suffix}", connection=oracle)
    try:
        with mysql_connection.config.override(jobs__add_job_metadata=True):
            _declare(ours)

        @theirs
        class Subject(oracle_dj.Manual):
            definition = DEFINITIONS["subject"]

        @theirs
        class Summary(oracle_dj.Computed):
            definition = DEFINITIONS["summary"]

        def show(database: str) -> str:
            row = mysql_connection.query(f"SHOW CREATE TABLE `{database}`.`__summary`").fetchone()
            return str(row[1])

        assert show(ours.database) == show(theirs.database)
        # Joinery populates the table DataJoint declared, and stamps its rows
        shared = _declare(dj.Schema(theirs.database, connection=mysql_connection))
        shared.Subject.insert1({"subject_id": 7, "weight": 1.0})
        started = time.time()
        shared.Summary.populate()
        ((_, duration, _),) = _metadata(mysql_connection, shared.Summary()).values()
        assert 0 <= duration <= time.time() - started + 1
    finally:
        oracle_dj.config.jobs.add_job_metadata = False
        with contextlib.suppress(Exception):
            theirs.drop(prompt=False)
        with contextlib.suppress(Exception):
            ours.drop(prompt=False)


def test_declaring_a_job_table_prints_no_native_type_notice(
    schema: dj.Schema, caplog: pytest.LogCaptureFixture
) -> None:
    lab = _declare(schema)
    with caplog.at_level("WARNING", logger="pipelines.core"):
        lab.Summary().jobs.declare()
    assert lab.Summary().jobs.is_declared
    assert not [r for r in caplog.records if "Native type" in r.getMessage()]

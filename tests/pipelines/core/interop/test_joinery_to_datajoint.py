# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload, union-attr"
"""A schema Joinery declared, filled and partly populated (through its job table) is read,
extended, populated and deleted from by DataJoint 2.3.5; Joinery reads back what DataJoint did.

The delete tests compare DataJoint's cascade on Joinery's schema with DataJoint's cascade on a
twin schema of its own filled the same way. These tests need the server, so they take
``mysql_connection`` directly (no SQLite variant).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj
from tests.pipelines.core.interop.conftest import SchemaMaker
from tests.pipelines.core.interop.interop_fixture import (
    PERSONS,
    QUERIES,
    TABLES,
    all_tables,
    assert_same_rows,
    assert_same_value,
    blob_values,
    contents,
    declare,
    expected_analysis,
    extend,
    fetched,
    fill,
    filled_pipeline,
    heading_fields,
    job_dicts,
    job_rows,
    normalized,
    open_pipeline,
    oracle_dj,
    review_rows,
    rows,
    session_rows,
    show_create,
    sizes,
)

NEGATIVE = "ValueError: negative scale -1.0"


@pytest.fixture
def ours(new_schema: SchemaMaker, mysql_connection: dj.Connection) -> SimpleNamespace:
    """Joinery's pipeline, filled; its Computed table populated for person 1 through the job
    table (completed jobs kept), so the job table has success and error rows of Joinery's."""
    schema = new_schema(dj, "jo")
    pipeline = declare(dj, schema)
    fill(dj, pipeline)
    with mysql_connection.config.override(jobs__keep_completed=True):
        made = pipeline.Analysis.populate({"person_id": 1}, reserve_jobs=True, suppress_errors=True)
    assert made["success_count"] == 2
    return SimpleNamespace(schema=schema, database=schema.database, **vars(pipeline))


def test_datajoint_reads_joinerys_headings_and_rows(ours: SimpleNamespace, oracle: Any) -> None:
    vm = oracle_dj.virtual_schema(ours.database, connection=oracle)
    assert sorted(oracle_dj.Schema(ours.database, connection=oracle).list_tables()) == sorted(
        TABLES
    )
    theirs = all_tables(
        SimpleNamespace(**{n: getattr(vm, n) for n in vars(ours) if n[0].isupper()})
    )
    for name, mine in all_tables(ours).items():
        original = theirs[name]
        assert original.primary_key == mine.primary_key, name
        assert heading_fields(original) == heading_fields(mine), name
        assert_same_rows(rows(mine), rows(original), name)
        assert_same_rows(rows(mine), fetched(original), name)

    # the values Joinery wrote, as they were inserted: blobs, json, nullable and renamed FKs
    sessions = rows(vm.Session)
    originals = session_rows(oracle_dj)
    for row, original, raw in zip(sessions, originals, blob_values(oracle_dj), strict=True):
        assert_same_value(row["raw"], raw, "raw")
        assert_same_value(row["settings"], original["settings"], "settings")
        assert row["experimenter"] == original["experimenter"]
    assert isinstance(sessions[3]["raw"], oracle_dj.MatStruct)
    assert [row["lab"] for row in rows(vm.Person)] == [p["lab"] for p in PERSONS]
    assert [(r["person_id"], r["parent"]) for r in rows(vm.Parent & {"parent": 1})] == [
        (2, 1),
        (3, 1),
    ]
    for query in QUERIES:
        assert_same_rows(rows(query(ours)), rows(query(vm)), "query")
    # the job table Joinery declared, as DataJoint reads it (one column more than its own)
    jobs = rows(oracle_dj.FreeTable(oracle, f"`{ours.database}`.`~~analysis`"))
    assert [(j["person_id"], j["session_idx"], j["param_id"], j["status"]) for j in jobs] == [
        (1, 1, 1, "success"),
        (1, 1, 2, "error"),
        (1, 2, 1, "success"),
        (1, 2, 2, "error"),
    ]
    assert NEGATIVE in jobs[1]["error_stack"]
    assert jobs[0]["heartbeat_time"] is None  # cleared when the job completed


def test_datajoint_populates_joinerys_computed_table_through_joinerys_job_table(
    ours: SimpleNamespace, mysql_connection: dj.Connection, oracle: Any
) -> None:
    job_table = show_create(mysql_connection, ours.database, "~~analysis")
    assert "heartbeat_time" in job_table
    theirs = declare(oracle_dj, oracle_dj.Schema(ours.database, connection=oracle))
    assert theirs.Analysis.progress() == ours.Analysis.progress() == (10, 12)

    with oracle_dj.config.override(jobs__keep_completed=True):
        made = theirs.Analysis.populate(reserve_jobs=True, suppress_errors=True)

    assert made["success_count"] == 4
    assert {message for _, message in made["error_list"]} == {NEGATIVE}
    assert show_create(mysql_connection, ours.database, "~~analysis") == job_table
    sessions = [(1, 1), (1, 2), (2, 1), (3, 1), (3, 2), (4, 1)]
    assert job_rows(mysql_connection, ours.database) == [
        (*session, param, *(("success", "") if param == 1 else ("error", NEGATIVE)))
        for session in sessions
        for param in (1, 2)
    ]
    jobs = job_dicts(ours.Analysis.jobs.table)
    assert_same_rows(jobs, job_dicts(theirs.Analysis.jobs), "jobs")
    made_by = {(j["person_id"], j["connection_id"]) for j in jobs}
    joinery_session = mysql_connection.server_connection_id()
    assert made_by == {(1, joinery_session)} | {(p, oracle.connection_id) for p in (2, 3, 4)}
    assert all(NEGATIVE in j["error_stack"] for j in jobs if j["status"] == "error")
    assert ours.Analysis.jobs.progress() == theirs.Analysis.jobs.progress()
    assert ours.Analysis.jobs.progress()["error"] == 6

    # Joinery reads back what DataJoint made, and finds nothing left to do
    for name in ("Analysis", "Analysis.PerTrial"):
        assert_same_rows(rows(all_tables(ours)[name]), rows(all_tables(theirs)[name]), name)
    peaks = expected_analysis(1)
    for row in rows(ours.Analysis):
        session = (row["person_id"], row["session_idx"])
        assert row["n_trials"] == len(peaks.get(session, []))
        np.testing.assert_array_equal(row["summary"]["peaks"], np.array(peaks.get(session, [])))
        assert row["summary"]["nested"]["mean"] == (
            float(np.mean(peaks[session])) if session in peaks else None
        )
    assert ours.Analysis.progress() == theirs.Analysis.progress() == (6, 12)
    assert ours.Analysis.populate(reserve_jobs=True) == {"success_count": 0, "error_list": []}


def test_datajoint_extends_joinerys_schema_and_joinery_reads_and_populates_the_extension(
    ours: SimpleNamespace, new_schema: SchemaMaker, mysql_connection: dj.Connection, oracle: Any
) -> None:
    shared = oracle_dj.Schema(ours.database, connection=oracle)
    downstream = new_schema(oracle_dj, "djx")
    theirs = declare(oracle_dj, shared)
    theirs.Analysis.populate(suppress_errors=True)  # the rest of Joinery's table, directly
    their_extension = extend(oracle_dj, theirs, shared, downstream)
    their_extension.Review.insert(review_rows()[:2])
    made = their_extension.Total.populate({"person_id": 1}, reserve_jobs=True)
    assert made == {"success_count": 2, "error_list": []}

    downstream_opened = dj.Schema(downstream.database, connection=mysql_connection)
    ours_extension = extend(dj, ours, ours.schema, downstream_opened)
    assert "review" in ours.schema.list_tables()
    ours_extension.Review.insert(review_rows()[2:])
    # Joinery populates DataJoint's Computed table through DataJoint's job table
    assert "heartbeat_time" not in show_create(oracle, downstream.database, "~~total")
    made = ours_extension.Total.populate(reserve_jobs=True)
    assert made == {"success_count": 4, "error_list": []}

    for name in ("Review", "Total"):
        mine, original = getattr(ours_extension, name), getattr(their_extension, name)
        assert mine.primary_key == original.primary_key, name
        assert heading_fields(mine) == heading_fields(original), name
        assert_same_rows(rows(mine), rows(original), name)
    key = ours_extension.Review.primary_key
    ordered = sorted(review_rows(), key=lambda r: [r[n] for n in key])
    assert_same_rows(rows(ours_extension.Review), ordered, "Review")
    reviewer = ours_extension.Review.heading.attributes["reviewer"]
    assert reviewer.lineage == f"{ours.database}.person.person_id"
    totals = {(r["person_id"], r["session_idx"]): r["total"] for r in rows(ours_extension.Total)}
    expected = {session: sum(peaks) for session, peaks in expected_analysis(1).items()}
    assert totals == {**expected, (4, 1): 0.0}
    assert len(their_extension.Total.jobs) == 0  # completed jobs are deleted by both
    assert ours.Analysis.jobs.progress()["success"] == 2  # a direct populate takes no jobs


# ---- deleting: DataJoint on Joinery's schema and on its own twin -------------------------------

#: Deletes run one after the other, each on what the ones before left.
DELETES: list[tuple[str, Callable[[Any], Any], dict[str, Any]]] = [
    (
        "parts with their masters",
        lambda p: p.Analysis.PerTrial & {"trial_idx": 2},
        {"part_integrity": "cascade"},
    ),
    ("a lab, through a nullable FK", lambda p: p.Lab & {"lab": "south"}, {}),
    ("a person", lambda p: p.Person & {"person_id": 1}, {}),
]


def test_datajoint_deletes_from_joinerys_schema_as_from_its_own(
    new_schema: SchemaMaker, mysql_connection: dj.Connection, oracle: Any
) -> None:
    twin = filled_pipeline(new_schema, oracle_dj, oracle_dj, oracle)  # all DataJoint's
    shared = filled_pipeline(new_schema, dj, oracle_dj, oracle)  # Joinery's, extended by DataJoint
    reference = open_pipeline(oracle_dj, oracle, *twin)
    theirs = open_pipeline(oracle_dj, oracle, *shared)
    ours = open_pipeline(dj, mysql_connection, *shared)
    before = contents(reference)

    for case, restrict, options in DELETES:
        cascade = oracle_dj.Diagram.cascade(restrict(theirs), **options).counts()
        reference_cascade = oracle_dj.Diagram.cascade(restrict(reference), **options).counts()
        assert normalized(cascade, *shared) == normalized(reference_cascade, *twin), case

        deleted = restrict(theirs).delete(**options)

        assert deleted == restrict(reference).delete(**options) > 0, case
        after = contents(reference)
        assert sizes(after) != sizes(before), case
        for name, expected in after.items():  # Joinery reads back what DataJoint left
            assert_same_rows(rows(all_tables(ours)[name]), expected, f"{case}: {name}")
        before = after
    assert len(ours.Person()) == 2

# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload, union-attr"
"""A schema DataJoint 2.3.5 declared, filled and partly populated (through its job table) is
read, extended, populated and deleted from by Joinery; DataJoint reads back what Joinery did.

The delete tests compare Joinery's cascade on DataJoint's schema with DataJoint's own cascade on
a twin schema filled the same way. These tests need the server, so they take
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
    trial_rows,
)

NEGATIVE = "ValueError: negative scale -1.0"


@pytest.fixture
def theirs(new_schema: SchemaMaker) -> SimpleNamespace:
    """DataJoint's pipeline, filled; its Computed table populated for person 1 through the job
    table (completed jobs kept), so the job table has success and error rows of DataJoint's."""
    schema = new_schema(oracle_dj, "dj")
    pipeline = declare(oracle_dj, schema)
    fill(oracle_dj, pipeline)
    with oracle_dj.config.override(jobs__keep_completed=True):
        made = pipeline.Analysis.populate({"person_id": 1}, reserve_jobs=True, suppress_errors=True)
    assert made["success_count"] == 2
    return SimpleNamespace(schema=schema, database=schema.database, **vars(pipeline))


def test_joinery_reads_datajoints_headings_and_rows(
    theirs: SimpleNamespace, mysql_connection: dj.Connection
) -> None:
    vm = dj.virtual_schema(theirs.database, connection=mysql_connection)
    assert sorted(vm.schema.list_tables()) == sorted(TABLES)
    ours = all_tables(
        SimpleNamespace(**{n: getattr(vm, n) for n in vars(theirs) if n[0].isupper()})
    )
    for name, original in all_tables(theirs).items():
        mine = ours[name]
        assert mine.primary_key == original.primary_key, name
        assert heading_fields(mine) == heading_fields(original), name
        assert_same_rows(rows(mine), rows(original), name)
        assert_same_rows(rows(mine), fetched(original), name)

    # the values DataJoint wrote, as they were inserted: blobs, json, nullable and renamed FKs
    sessions = rows(vm.Session)
    originals = session_rows(dj)
    for row, original, raw in zip(sessions, originals, blob_values(dj), strict=True):
        assert_same_value(row["raw"], raw, "raw")
        assert_same_value(row["settings"], original["settings"], "settings")
        assert row["experimenter"] == original["experimenter"]
    assert type(sessions[3]["raw"]).__name__ == "MatStruct"
    assert isinstance(sessions[2]["raw"], np.recarray)
    assert [row["lab"] for row in rows(vm.Person)] == [p["lab"] for p in PERSONS]
    signals = [row["signal"] for row in rows(vm.Session.Trial)]
    assert all(a.dtype == np.float64 and a.shape == (2, 4) for a in signals)
    np.testing.assert_array_equal(signals[0], trial_rows()[0]["signal"])

    # restrictions on nullable and renamed attributes select the same rows in both clients
    for query in QUERIES:
        assert_same_rows(rows(query(vm)), rows(query(theirs)), "query")


def test_joinery_populates_datajoints_computed_table_through_datajoints_job_table(
    theirs: SimpleNamespace, mysql_connection: dj.Connection, oracle: Any
) -> None:
    job_table = show_create(mysql_connection, theirs.database, "~~analysis")
    assert "heartbeat_time" not in job_table
    ours = declare(dj, dj.Schema(theirs.database, connection=mysql_connection))
    assert ours.Analysis.progress() == theirs.Analysis.progress() == (10, 12)

    with mysql_connection.config.override(jobs__keep_completed=True):
        made = ours.Analysis.populate(reserve_jobs=True, suppress_errors=True)

    assert made["success_count"] == 4
    assert sorted((k["person_id"], k["session_idx"]) for k, _ in made["error_list"]) == [
        (2, 1),
        (3, 1),
        (3, 2),
        (4, 1),
    ]
    assert {message for _, message in made["error_list"]} == {NEGATIVE}
    # the job table is DataJoint's still (no column added), with one row per key of both clients
    assert show_create(mysql_connection, theirs.database, "~~analysis") == job_table
    sessions = [(1, 1), (1, 2), (2, 1), (3, 1), (3, 2), (4, 1)]
    assert job_rows(oracle, theirs.database) == [
        (*session, param, *(("success", "") if param == 1 else ("error", NEGATIVE)))
        for session in sessions
        for param in (1, 2)
    ]
    jobs = job_dicts(theirs.Analysis.jobs)
    assert_same_rows(job_dicts(ours.Analysis.jobs.table), jobs, "jobs")
    made_by = {(j["person_id"], j["connection_id"]) for j in jobs}
    joinery_session = mysql_connection.server_connection_id()
    assert made_by == {(1, oracle.connection_id)} | {(p, joinery_session) for p in (2, 3, 4)}
    errors = [j for j in jobs if j["status"] == "error"]
    assert all(NEGATIVE in j["error_stack"] for j in errors)
    assert ours.Analysis.jobs.progress() == theirs.Analysis.jobs.progress()
    assert theirs.Analysis.jobs.progress()["success"] == 6

    # DataJoint reads back what Joinery made, and finds nothing left to do
    for name in ("Analysis", "Analysis.PerTrial"):
        mine, original = all_tables(ours)[name], all_tables(theirs)[name]
        assert_same_rows(rows(mine), rows(original), name)
    peaks = expected_analysis(1)
    for row in rows(theirs.Analysis):
        session = (row["person_id"], row["session_idx"])
        assert row["n_trials"] == len(peaks.get(session, []))
        np.testing.assert_array_equal(row["summary"]["peaks"], np.array(peaks.get(session, [])))
        assert row["report"]["peaks"] == peaks.get(session, [])
    assert theirs.Analysis.progress() == ours.Analysis.progress() == (6, 12)
    assert theirs.Analysis.populate(reserve_jobs=True) == {"success_count": 0, "error_list": []}


def test_joinery_extends_datajoints_schema_and_datajoint_reads_and_populates_the_extension(
    theirs: SimpleNamespace, new_schema: SchemaMaker, mysql_connection: dj.Connection, oracle: Any
) -> None:
    shared = dj.Schema(theirs.database, connection=mysql_connection)
    downstream = new_schema(dj, "jox")
    ours = declare(dj, shared)
    ours.Analysis.populate(suppress_errors=True)  # the rest of DataJoint's table, directly
    ours_extension = extend(dj, ours, shared, downstream)
    ours_extension.Review.insert(review_rows()[:2])
    made = ours_extension.Total.populate({"person_id": 1}, reserve_jobs=True)
    assert made == {"success_count": 2, "error_list": []}

    downstream_opened = oracle_dj.Schema(downstream.database, connection=oracle)
    their_extension = extend(oracle_dj, theirs, theirs.schema, downstream_opened)
    assert "review" in theirs.schema.list_tables()
    their_extension.Review.insert(review_rows()[2:])
    # DataJoint populates Joinery's Computed table through Joinery's job table
    assert "heartbeat_time" in show_create(oracle, downstream.database, "~~total")
    made = their_extension.Total.populate(reserve_jobs=True)
    assert made == {"success_count": 4, "error_list": []}

    for name in ("Review", "Total"):
        mine, original = getattr(ours_extension, name), getattr(their_extension, name)
        assert mine.primary_key == original.primary_key, name
        assert heading_fields(mine) == heading_fields(original), name
        assert_same_rows(rows(mine), rows(original), name)
    ordered = sorted(
        review_rows(), key=lambda r: [r[n] for n in their_extension.Review.primary_key]
    )
    assert_same_rows(rows(their_extension.Review), ordered, "Review")
    reviewer = their_extension.Review.heading.attributes["reviewer"]
    assert reviewer.lineage == f"{theirs.database}.person.person_id"
    totals = {(r["person_id"], r["session_idx"]): r["total"] for r in rows(their_extension.Total)}
    expected = {session: sum(peaks) for session, peaks in expected_analysis(1).items()}
    assert totals == {**expected, (4, 1): 0.0}
    assert len(ours_extension.Total.jobs.table) == 0  # completed jobs are deleted by both
    assert theirs.Analysis.jobs.progress()["success"] == 2  # a direct populate takes no jobs


# ---- deleting: Joinery on DataJoint's schema, DataJoint on its own twin -----------------------

#: Deletes run one after the other, each on what the ones before left. Between them they go
#: through renamed FKs in a primary key (Parent.parent) and in a nullable secondary
#: (experimenter), a nullable FK, masters and parts, the Computed table and its part, and the
#: extension's tables in the pipeline's schema and in another.
DELETES: list[tuple[str, Callable[[Any], Any], dict[str, Any]]] = [
    ("parts alone", lambda p: p.Session.Trial & {"person_id": 2}, {"part_integrity": "ignore"}),
    (
        "parts with their masters",
        lambda p: p.Analysis.PerTrial & {"trial_idx": 2},
        {"part_integrity": "cascade"},
    ),
    ("a master with its parts", lambda p: p.Session & {"person_id": 3, "session_idx": 2}, {}),
    ("a lab, through a nullable FK", lambda p: p.Lab & {"lab": "south"}, {}),
    ("a person", lambda p: p.Person & {"person_id": 1}, {}),
]


def test_joinery_deletes_from_datajoints_schema_as_datajoint_deletes_from_its_own(
    new_schema: SchemaMaker, mysql_connection: dj.Connection, oracle: Any
) -> None:
    twin = filled_pipeline(new_schema, oracle_dj, oracle_dj, oracle)  # all DataJoint's
    shared = filled_pipeline(new_schema, oracle_dj, dj, mysql_connection)  # extended by Joinery
    reference = open_pipeline(oracle_dj, oracle, *twin)
    ours = open_pipeline(dj, mysql_connection, *shared)
    theirs = open_pipeline(oracle_dj, oracle, *shared)
    before = contents(reference)
    for name, expected in before.items():
        assert_same_rows(rows(all_tables(ours)[name]), expected, name)

    for case, restrict, options in DELETES:
        cascade = oracle_dj.Diagram.cascade(restrict(reference), **options).counts()
        counts = normalized(cascade, *twin)
        assert normalized(restrict(ours).delete_preview(**options).counts, *shared) == counts
        assert normalized(dj.Diagram.cascade(restrict(ours), **options).counts(), *shared) == (
            counts
        )
        assert len(counts) > 2, case

        deleted = restrict(ours).delete(**options)

        assert deleted == restrict(reference).delete(**options) > 0, case
        after = contents(reference)
        assert sizes(after) != sizes(before), case
        for name, expected in after.items():  # DataJoint reads back what Joinery left
            assert_same_rows(rows(all_tables(theirs)[name]), expected, f"{case}: {name}")
            assert_same_rows(rows(all_tables(ours)[name]), expected, f"{case}: {name}")
        before = after
    assert len(ours.Person()) == 2


def test_deleting_parts_directly_is_refused_by_both_clients_alike(
    theirs: SimpleNamespace, mysql_connection: dj.Connection
) -> None:
    ours = declare(dj, dj.Schema(theirs.database, connection=mysql_connection))
    before = rows(theirs.Session.Trial)
    with pytest.raises(oracle_dj.DataJointError) as reference:
        (theirs.Session.Trial & {"person_id": 1}).delete()
    with pytest.raises(dj.DataJointError) as refused:
        (ours.Session.Trial & {"person_id": 1}).delete()
    assert str(refused.value) == str(reference.value)
    assert str(refused.value).startswith("Cannot delete from a Part directly.")
    with pytest.raises(ValueError) as reference_error:
        theirs.Person.delete(part_integrity="always")
    with pytest.raises(ValueError) as error:
        ours.Person.delete(part_integrity="always")
    assert str(error.value) == str(reference_error.value)
    assert_same_rows(rows(theirs.Session.Trial), before, "Session.Trial")
    assert len(theirs.Person()) == len(PERSONS)

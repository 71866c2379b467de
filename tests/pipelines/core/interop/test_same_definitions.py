# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""The interop pipeline declared by Joinery and by DataJoint 2.3.5, each in its own schema,
gives the same tables, lineage, headings and descriptions; each client extending the other's
schema adds the same tables; each populating its own copy makes the same rows and job rows.

These tests need the server, so they take ``mysql_connection`` directly (no SQLite variant).
"""

from __future__ import annotations

from typing import Any

import pipelines.core as dj
from tests.pipelines.core.interop.conftest import SchemaMaker
from tests.pipelines.core.interop.interop_fixture import (
    TABLES,
    assert_same_rows,
    declare,
    extend,
    fill,
    heading_fields,
    job_rows,
    lineage_rows,
    oracle_dj,
    rows,
    show_create,
)

HEARTBEAT = "  `heartbeat_time` datetime(3) DEFAULT NULL COMMENT ':datetime(3):',\n"


def _pairs(ours: Any, theirs: Any) -> list[tuple[str, Any, Any]]:
    """(name, Joinery table, DataJoint table) for every table of the pipeline, parts included."""
    pairs = [(name, getattr(ours, name), getattr(theirs, name)) for name in vars(ours)]
    pairs.append(("Session.Trial", ours.Session.Trial, theirs.Session.Trial))
    pairs.append(("Analysis.PerTrial", ours.Analysis.PerTrial, theirs.Analysis.PerTrial))
    return pairs


def test_both_clients_declare_the_same_tables_lineage_and_headings(
    new_schema: SchemaMaker, mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, datajoint = new_schema(dj, "jo"), new_schema(oracle_dj, "dj")
    ours, theirs = declare(dj, joinery), declare(oracle_dj, datajoint)

    assert sorted(joinery.list_tables()) == sorted(TABLES)
    for table in [*TABLES, "~lineage"]:
        assert show_create(mysql_connection, joinery.database, table) == show_create(
            oracle, datajoint.database, table
        ), table
    assert lineage_rows(mysql_connection, joinery.database) == lineage_rows(
        oracle, datajoint.database
    )
    assert ("parent", "parent", "<db>.person.person_id") in lineage_rows(oracle, joinery.database)
    context = {**vars(ours)}
    reference = {**vars(theirs)}
    for name, mine, original in _pairs(ours, theirs):
        assert mine.primary_key == original.primary_key, name
        assert heading_fields(mine) == heading_fields(original), name
        assert mine.describe(context=context) == original().describe(context=reference), name
    assert ours.Parent.describe(context=context).splitlines()[-2:] == [
        "-> Person",
        '-> Person.proj(parent="person_id")',
    ]


def test_each_client_extending_the_others_schema_adds_the_same_tables(
    new_schema: SchemaMaker, mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, datajoint = new_schema(dj, "jo"), new_schema(oracle_dj, "dj")
    declare(dj, joinery)
    declare(oracle_dj, datajoint)
    joinery_downstream = new_schema(dj, "jox")
    datajoint_downstream = new_schema(oracle_dj, "djx")
    # Joinery extends DataJoint's schema, DataJoint extends Joinery's
    theirs_opened = dj.Schema(datajoint.database, connection=mysql_connection)
    extend(dj, declare(dj, theirs_opened), theirs_opened, joinery_downstream)
    ours_opened = oracle_dj.Schema(joinery.database, connection=oracle)
    extend(oracle_dj, declare(oracle_dj, ours_opened), ours_opened, datajoint_downstream)

    assert sorted(joinery.list_tables()) == sorted([*TABLES, "review"])
    for table in [*TABLES, "review", "~lineage"]:
        assert show_create(mysql_connection, joinery.database, table) == show_create(
            oracle, datajoint.database, table
        ), table
    assert lineage_rows(mysql_connection, joinery.database) == lineage_rows(
        oracle, datajoint.database
    )
    # the downstream schemas reference the other client's schema by name
    downstream_ddl = show_create(mysql_connection, joinery_downstream.database, "__total")
    assert downstream_ddl.replace(datajoint.database, "<up>") == show_create(
        oracle, datajoint_downstream.database, "__total"
    ).replace(joinery.database, "<up>")
    ours = lineage_rows(mysql_connection, joinery_downstream.database, datajoint.database)
    theirs = lineage_rows(oracle, datajoint_downstream.database, joinery.database)
    assert ours == theirs
    assert ("__total", "param_id", "<db1>.#param.param_id") in ours


def test_each_client_populating_its_own_copy_makes_the_same_rows_and_jobs(
    new_schema: SchemaMaker, mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, datajoint = new_schema(dj, "jo"), new_schema(oracle_dj, "dj")
    ours, theirs = declare(dj, joinery), declare(oracle_dj, datajoint)
    fill(dj, ours)
    fill(oracle_dj, theirs)
    with mysql_connection.config.override(jobs__keep_completed=True):
        made = ours.Analysis.populate(reserve_jobs=True, suppress_errors=True)
    with oracle_dj.config.override(jobs__keep_completed=True):
        reference = theirs.Analysis.populate(reserve_jobs=True, suppress_errors=True)

    assert made == reference
    assert made["success_count"] == 6
    assert {message for _, message in made["error_list"]} == {"ValueError: negative scale -1.0"}
    assert show_create(mysql_connection, joinery.database, "~~analysis") == show_create(
        oracle, datajoint.database, "~~analysis"
    ).replace(",\n  PRIMARY KEY", ",\n" + HEARTBEAT + "  PRIMARY KEY")
    assert job_rows(mysql_connection, joinery.database) == job_rows(oracle, datajoint.database)
    assert ours.Analysis.jobs.progress() == theirs.Analysis.jobs.progress()
    for name, mine, original in _pairs(ours, theirs):
        assert_same_rows(rows(mine), rows(original), name)

# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""Structured queries (``pipelines.services.queries``) on both data backends: every step of a
spec, the rows and totals they give, and bad specs refused with the place of the error."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from pipelines.services.errors import Invalid
from pipelines.services.queries import QueryResult, query_run
from pipelines.services.tables import table_list
from tests.portal.queries.conftest import NASTY

pytestmark = pytest.mark.django_db


def ref(lab: SimpleNamespace, name: str) -> dict[str, str]:
    return {"schema": lab.name, "name": name}


def run(lab: SimpleNamespace, **spec: Any) -> QueryResult:
    spec.setdefault("table", ref(lab, "Subject"))
    return query_run(pipeline=lab.pipeline, spec=spec)


def column(result: QueryResult, name: str) -> list[Any]:
    return [row[name] for row in result.rows]


def test_a_table_restricted_ordered_and_paged(lab: SimpleNamespace) -> None:
    result = run(lab, where={"attribute": "species", "value": "mouse"})
    assert result.primary_key == ["subject_id"] and result.count == 2
    assert result.columns[0] == {"name": "subject_id", "type": "int32"}
    assert [c["name"] for c in result.columns] == [
        "subject_id",
        "name",
        "species",
        "weight",
        "born",
    ]
    assert result.rows[1] == {
        "subject_id": 3,
        "name": NASTY,
        "species": "mouse",
        "weight": 31.0,
        "born": "2025-01-01",
    }
    assert column(run(lab, where={"attribute": "name", "value": NASTY}), "subject_id") == [3]
    heaviest = run(lab, order_by=["-weight"], limit=2)
    assert column(heaviest, "subject_id") == [3, 1] and heaviest.count == 3
    assert column(run(lab, order_by=["-weight"], limit=2, offset=2), "subject_id") == [2]
    assert column(run(lab, order_by=["species", "-subject_id"]), "subject_id") == [3, 1, 2]


def test_joins_inner_left_and_renamed(lab: SimpleNamespace) -> None:
    joined = run(lab, table=ref(lab, "Session"), join=[{"table": ref(lab, "Subject")}])
    assert joined.count == 4 and joined.primary_key == ["subject_id", "session"]
    assert column(joined, "name") == ["ann", "ann", "bob", NASTY]
    person = {
        "table": ref(lab, "Person"),
        "project": {"rename": {"experimenter": "person_id"}},
        "where": {"attribute": "full_name", "operator": "like", "value": "A%"},
    }
    inner = run(lab, table=ref(lab, "Session"), join=[person])
    assert [(r["subject_id"], r["full_name"]) for r in inner.rows] == [(1, "Ann A."), (3, "Ann A.")]
    left = run(lab, table=ref(lab, "Session"), join=[{**person, "left": True}])
    assert column(left, "full_name") == ["Ann A.", None, None, "Ann A."]
    filtered = run(
        lab,
        table=ref(lab, "Session"),
        join=[{"table": ref(lab, "Subject")}],
        where={
            "or": [{"attribute": "species", "value": "rat"}, {"attribute": "session", "value": 2}]
        },
    )
    assert [(r["subject_id"], r["session"]) for r in filtered.rows] == [(1, 2), (2, 1)]


def test_restriction_by_other_tables(lab: SimpleNamespace) -> None:
    early = {
        "table": ref(lab, "Session"),
        "where": {"attribute": "session_date", "operator": "<", "value": "2024-06-01"},
    }
    assert column(run(lab, where=early), "subject_id") == [1]
    assert column(run(lab, where={"not": early}), "subject_id") == [2, 3]
    trials = {"table": ref(lab, "Session.Trial")}
    assert column(
        run(
            lab,
            where={"and": [{"not": trials}, {"attribute": "weight", "operator": "is not null"}]},
        ),
        "subject_id",
    ) == [3]


def test_aggregates_count_matches_and_keep_attributes(lab: SimpleNamespace) -> None:
    compute = [
        {"name": "n", "function": "count", "attribute": "*"},
        {"name": "rt", "function": "max", "attribute": "reaction_time"},
        {"name": "kinds", "function": "count_distinct", "attribute": "reaction_time"},
    ]
    per_session = run(
        lab,
        table=ref(lab, "Session"),
        aggregate={"table": ref(lab, "Session.Trial"), "compute": compute},
    )
    assert column(per_session, "n") == [3, 2, 0, 0]  # unmatched sessions count 0, not 1
    assert column(per_session, "rt") == [0.75, 1.0, None, None]
    assert column(per_session, "kinds") == [3, 1, 0, 0]
    assert "session_date" in column_names(per_session)
    matched_only = run(
        lab,
        table=ref(lab, "Session"),
        aggregate={
            "table": ref(lab, "Session.Trial"),
            "where": {"attribute": "trial", "operator": ">", "value": 1},
            "compute": compute[:1],
            "keep": [],
            "keep_all_rows": False,
        },
    )
    assert column_names(matched_only) == ["subject_id", "session", "n"]
    assert column(matched_only, "n") == [2, 1] and matched_only.count == 2
    assert 'n="count(*)"' in matched_only.code
    sessions = run(
        lab,
        aggregate={
            "table": ref(lab, "Session"),
            "compute": [{"name": "sessions", "function": "count", "attribute": "*"}],
            "keep": ["name"],
        },
        having={"attribute": "sessions", "operator": ">=", "value": 1},
        order_by=["-sessions"],
    )
    assert [(r["name"], r["sessions"]) for r in sessions.rows] == [
        ("ann", 2),
        ("bob", 1),
        (NASTY, 1),
    ]
    assert sessions.count == 3


def column_names(result: QueryResult) -> list[str]:
    return [c["name"] for c in result.columns]


def test_group_by_distinct_and_totals(lab: SimpleNamespace) -> None:
    counts = run(
        lab,
        aggregate={
            "group_by": ["species"],
            "compute": [
                {"name": "n", "function": "count", "attribute": "*"},
                {"name": "heaviest", "function": "max", "attribute": "weight"},
            ],
        },
        having={"attribute": "n", "operator": ">", "value": 1},
    )
    assert counts.rows == [{"species": "mouse", "n": 2, "heaviest": 31.0}]
    assert counts.primary_key == ["species"]
    distinct = run(lab, aggregate={"group_by": ["species"]}, order_by=["-species"])
    assert distinct.rows == [{"species": "rat"}, {"species": "mouse"}] and distinct.count == 2
    total = run(
        lab,
        aggregate={
            "group_by": [],
            "compute": [{"name": "n", "function": "count", "attribute": "*"}],
        },
    )
    assert total.rows == [{"n": 3}] and total.count == 1 and total.primary_key == []


def test_projection_keeps_excludes_and_renames(lab: SimpleNamespace) -> None:
    kept = run(lab, project={"keep": ["name"], "rename": {"id": "subject_id"}}, order_by=["-id"])
    assert kept.rows[0] == {"id": 3, "name": NASTY} and kept.primary_key == ["id"]
    dropped = run(lab, project={"exclude": ["born", "weight"], "rename": {"kind": "species"}})
    assert column_names(dropped) == ["subject_id", "name", "kind"]


def test_blobs_are_listed_by_size_and_other_types_as_json(lab: SimpleNamespace) -> None:
    result = run(lab, table=ref(lab, "Recording"))
    assert result.rows == [
        {
            "subject_id": 1,
            "session": 1,
            "trace": result.rows[0]["trace"],
            "raw": {"blob": True, "size": 5},
            "meta": {"gain": 2, "tags": ["a"]},
            "uid": "12345678-1234-5678-1234-567812345678",
        },
        {"subject_id": 1, "session": 2, "trace": None, "raw": None, "meta": None, "uid": None},
    ]
    assert result.rows[0]["trace"]["blob"] is True and result.rows[0]["trace"]["size"] > 32
    scores = run(lab, table=ref(lab, "Session"), where={"attribute": "score", "value": "3.5"})
    assert column(scores, "score") == ["3.50"] and column(scores, "session_date") == ["2024-07-01"]


def test_std_and_variance_where_the_database_has_them(
    lab: SimpleNamespace, data_backend: str
) -> None:
    spec = {
        "table": ref(lab, "Session"),
        "aggregate": {
            "table": ref(lab, "Session.Trial"),
            "compute": [{"name": "s", "function": "std", "attribute": "reaction_time"}],
            "keep_all_rows": False,
        },
    }
    if data_backend == "sqlite":
        with pytest.raises(Invalid) as error:
            query_run(pipeline=lab.pipeline, spec=spec)
        assert error.value.details["at"] == "aggregate.compute[0].function"
        assert "not available" in error.value.message
    else:
        result = query_run(pipeline=lab.pipeline, spec=spec)
        assert column(result, "s") == [pytest.approx(0.2041241), 0.0]


DROP = "x; DROP TABLE subject; --"


def bad_specs(lab: SimpleNamespace) -> list[tuple[Any, str]]:
    """(spec, the place the error names); SQL-looking text in every field."""
    own = lab.name
    session, recording = ref(lab, "Session"), ref(lab, "Recording")
    count = {"name": "n", "function": "count", "attribute": "*"}

    def spec(**parts: Any) -> dict[str, Any]:
        return {"table": ref(lab, "Subject"), **parts}

    def aggregate(**parts: Any) -> dict[str, Any]:
        return spec(aggregate={"table": session, "compute": [count], **parts})

    return [
        ([DROP], "spec"),
        ({}, "table"),
        (spec(sql=DROP), "spec"),
        ({"table": f"{own}.Subject"}, "table"),
        ({"table": {"schema": DROP, "name": "Subject"}}, "table.schema"),
        ({"table": {"schema": own, "name": DROP}}, "table.name"),
        ({"table": {"schema": own, "name": "subject"}}, "table.name"),
        ({"table": {"schema": own, "name": "Subject", "where": DROP}}, "table"),
        (spec(join={"table": session}), "join"),
        (spec(join=[{"table": session}] * 9), "join"),
        (spec(join=[{"table": session, "left": DROP}]), "join[0].left"),
        (spec(join=[{"table": session, "on": DROP}]), "join[0]"),
        (spec(join=[{"table": session, "left": True}]), "join[0]"),
        (spec(join=[{"table": session, "where": DROP}]), "join[0].where"),
        (spec(where=DROP), "where"),
        (spec(where={"attribute": DROP, "value": 1}), "where.attribute"),
        (spec(where={"attribute": "weight", "operator": DROP, "value": 1}), "where.operator"),
        (spec(where={"attribute": "subject_id", "value": DROP}), "where"),
        (spec(where={"attribute": "name", "value": "\ud800"}), "where.value"),
        (spec(where={"table": {"schema": own, "name": DROP}}), "where.table.name"),
        (
            spec(where={"and": [{"not": {"table": {"schema": DROP, "name": "X"}}}]}),
            "where.and[0].not.table.schema",
        ),
        (
            spec(aggregate={"table": session, "compute": [{**count, "name": DROP}]}),
            "aggregate.compute[0].name",
        ),
        (
            spec(aggregate={"table": session, "compute": [{**count, "function": DROP}]}),
            "aggregate.compute[0].function",
        ),
        (
            spec(aggregate={"table": session, "compute": [{**count, "attribute": DROP}]}),
            "aggregate.compute[0].attribute",
        ),
        (
            spec(aggregate={"table": session, "compute": [{**count, "function": "avg"}]}),
            "aggregate.compute[0].attribute",
        ),
        (
            spec(aggregate={"table": session, "compute": [{**count, "expression": DROP}]}),
            "aggregate.compute[0]",
        ),
        (
            spec(aggregate={"table": session, "compute": [count, count]}),
            "aggregate.compute[1].name",
        ),
        (spec(aggregate={"table": ref(lab, "Person"), "compute": [count]}), "aggregate"),
        (aggregate(keep=[DROP]), "aggregate.keep[0]"),
        (aggregate(keep_all_rows=DROP), "aggregate.keep_all_rows"),
        (aggregate(compute=[{**count, "name": "name"}]), "aggregate"),
        (spec(aggregate={"group_by": [DROP]}), "aggregate.group_by[0]"),
        (spec(aggregate={"group_by": []}), "aggregate.group_by"),
        (
            spec(aggregate={"group_by": ["species"], "compute": [{**count, "name": "species"}]}),
            "aggregate.compute[0].name",
        ),
        (
            spec(
                aggregate={
                    "group_by": ["species"],
                    "compute": [{"name": "s", "function": "sum", "attribute": "name"}],
                }
            ),
            "aggregate.compute[0].attribute",
        ),
        (
            spec(
                table=session,
                aggregate={"table": recording, "project": {"keep": []}, "compute": [count]},
            ),
            "aggregate.compute[0].attribute",
        ),
        (spec(having={"attribute": "weight", "value": 1}), "having"),
        ({**aggregate(), "having": {"attribute": DROP, "value": 1}}, "having.attribute"),
        (spec(project={"keep": DROP}), "project.keep"),
        (spec(project={"keep": ["weight", DROP]}), "project.keep[1]"),
        (spec(project={"exclude": ["subject_id"]}), "project.exclude[0]"),
        (spec(project={"keep": ["name"], "exclude": ["weight"]}), "project.exclude"),
        (spec(project={"rename": {DROP: "name"}}), "project.rename"),
        (spec(project={"rename": {"nm": DROP}}), "project.rename.nm"),
        (spec(project={"rename": {"name": "species"}}), "project"),
        (spec(project={"compute": {"x": DROP}}), "project"),
        (spec(order_by=DROP), "order_by"),
        (spec(order_by=[DROP]), "order_by[0]"),
        (spec(order_by=[1]), "order_by[0]"),
        (spec(limit=DROP), "limit"),
        (spec(limit=0), "limit"),
        (spec(limit=True), "limit"),
        (spec(limit=10**9), "limit"),
        (spec(offset=-1), "offset"),
        (spec(offset=DROP), "offset"),
    ]


def test_bad_specs_are_refused_naming_the_place(lab: SimpleNamespace) -> None:
    before = [t.name for t in table_list(pipeline=lab.pipeline)], len(lab.Subject())
    for spec, at in bad_specs(lab):
        with pytest.raises(Invalid) as error:
            query_run(pipeline=lab.pipeline, spec=spec)
        assert error.value.details["at"] == at, (spec, error.value.message)
    assert ([t.name for t in table_list(pipeline=lab.pipeline)], len(lab.Subject())) == before


def test_deep_specs_are_refused(lab: SimpleNamespace) -> None:
    deep: Any = {"attribute": "weight", "value": 1}
    for _ in range(30):
        deep = {"not": deep}
    with pytest.raises(Invalid, match="deeper"):
        run(lab, where=deep)

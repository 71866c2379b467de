# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""The "show the code" Python a spec becomes, run as a user would run it, returns the rows the
service returned (both data backends); literals and names are written safely."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core.db.default as default_connection
from pipelines.api.query_serializers import EXAMPLE_CODE, EXAMPLE_SPEC
from pipelines.services.data import data_connection
from pipelines.services.json_values import json_row
from pipelines.services.queries import query_code, query_run
from pipelines.services.query_code import python_literal, render_code
from pipelines.services.query_spec import Join, Operand, Projection, QueryPlan
from pipelines.services.tables import TableName
from tests.portal.queries.conftest import NASTY

pytestmark = pytest.mark.django_db


def specs(lab: SimpleNamespace) -> list[dict[str, Any]]:
    def ref(name: str) -> dict[str, str]:
        return {"schema": lab.name, "name": name}

    subject, session, trial = ref("Subject"), ref("Session"), ref("Session.Trial")
    count = {"name": "n", "function": "count", "attribute": "*"}
    many = [*range(100, 125), 3]
    return [
        {
            "table": subject,
            "where": {"attribute": "species", "value": "mouse"},
            "order_by": ["-weight"],
        },
        {
            "table": subject,
            "where": {
                "and": [
                    {"attribute": "weight", "operator": ">", "value": 20},
                    {"not": {"attribute": "name", "value": NASTY}},
                ]
            },
        },
        {
            "table": subject,
            "where": {
                "or": [
                    {"attribute": "name", "value": NASTY},
                    {
                        "attribute": "born",
                        "operator": "between",
                        "value": ["2024-02-01", "2024-12-31"],
                    },
                ]
            },
        },
        {"table": subject, "where": {"attribute": "subject_id", "operator": "in", "value": [1, 3]}},
        {
            "table": subject,
            "where": {"attribute": "subject_id", "operator": "not in", "value": many},
        },
        {
            "table": subject,
            "where": {"attribute": "weight", "operator": "in", "value": [20.5, None]},
        },
        {"table": subject, "where": {"attribute": "weight", "operator": "is null"}},
        {"table": subject, "where": {"attribute": "weight", "operator": "is not null"}},
        {"table": subject, "where": {"attribute": "name", "operator": "!=", "value": "ann"}},
        {"table": subject, "where": {"attribute": "name", "operator": "not like", "value": "%o%"}},
        {"table": subject, "where": {"attribute": "name", "value": ""}},
        {
            "table": subject,
            "where": {
                "not": {
                    "table": session,
                    "where": {"attribute": "session_date", "operator": ">=", "value": "2025-01-01"},
                }
            },
        },
        {
            "table": session,
            "join": [
                {"table": subject, "where": {"attribute": "species", "value": "mouse"}},
                {
                    "table": ref("Person"),
                    "project": {"rename": {"experimenter": "person_id"}},
                    "left": True,
                },
            ],
            "where": {
                "or": [
                    {"attribute": "full_name", "operator": "is null"},
                    {"attribute": "session", "value": 1},
                ]
            },
            "project": {"exclude": ["born"], "rename": {"class": "species"}},
            "order_by": ["class", "-session_date"],
        },
        {
            "table": session,
            "aggregate": {
                "table": trial,
                "compute": [count, {"name": "rt", "function": "avg", "attribute": "reaction_time"}],
            },
            "having": {"attribute": "n", "operator": "<", "value": 3},
            "project": {"keep": ["n", "rt"], "rename": {"day": "session_date"}},
            "order_by": ["-n"],
        },
        {
            "table": session,
            "aggregate": {"table": trial, "compute": [count], "keep": [], "keep_all_rows": False},
        },
        {
            "table": subject,
            "aggregate": {
                "group_by": ["species"],
                "compute": [count, {"name": "from", "function": "min", "attribute": "born"}],
            },
        },
        {"table": subject, "aggregate": {"group_by": ["species"]}, "order_by": ["-species"]},
        {"table": subject, "aggregate": {"group_by": [], "compute": [count]}},
        {"table": ref("Recording"), "project": {"exclude": ["trace"]}},
        {"table": subject, "order_by": ["born"], "limit": 1, "offset": 1},
    ]


def test_the_code_returns_the_same_rows(lab: SimpleNamespace, monkeypatch: Any) -> None:
    # The snippet connects as a notebook would: to dj.conn(), here the test's data database.
    monkeypatch.setattr(default_connection, "_shared", [data_connection()])
    for spec in specs(lab):
        result = query_run(pipeline=lab.pipeline, spec=spec)
        namespace: dict[str, Any] = {}
        exec(compile(result.code, "<snippet>", "exec"), namespace)
        rows = [json_row(row) for row in namespace["rows"]]
        assert rows == result.rows, (spec, result.code)
        assert namespace["total"] == result.count, result.code
        assert result.code == query_code(pipeline=lab.pipeline, spec=spec)
    assert len(specs(lab)) == 20


def test_the_documented_example_is_what_the_service_writes(lab: SimpleNamespace) -> None:
    spec = json.loads(json.dumps(EXAMPLE_SPEC).replace('"lab"', json.dumps(lab.name)))
    code = query_code(pipeline=lab.pipeline, spec=spec)
    assert code.replace(lab.name, "lab") == EXAMPLE_CODE


def test_rows_example_runs(lab: SimpleNamespace) -> None:
    spec = json.loads(json.dumps(EXAMPLE_SPEC).replace('"lab"', json.dumps(lab.name)))
    spec["having"]["value"] = 1
    result = query_run(pipeline=lab.pipeline, spec=spec)
    assert [(r["date"], r["n_trials"], r["mean_rt"]) for r in result.rows] == [
        ("2024-03-01", 3, 0.5),
        ("2024-04-01", 2, 1.0),
    ]


def table(schema: str, name: str) -> TableName:
    return TableName(schema, name, name.lower(), "Manual")


def test_schema_names_that_clash_get_a_suffix() -> None:
    plan = QueryPlan(
        table=table("class", "A"),
        joins=(
            Join(Operand(table("query", "B"))),
            Join(
                Operand(table("lab", "C"), project=Projection(keep=("x",), rename=(("if", "y"),)))
            ),
        ),
        limit=5,
    )
    assert render_code(plan) == (
        "import pipelines.core as dj\n\n"
        'class_schema = dj.virtual_schema("class")\n'
        'query_schema = dj.virtual_schema("query")\n'
        'lab = dj.virtual_schema("lab")\n\n'
        "query = class_schema.A()\n"
        "query = query * query_schema.B\n"
        'query = query * lab.C.proj("x", **{"if": "y"})\n\n'
        "total = len(query)\n"
        "rows = query.to_dicts(limit=5)\n"
    )


@pytest.mark.parametrize(
    "value",
    [NASTY, 'say "hi"', "both ' and \"", "back\\slash\n", "\u00e9\x00", 3, 2.5, True, None, -0.0],
)
def test_literals_are_python_that_reads_back_the_value(value: Any) -> None:
    text = python_literal(value)
    assert eval(text, {"__builtins__": {}}) == value
    assert text == repr(value) or text.startswith('"')

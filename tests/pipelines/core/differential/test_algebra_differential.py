# Table classes take instance methods at class level through their metaclass; mypy cannot see that.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""Differential test of the query algebra (spec/engine.md §4): random expression trees over random
contents, evaluated by Joinery on SQLite and MariaDB and by the pandas reference evaluator in
``reference.py``; both must give the same heading, primary key and multiset of rows.

The four table shapes are declared once per backend for the module; each example only replaces
the contents. ``JOINERY_DEEP=1`` (``make test-deep``) runs many more, randomized examples; the
default run is small and derandomized so CI is reproducible.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

import pipelines.core as dj
from tests.pipelines.core.differential.reference import (
    Aggr,
    Aggregation,
    Base,
    CondCompare,
    CondDict,
    CondNot,
    Join,
    Node,
    Proj,
    Reference,
    Restrict,
    Semijoin,
    Top,
    UAggr,
    UDistinct,
    Union,
    frame,
)
from tests.pipelines.core.differential.strategies import (
    DEFINITIONS,
    HEADINGS,
    TABLE_ORDER,
    Rows,
    contents,
    expressions,
    render,
)

DEEP = os.environ.get("JOINERY_DEEP") == "1"
EXAMPLES = int(os.environ.get("JOINERY_DIFFERENTIAL_EXAMPLES", "2000" if DEEP else "200"))


# --- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def declared() -> Iterator[dict[str, tuple[dj.Schema, dict[str, Any]]]]:
    """Per backend, the schema and table classes, declared on first use; dropped at the end."""
    schemas: dict[str, tuple[dj.Schema, dict[str, Any]]] = {}
    yield schemas
    for schema, _ in schemas.values():
        schema.drop(prompt=False)


@pytest.fixture
def tables(
    conn: dj.Connection, backend: str, declared: dict[str, tuple[dj.Schema, dict[str, Any]]]
) -> dict[str, Any]:
    if backend not in declared:
        name = f"jt_diff_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        schema = dj.Schema(name, connection=conn)
        declared[backend] = (schema, declare(schema))
    return declared[backend][1]


def declare(schema: dj.Schema) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for name in TABLE_ORDER:
        cls = type(name, (dj.Manual,), {"definition": DEFINITIONS[name]})
        context[name] = schema(cls, context=context)
    return context


def load(tables: dict[str, Any], rows: Rows) -> None:
    for name in reversed(TABLE_ORDER):
        tables[name]().delete_quick()
    for name in TABLE_ORDER:
        if rows[name]:
            tables[name].insert(rows[name])


# --- comparison ------------------------------------------------------------------------------
def normalized(value: Any) -> Any:
    """Numbers compare as floats rounded to 6 digits; NaN is NULL."""
    if value is None or isinstance(value, str):
        return value
    number = float(value)  # int, float, Decimal (MariaDB sums) or numpy scalars
    if number != number:
        return None
    return round(number, 6) + 0.0


def multiset(rows: list[dict[str, Any]], names: list[str]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(normalized(row[n]) for n in names) for row in rows)


def reference_for(rows: Rows) -> Reference:
    data = {
        name: frame(
            ([r[n] for n in HEADINGS[name].names] for r in rows[name]), HEADINGS[name].names
        )
        for name in TABLE_ORDER
    }
    return Reference(HEADINGS, data)


def assert_same_result(tables: dict[str, Any], rows: Rows, node: Node) -> None:
    code = render(node)
    reference = reference_for(rows)
    heading = reference.heading(node)
    query = eval(code, {"dj": dj, **tables})  # the rendered code is the expression under test
    assert (query.primary_key, query.heading.names) == (list(heading.primary_key), heading.names), (
        code
    )
    expected = reference.evaluate(node).to_dict("records")
    actual = multiset(query.to_dicts(), heading.names)
    assert actual == multiset(expected, heading.names), (
        f"{code}\n  joinery:   {sorted(actual.elements(), key=repr)}"
        f"\n  reference: {sorted(multiset(expected, heading.names).elements(), key=repr)}"
    )


# --- the differential test -------------------------------------------------------------------
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not DEEP,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=contents(), node=expressions())
def test_random_expressions_match_the_reference_evaluator(
    tables: dict[str, Any], rows: Rows, node: Node
) -> None:
    note(f"expression: {render(node)}")
    note(f"contents: {rows}")
    load(tables, rows)
    assert_same_result(tables, rows, node)


# --- fixed cases: each construct once, so a failure names it ---------------------------------
FIXED_ROWS: Rows = {
    "Root": [
        {"r": 1, "ra": 1, "rf": 0.5, "rs": "a", "rn": None},
        {"r": 2, "ra": 2, "rf": -1.5, "rs": "ab", "rn": 3},
        {"r": 3, "ra": 2, "rf": 2.0, "rs": "", "rn": 0},
    ],
    "Child": [
        {"r": 1, "c": 0, "ca": 1, "cs": "b", "cf": None},
        {"r": 1, "c": 1, "ca": 3, "cs": "a", "cf": 1.5},
        {"r": 2, "c": 0, "ca": 0, "cs": "", "cf": -0.5},
    ],
    "Grand": [
        {"r": 1, "c": 0, "g": 0, "ga": 2, "gn": None},
        {"r": 1, "c": 0, "g": 1, "ga": 1, "gn": 1},
    ],
    "Side": [{"s": 0, "r": 1, "sa": 1}, {"s": 1, "r": None, "sa": 2}, {"s": 2, "r": 3, "sa": 0}],
}
FIXED: list[Node] = [
    Restrict(Base("Root"), CondDict((("r", 2),))),
    Restrict(Base("Root"), CondNot(CondCompare("rn", ">", 0)), negate=True),
    Semijoin(Base("Root"), Base("Child"), negate=True),
    Join(Base("Child"), Base("Root")),
    Join(Base("Side"), Base("Root")),
    Proj(Base("Child"), ("cs",), (("x1", "c"),), (("x2", "cf", "*", 2),)),
    Aggr(
        Base("Root"), Base("Child"), (Aggregation("n", "count", "c"), Aggregation("m", "max", "cf"))
    ),
    Aggr(
        Base("Root"),
        Restrict(Base("Child"), CondCompare("ca", ">", 0)),
        (Aggregation("n", "count", None),),
        keep_all=True,
    ),
    Union(
        Proj(Restrict(Base("Root"), CondCompare("ra", "=", 2)), ("rs",)),
        Proj(Base("Root"), ("rf",)),
    ),
    UDistinct(("ra",), Base("Root")),
    UAggr(("r",), Base("Child"), (Aggregation("n", "count", None), Aggregation("s", "sum", "cf"))),
    UAggr((), Base("Grand"), (Aggregation("n", "count", "gn"),)),
    Top(Base("Child"), 2, 1, descending=True),
    Join(Base("Root"), Top(Base("Child"), 1)),
]


@pytest.mark.parametrize("node", FIXED, ids=[render(n) for n in FIXED])
def test_each_construct_matches_the_reference_evaluator(tables: dict[str, Any], node: Node) -> None:
    load(tables, FIXED_ROWS)
    assert_same_result(tables, FIXED_ROWS, node)


def test_reference_counts_zero_for_unmatched_rows_and_keeps_them() -> None:
    node = Aggr(Base("Root"), Base("Child"), (Aggregation("n", "count", "c"),))
    rows = reference_for(FIXED_ROWS).evaluate(node).to_dict("records")
    assert sorted((r["r"], r["n"]) for r in rows) == [(1, 2), (2, 1), (3, 0)]


def test_reference_outer_union_fills_the_other_sides_attributes_with_null() -> None:
    left = Proj(Restrict(Base("Root"), CondDict((("r", 1),))), ("ra",))
    right = Proj(Restrict(Base("Root"), CondDict((("r", 2),))), ("rs",))
    rows = reference_for(FIXED_ROWS).evaluate(Union(left, right)).to_dict("records")
    assert rows == [{"r": 1, "ra": 1, "rs": None}, {"r": 2, "ra": None, "rs": "ab"}]


def test_reference_join_key_promotes_a_secondary_namesake_when_neither_side_determines() -> None:
    heading = reference_for(FIXED_ROWS).heading(Join(Base("Side"), Base("Child")))
    assert heading.primary_key == ("s", "r", "c")
    assert heading.names == ["s", "r", "c", "sa", "ca", "cs", "cf"]

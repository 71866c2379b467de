# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""JSON condition trees -> engine restrictions, on both data backends."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.services.conditions import restriction_from_json
from pipelines.services.data import data_connection
from pipelines.services.errors import Invalid


@pytest.fixture
def lab(data_schema: str) -> SimpleNamespace:
    schema = dj.Schema(data_schema, connection=data_connection())

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(32)
        weight = null : float64
        born : date
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        """

    Subject.insert(
        [
            {"subject_id": 1, "name": "ann", "weight": 20.5, "born": "2024-01-01"},
            {"subject_id": 2, "name": "bob", "weight": None, "born": "2024-06-01"},
            {"subject_id": 3, "name": "o'hara; DROP TABLE x", "weight": 31.0, "born": "2025-01-01"},
        ]
    )
    Session.insert([{"subject_id": 1, "session": 1}, {"subject_id": 3, "session": 1}])
    tables = {"Subject": Subject(), "Session": Session()}

    def resolve(schema_name: str, name: str) -> Any:
        if schema_name != data_schema or name not in tables:
            raise Invalid(f"No table {name}")
        return tables[name]

    return SimpleNamespace(
        Subject=Subject(), Session=Session(), resolve=resolve, schema=data_schema
    )


def ids(lab: SimpleNamespace, tree: Any) -> list[int]:
    restriction = restriction_from_json(tree, lab.Subject.heading.names, lab.resolve)
    return sorted(int(i) for i in (lab.Subject & restriction).to_arrays("subject_id"))


def test_comparisons(lab: SimpleNamespace) -> None:
    assert ids(lab, None) == [1, 2, 3]
    assert ids(lab, {"attribute": "weight", "operator": ">", "value": 25}) == [3]
    assert ids(lab, {"attribute": "name", "operator": "like", "value": "%o%"}) == [2, 3]
    assert ids(lab, {"attribute": "weight", "operator": "is null"}) == [2]
    assert ids(lab, {"attribute": "weight", "operator": "is not null"}) == [1, 3]
    assert ids(lab, {"attribute": "subject_id", "operator": "in", "value": [1, 3, 9]}) == [1, 3]
    assert ids(lab, {"attribute": "subject_id", "operator": "not in", "value": [1]}) == [2, 3]
    assert ids(
        lab, {"attribute": "born", "operator": "between", "value": ["2024-02-01", "2025-01-01"]}
    ) == [2, 3]
    assert ids(lab, {"attribute": "name", "value": "o'hara; DROP TABLE x"}) == [3]


def test_and_or_not_and_restriction_by_another_table(lab: SimpleNamespace) -> None:
    heavy = {"attribute": "weight", "operator": ">=", "value": 20}
    early = {"attribute": "born", "operator": "<", "value": "2024-12-31"}
    assert ids(lab, {"and": [heavy, early]}) == [1]
    assert ids(lab, {"or": [{"attribute": "subject_id", "value": 2}, {"and": [heavy, early]}]}) == [
        1,
        2,
    ]
    assert ids(lab, {"not": {"attribute": "subject_id", "value": 1}}) == [2, 3]
    assert ids(lab, {"not": heavy}) == []  # as in SQL: an unknown weight is not "not heavy"
    session = {"table": {"schema": lab.schema, "name": "Session"}}
    assert ids(lab, session) == [1, 3]
    assert ids(lab, {"not": session}) == [2]
    assert ids(
        lab,
        {
            "table": {"schema": lab.schema, "name": "Session"},
            "where": {"attribute": "subject_id", "value": 3},
        },
    ) == [3]
    assert ids(lab, {"or": []}) == [] and ids(lab, {"and": []}) == [1, 2, 3]


@pytest.mark.parametrize(
    ("tree", "at"),
    [
        ({"attribute": "nope", "value": 1}, "where.attribute"),
        ({"attribute": "name; DROP TABLE x", "value": 1}, "where.attribute"),
        ({"attribute": "weight", "operator": "= 1 OR 1=1 --", "value": 1}, "where.operator"),
        ({"attribute": "weight", "operator": "in", "value": 3}, "where.value"),
        ({"attribute": "weight", "operator": "between", "value": [1]}, "where.value"),
        ({"attribute": "weight", "operator": "is null", "value": 3}, "where.value"),
        ({"attribute": "weight", "operator": ">"}, "where.value"),
        ({"attribute": "weight", "value": {"$gt": 1}}, "where.value"),
        ({"attribute": "weight", "value": None}, "where.value"),
        ({"and": {"attribute": "weight"}}, "where.and"),
        ({"or": [{"attribute": "weight", "value": 1}, "weight > 1"]}, "where.or[1]"),
        ({"sql": "1=1"}, "where"),
        ("weight > 1", "where"),
        ({"table": {"schema": "x", "name": "Session", "extra": 1}}, "where.table"),
    ],
)
def test_bad_trees_name_the_place(lab: SimpleNamespace, tree: Any, at: str) -> None:
    with pytest.raises(Invalid) as error:
        restriction_from_json(tree, lab.Subject.heading.names, lab.resolve)
    assert error.value.details["at"] == at


def test_deep_and_huge_trees_are_refused(lab: SimpleNamespace) -> None:
    deep: Any = {"attribute": "weight", "value": 1}
    for _ in range(20):
        deep = {"not": deep}
    with pytest.raises(Invalid, match="deeper"):
        restriction_from_json(deep, lab.Subject.heading.names, lab.resolve)
    wide = {"or": [{"attribute": "weight", "value": i} for i in range(600)]}
    with pytest.raises(Invalid, match="more than"):
        restriction_from_json(wide, lab.Subject.heading.names, lab.resolve)


def test_engine_refuses_unknown_attributes_and_operators_in_structured_conditions(
    lab: SimpleNamespace,
) -> None:
    from pipelines.core.query.conditions import Compare, RawSQL

    with pytest.raises(dj.DataJointError, match="Attribute `nope` not found"):
        lab.Subject & Compare("nope", "=", 1)
    with pytest.raises(dj.DataJointError, match="Unknown comparison operator"):
        lab.Subject & Compare("weight", "; DROP", 1)
    with pytest.raises(dj.DataJointError, match="not a structured condition"):
        lab.Subject & RawSQL("1=1")

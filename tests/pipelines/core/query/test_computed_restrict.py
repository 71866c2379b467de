# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""Restricting by a computed attribute (``n="count(*)"``) binds the value as the kind of value it
is: on SQLite a number never equals text, so a count compared with ``"2"`` would match nothing."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.core.query.conditions import Compare


@pytest.fixture
def counted(schema: dj.Schema) -> dj.QueryExpression:
    @schema
    class Item(dj.Manual):
        definition = """
        item : int16
        ---
        day : date
        price : decimal(6,2)
        """

        class Part(dj.Part):
            definition = """
            -> master
            part : int16
            """

    Item.insert(
        [
            {"item": 1, "day": "2024-01-01", "price": "1.50"},
            {"item": 2, "day": "2024-02-01", "price": "2.50"},
        ]
    )
    Item.Part.insert([{"item": 1, "part": p} for p in (1, 2)] + [{"item": 2, "part": 1}])
    return Item.aggr(
        Item.Part, n="count(`part`)", first="min(`day`)", top="max(`price`)", half="avg(`part`)"
    )


def items(query: dj.QueryExpression) -> list[int]:
    return sorted(int(row["item"]) for row in query.to_dicts())


def test_numbers_compare_as_numbers(counted: dj.QueryExpression) -> None:
    assert items(counted & {"n": 2}) == [1]
    assert items(counted & Compare("n", ">=", 0)) == [1, 2]
    assert items(counted & Compare("n", ">", 1.5)) == [1]
    assert items(counted & Compare("n", "=", np.int64(1))) == [2]
    assert items(counted & Compare("half", "=", 1.5)) == [1]
    assert items(counted & Compare("n", "=", True)) == [2]  # True is 1, as in SQL
    assert items(counted & Compare("top", ">", decimal.Decimal("2"))) == [2]


def test_dates_and_text_compare_as_the_database_stores_them(counted: dj.QueryExpression) -> None:
    assert items(counted & Compare("first", "=", dt.date(2024, 2, 1))) == [2]
    assert items(counted & Compare("first", "<", "2024-01-15")) == [1]


def test_other_values_are_refused(counted: dj.QueryExpression) -> None:
    with pytest.raises(dj.DataJointError, match="expected a number, a string or a date"):
        (counted & Compare("n", "=", [1, 2])).to_dicts()

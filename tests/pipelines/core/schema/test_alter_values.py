"""Which stored values survive a type change (``alter``'s refusal rule), pure."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest

from pipelines.core.schema.alter_values import conversion_problem, rounds_values, value_problem
from pipelines.core.types import parse_type


@pytest.mark.parametrize(
    ("value", "new"),
    [
        (127, "int8"),
        (1, "bool"),
        (5.0, "int16"),
        ("12", "int32"),
        (decimal.Decimal("1.20"), "decimal(3,1)"),
        (0.5, "decimal(2,1)"),
        (3, "float32"),
        ("abc", "varchar(3)"),
        (12345, "char(5)"),
        ("b", "enum('a', 'b')"),
        (dt.date(2024, 1, 2), "varchar(10)"),
        (dt.datetime(2024, 1, 2), "date"),
        ("2024-01-02", "date"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, 120000), "datetime(3)"),
        ("2024-01-02 03:04:05.5", "datetime(1)"),
        (b"\x00" * 255, "tinyblob"),
    ],
)
def test_values_that_fit(value: Any, new: str) -> None:
    assert value_problem(value, parse_type(new)) is None


@pytest.mark.parametrize(
    ("value", "new", "problem"),
    [
        (128, "int8", "out of range [-128, 127]"),
        (2, "bool", "out of range [0, 1]"),
        (1.5, "int32", "not a whole number"),
        ("x", "int32", "not a whole number"),
        (decimal.Decimal("1.25"), "decimal(3,1)", "more than 1 decimal places"),
        (100, "decimal(3,1)", "more than 2 digits before the decimal point"),
        ("abcd", "varchar(3)", "longer than 3 characters"),
        ("c", "enum('a', 'b')", "not one of enum('a', 'b')"),
        (dt.datetime(2024, 1, 2, 3), "date", "has a time of day"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, 123400), "datetime(3)", "more than 3 fractional"),
        ("soon", "datetime", "not a date and time"),
        (b"\x00" * 256, "tinyblob", "longer than 255 bytes"),
    ],
)
def test_values_that_do_not_fit(value: Any, new: str, problem: str) -> None:
    assert problem in (value_problem(value, parse_type(new)) or "")


@pytest.mark.parametrize(
    ("old", "new", "refused"),
    [
        ("<blob>", "<attach>", True),
        ("bytes", "<blob>", True),
        ("json", "varchar(100)", True),
        ("uuid", "varchar(36)", True),
        ("time", "varchar(10)", True),
        ("longblob", "bytes", False),
        ("json", "json", False),
        ("int16", "varchar(10)", False),
        ("date", "datetime", False),
    ],
)
def test_encoded_values_only_move_between_types_that_read_them_alike(
    old: str, new: str, refused: bool
) -> None:
    assert (conversion_problem(parse_type(old), parse_type(new)) is not None) is refused


def test_narrower_floats_round() -> None:
    assert rounds_values(parse_type("float64"), parse_type("float32"))
    assert rounds_values(parse_type("decimal(9,3)"), parse_type("float64"))
    assert not rounds_values(parse_type("float32"), parse_type("float64"))
    assert not rounds_values(parse_type("int16"), parse_type("float64"))

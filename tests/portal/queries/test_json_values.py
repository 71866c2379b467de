"""Fetched values as JSON and as CSV cells (no database needed)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

import numpy as np

from pipelines.services.json_values import blob_placeholder, csv_cell, json_row, json_value


def test_values_become_plain_json() -> None:
    values = {
        "int": 3,
        "float": 2.5,
        "bool": True,
        "none": None,
        "text": "o'hara; DROP TABLE x",
        "decimal": decimal.Decimal("1.50"),
        "date": dt.date(2024, 1, 2),
        "datetime": dt.datetime(2024, 1, 2, 3, 4, 5, 600),
        "time": dt.time(7, 8),
        "duration": dt.timedelta(hours=30, minutes=2, seconds=3),
        "negative": -dt.timedelta(seconds=61, microseconds=5),
        "uuid": uuid.UUID(int=1),
        "numpy": np.int16(7),
        "numpy_float": np.float32(0.5),
        "nan": float("nan"),
        "inf": float("-inf"),
        "bytes": b"abc",
        "array": np.zeros((2, 3)),
        "json": {"a": [1, decimal.Decimal("2.0"), {"b": None}]},
    }
    assert json_row(values) == {
        "int": 3,
        "float": 2.5,
        "bool": True,
        "none": None,
        "text": "o'hara; DROP TABLE x",
        "decimal": "1.50",
        "date": "2024-01-02",
        "datetime": "2024-01-02T03:04:05.000600",
        "time": "07:08:00",
        "duration": "30:02:03",
        "negative": "-00:01:01.000005",
        "uuid": "00000000-0000-0000-0000-000000000001",
        "numpy": 7,
        "numpy_float": 0.5,
        "nan": "nan",
        "inf": "-inf",
        "bytes": {"blob": True, "size": 3},
        "array": {"blob": True, "size": 48},
        "json": {"a": [1, "2.0", {"b": None}]},
    }
    json.dumps(json_row(values), allow_nan=False)  # strict JSON


def test_blob_size_columns_become_placeholders() -> None:
    row = json_row({"id": 1, "data": 120, "empty": None}, frozenset(["data", "empty"]))
    assert row == {"id": 1, "data": {"blob": True, "size": 120}, "empty": None}
    assert blob_placeholder(None) is None


def test_csv_cells() -> None:
    cells = [csv_cell(v) for v in (None, True, False, 3, 2.5, "a,b", {"blob": True, "size": 2})]
    assert cells == ["", "true", "false", "3", "2.5", "a,b", '{"blob":true,"size":2}']
    assert csv_cell(json_value([1, "é"])) == '[1,"é"]'

"""Values fetched from the data database, made safe for JSON (and for CSV cells).

The engine returns Python values as DataJoint does (dates, decimals, UUIDs, bytes, numpy arrays,
decoded JSON). A browser needs plain JSON: dates as ISO text, decimals as strings (a float would
round them), UUIDs as strings, and for blobs only a placeholder with their size, since their
content is neither JSON nor small.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np


def blob_placeholder(size: int | None) -> dict[str, Any] | None:
    """What a blob cell shows: that it is a blob, and how many bytes it holds (None: no value)."""
    return None if size is None else {"blob": True, "size": int(size)}


def json_value(value: Any) -> Any:
    """``value`` as plain JSON data (str, int, float, bool, None, lists and objects of those)."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # JSON has no NaN or infinity
    if isinstance(value, np.generic):
        return json_value(value.item())
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # MySQL TIME columns
        return _duration(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return blob_placeholder(len(value))
    if isinstance(value, np.ndarray):
        return blob_placeholder(value.nbytes)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return str(value)


def json_row(row: Mapping[str, Any], blob_sizes: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A fetched row as JSON; ``blob_sizes`` names the columns that hold a blob's byte count
    (fetched instead of the blob itself)."""
    return {
        name: blob_placeholder(value) if name in blob_sizes else json_value(value)
        for name, value in row.items()
    }


def csv_cell(value: Any) -> str:
    """A JSON value as CSV text: empty for null, JSON for objects and lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _duration(value: dt.timedelta) -> str:
    """``[-]HH:MM:SS[.ffffff]``, as MySQL writes a TIME."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.days * 86400 + value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{text}.{value.microseconds:06d}" if value.microseconds else text

"""Insert input of any accepted shape -> (field names, list of value rows).

Accepted: dicts, numpy records, positional tuples (deprecated in DataJoint 2.x, still taken), a
pandas DataFrame, a numpy structured array, or a path to a CSV file.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataJointError, UnknownFieldError


def normalize_rows(
    rows: Any, heading_names: Sequence[str], *, ignore_extra_fields: bool, table: str
) -> tuple[list[str], list[list[Any]], int]:
    """The field set (fixed by the first row), one list of values per field, and the row count."""
    if type(rows) is tuple and len(rows) == 1 and type(rows[0]) is dict:  # insert1(dict)
        record = rows[0]
        fields = _fields(list(record), heading_names, ignore_extra_fields, table)
        return fields, [[record[f]] for f in fields], 1
    records = _records(rows)
    if not records:
        return [], [], 0
    if len({type(r) for r in records}) > 1:
        records = [_as_mapping(r, heading_names, n) for n, r in enumerate(records, start=1)]
    first = records[0]
    if isinstance(first, Mapping | np.void):
        fields = _fields(_keys(first), heading_names, ignore_extra_fields, table)
        columns = _mapped_columns(records, fields, heading_names, ignore_extra_fields)
        return fields, columns, len(records)
    warnings.warn(
        "Positional inserts are deprecated; insert dicts instead.", DeprecationWarning, stacklevel=4
    )
    fields = list(heading_names)
    values = []
    for number, record in enumerate(records, start=1):
        row = list(record)
        if len(row) != len(fields):
            raise DataJointError(
                "Invalid insert argument. Incorrect number of attributes: "
                f"{len(row)} given; {len(fields)} expected (row {number})"
            )
        values.append(row)
    return fields, [list(c) for c in zip(*values, strict=True)], len(values)


def _as_mapping(record: Any, heading_names: Sequence[str], number: int) -> Any:
    """Read a record by its own type when a batch mixes dicts, records and tuples."""
    if isinstance(record, Mapping):
        return dict(record)
    if isinstance(record, np.void):
        return {name: record[name] for name in record.dtype.names or ()}
    values = list(record)
    if len(values) != len(heading_names):
        raise DataJointError(
            "Invalid insert argument. Incorrect number of attributes: "
            f"{len(values)} given; {len(heading_names)} expected (row {number})"
        )
    return dict(zip(heading_names, values, strict=True))


def _records(rows: Any) -> list[Any]:
    if isinstance(rows, str | Path):
        with open(rows, newline="") as handle:
            return list(csv.DictReader(handle))
    if type(rows).__name__ == "DataFrame" and hasattr(rows, "reset_index"):
        frame = rows.reset_index(drop=_unnamed_index(rows))
        return [
            dict(zip(frame.columns, values, strict=True))
            for values in frame.itertuples(index=False, name=None)
        ]
    if isinstance(rows, np.ndarray) and rows.dtype.names:
        return list(rows)
    if isinstance(rows, Mapping):
        raise DataJointError("insert takes a list of rows; use insert1 for a single row.")
    if not isinstance(rows, Iterable):
        raise DataJointError(f"Cannot insert {type(rows).__name__}: expected an iterable of rows.")
    return list(rows)


def _unnamed_index(frame: Any) -> bool:
    names = list(frame.index.names)
    return len(names) == 1 and names[0] is None


def _keys(record: Any) -> list[str]:
    if isinstance(record, np.void):
        return list(record.dtype.names or ())
    return [str(k) for k in record]


def _fields(
    keys: list[str], heading_names: Sequence[str], ignore_extra_fields: bool, table: str
) -> list[str]:
    known = set(heading_names)
    unknown = [k for k in keys if k not in known]
    if unknown and not ignore_extra_fields:
        raise UnknownFieldError(
            f"`{unknown[0]}` is not in the table heading of {table}. "
            "To ignore extra fields in insert, set ignore_extra_fields=True"
        )
    return [k for k in keys if k in known]


def _mapped_columns(
    records: list[Any], fields: list[str], heading_names: Sequence[str], ignore_extra: bool
) -> list[list[Any]]:
    """One list of values per field; every record must name the same attributes."""
    if isinstance(records[0], dict):
        first_keys = records[0].keys()
        if all(type(r) is dict and r.keys() == first_keys for r in records):
            return [[r[f] for r in records] for f in fields]
    known = frozenset(heading_names)
    expected = frozenset(fields)
    for number, record in enumerate(records, start=1):
        keys = frozenset(_keys(record))
        extra = keys - known
        if extra and not ignore_extra:
            raise UnknownFieldError(
                f"`{sorted(extra)[0]}` is not in the table heading (row {number}). "
                "To ignore extra fields in insert, set ignore_extra_fields=True"
            )
        if keys & known != expected:
            raise DataJointError(f"Attempt to insert rows with different fields (row {number}).")
    return [[r[f] for r in records] for f in fields]

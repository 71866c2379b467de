"""Run a compiled SELECT and shape the rows: dicts, numpy records, pandas frames.

Decoding is column-wise and skipped for columns the driver already returns correctly, so a plain
numeric fetch costs little more than the driver's own ``fetchall``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..query.decoding import Decoder, decoder_for
from ..query.heading import Heading
from .connection import Connection


def decoders(conn: Connection, heading: Heading, names: Sequence[str]) -> list[Decoder | None]:
    context = {"download_path": conn.config["download_path"], "config": conn.config}
    textual = not conn.dialect.has_column_comments
    cache_key = ("decoders", id(heading), tuple(names))
    cached = conn.metadata_cache.get(cache_key)
    if cached is not None and cached[0] is heading:
        return list(cached[1])
    result = [decoder_for(heading[n], textual_temporal=textual, context=context) for n in names]
    conn.metadata_cache[cache_key] = (heading, result)
    return result


def fetch_rows(
    conn: Connection, sql: str, params: Sequence[Any], heading: Heading, names: Sequence[str]
) -> list[tuple[Any, ...]]:
    """All rows as decoded tuples in ``names`` order."""
    rows = conn.query(sql, params).fetchall()
    active = [(i, d) for i, d in enumerate(decoders(conn, heading, names)) if d is not None]
    if not active:
        return list(rows)
    decoded = []
    for row in rows:
        values = list(row)
        for i, decode in active:
            values[i] = decode(values[i])
        decoded.append(tuple(values))
    return decoded


def iterate_rows(
    conn: Connection, sql: str, params: Sequence[Any], heading: Heading, names: Sequence[str]
) -> Iterator[dict[str, Any]]:
    """Stream decoded dicts from one cursor."""
    cursor = conn.query(sql, params)
    active = [(i, d) for i, d in enumerate(decoders(conn, heading, names)) if d is not None]
    while True:
        batch = cursor.fetchmany(1000)
        if not batch:
            return
        for row in batch:
            values = list(row)
            for i, decode in active:
                values[i] = decode(values[i])
            yield dict(zip(names, values, strict=True))


def to_structured(rows: list[tuple[Any, ...]], heading: Heading, names: Sequence[str]) -> Any:
    """A numpy structured array with the heading's dtypes (object where values are not numbers)."""
    dtype = np.dtype({"names": list(names), "formats": [heading[n].dtype for n in names]})
    if not rows:
        return np.array([], dtype=dtype)
    if all(dtype[n] != np.dtype(object) for n in names):
        try:
            return np.array(rows, dtype=dtype)
        except (TypeError, ValueError):
            pass
    array = np.empty(len(rows), dtype=dtype)
    for position, name in enumerate(names):
        column = [row[position] for row in rows]
        if dtype[name] == np.dtype(object):
            target = np.empty(len(rows), dtype=object)
            target[:] = column if not _has_sequences(column) else _object_column(column)
            array[name] = target
        else:
            array[name] = [np.nan if v is None else v for v in column]
    return array


def _has_sequences(column: list[Any]) -> bool:
    return any(isinstance(v, list | tuple | np.ndarray) for v in column)


def _object_column(column: list[Any]) -> np.ndarray[Any, Any]:
    target = np.empty(len(column), dtype=object)
    for i, value in enumerate(column):
        target[i] = value
    return target

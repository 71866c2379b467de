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
    context = {"config": conn.config}
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
    """All rows as decoded tuples in ``names`` order.

    Results with blobs are streamed and decoded batch by batch, so the raw bytes are not held
    by the driver and by Python at once.
    """
    active = [(i, d) for i, d in enumerate(decoders(conn, heading, names)) if d is not None]
    if any(heading[n].is_blob or heading[n].codec is not None for n in names):
        return _streamed(conn.query(sql, params, stream=True), active)
    rows = conn.query(sql, params).fetchall()
    if not names:  # an empty heading (dj.U() & q): the SELECT lists a constant
        return [() for _ in rows]
    if not active:
        return list(rows)
    decoded = []
    for row in rows:
        values = list(row)
        for i, decode in active:
            values[i] = decode(values[i])
        decoded.append(tuple(values))
    return decoded


def _streamed(cursor: Any, active: list[tuple[int, Decoder]]) -> list[tuple[Any, ...]]:
    decoded: list[tuple[Any, ...]] = []
    while True:
        batch = cursor.fetchmany(64)
        if not batch:
            return decoded
        for row in batch:
            values = list(row)
            for i, decode in active:
                values[i] = decode(values[i])
            decoded.append(tuple(values))


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
        return np.empty(0, dtype=dtype)
    if not any(_may_hold_arrays(heading[n]) for n in names):
        try:
            return np.fromiter(rows, dtype=dtype, count=len(rows))
        except (TypeError, ValueError):
            pass  # e.g. NULL in an integer column: fill column by column below
    array = np.empty(len(rows), dtype=dtype)
    for name, column in zip(names, zip(*rows, strict=True), strict=True):
        attribute = heading[name]
        if dtype[name] != np.dtype(object):
            array[name] = (
                column if None not in column else [np.nan if v is None else v for v in column]
            )
        elif _may_hold_arrays(attribute):
            target = array[name]
            for i, value in enumerate(column):  # values may be arrays: no broadcasting
                target[i] = value
        else:
            array[name] = column
    return array


def _may_hold_arrays(attribute: Any) -> bool:
    """Values of this attribute may be sequences, which numpy must not broadcast."""
    return bool(
        attribute.is_blob
        or attribute.json
        or attribute.codec is not None
        or attribute.type.startswith("<")
    )

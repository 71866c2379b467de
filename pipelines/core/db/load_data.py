"""Bulk insert through ``LOAD DATA LOCAL INFILE`` (MySQL/MariaDB), for large validated batches.

The rows are already validated and encoded, so the only failures left are key conflicts and
missing parents. With LOCAL the server turns those into warnings and skips the rows, so the
caller compares the loaded count with the batch size and, on a shortfall, rolls back and
replays the batch as plain INSERTs to raise the server's exact error.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import tempfile
from collections.abc import Sequence
from typing import Any

from .connection import Connection
from .drivers import HexBytes

#: Below this many rows (or bytes of binary values) a multi-row INSERT is as fast and simpler.
MIN_ROWS = 2000
MIN_BINARY_BYTES = 256 * 1024
_BINARY = (bytes, bytearray, memoryview, HexBytes)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})
_NEEDS_ESCAPE = ("\\", "\t", "\n", "\r", "\0")


def column_text(values: Sequence[Any]) -> list[str] | None:
    """Each value as LOAD DATA text, or None when the column holds values it cannot carry."""
    kinds = {type(v) for v in values}
    if kinds <= {int}:
        return list(map(str, values))
    if kinds <= {float}:
        return list(map(repr, values))
    if kinds <= {str}:
        joined = "\x01".join(values)
        if any(mark in joined for mark in _NEEDS_ESCAPE):
            return [v.translate(_ESCAPES) for v in values]
        return list(values)
    if kinds <= {dt.date, dt.datetime, decimal.Decimal}:
        return list(map(str, values))
    return [_one(v) for v in values]


def _one(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | decimal.Decimal | dt.date | dt.time):
        return str(value)
    raise TypeError(f"cannot load {type(value).__name__}")


def binary_size(columns: Sequence[Sequence[Any]]) -> int:
    """Bytes held by binary values (blobs) in the batch."""
    return sum(len(_raw(v)) for column in columns for v in column if isinstance(v, _BINARY))


def _raw(value: Any) -> bytes:
    return value.data if isinstance(value, HexBytes) else bytes(value)


def _escape_binary(value: Any) -> bytes:
    return (
        _raw(value)
        .replace(b"\\", b"\\\\")
        .replace(b"\0", b"\\0")
        .replace(b"\t", b"\\t")
        .replace(b"\n", b"\\n")
        .replace(b"\r", b"\\r")
    )


def tsv(columns: Sequence[Sequence[Any]]) -> bytes | None:
    """Tab-separated UTF-8 of the batch (binary values escaped), or None if a value cannot go."""
    binary = [any(isinstance(v, _BINARY) for v in column) for column in columns]
    texts: list[list[str]] = []
    for column, is_binary in zip(columns, binary, strict=True):
        try:
            text = [] if is_binary else column_text(column)
        except TypeError:
            return None
        if text is None:
            return None
        texts.append(text)
    if not any(binary):
        return ("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n").encode("utf-8")
    cells = [
        [b"\\N" if v is None else _escape_binary(v) for v in column]
        if is_binary
        else [t.encode("utf-8") for t in text]
        for column, is_binary, text in zip(columns, binary, texts, strict=True)
    ]
    return b"\n".join(map(b"\t".join, zip(*cells, strict=True))) + b"\n"


def load(conn: Connection, table: str, fields: Sequence[str], text: bytes) -> int:
    """Load ``text`` into ``table``; returns the number of rows the server stored."""
    folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.NamedTemporaryFile("wb", suffix=".tsv", delete=False, dir=folder) as handle:
        handle.write(text)
    try:
        columns = ",".join(conn.dialect.quote(f) for f in fields)
        path = handle.name.replace("\\", "\\\\").replace("'", "\\'")
        cursor = conn.query(
            f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE {table} CHARACTER SET utf8mb4 ({columns})"
        )
        return int(cursor.rowcount)
    finally:
        os.unlink(handle.name)

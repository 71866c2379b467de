"""Running one ``make`` call: plain, generator or tripartite (spec/engine.md §5.3).

A plain ``make`` runs inside the transaction the caller opened. A generator ``make`` (which is
what the inherited tripartite ``make`` is) runs its fetch and compute stages outside any
transaction; then, inside one, it fetches again and only inserts if the upstream data it computed
from are unchanged, compared by ``deep_hash``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import inspect
import struct
import uuid
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from ..db.connection import Connection
from ..errors import DataJointError

CHANGED_MESSAGE = "Referential integrity failed! The `make_fetch` data has changed"


def is_generator_make(make: Callable[..., Any]) -> bool:
    return inspect.isgeneratorfunction(make)


def run_make(
    make: Callable[..., Any],
    key: dict[str, Any],
    make_kwargs: dict[str, Any],
    connection: Connection,
) -> None:
    """Call ``make`` for ``key``; a generator make opens its transaction itself, at the end."""
    if not is_generator_make(make):
        make(dict(key), **make_kwargs)
        return
    first: Generator[Any, Any, Any] = make(dict(key), **make_kwargs)
    try:
        fetched = next(first)
        digest = deep_hash(fetched)
        computed = next(first)
    finally:
        first.close()
    connection.start_transaction()
    second: Generator[Any, Any, Any] = make(dict(key), **make_kwargs)
    try:
        if deep_hash(next(second)) != digest:
            raise DataJointError(CHANGED_MESSAGE)
        # a hand-written generator may end right after inserting
        with contextlib.suppress(StopIteration):
            second.send(computed)
    finally:
        second.close()


# --- stable hashing of fetched data ---------------------------------------------------------------
def deep_hash(value: Any) -> str:
    """A digest of a nested value that is equal across processes and runs for equal data.

    Sequences are order-sensitive; mappings and sets are not. numpy arrays hash their dtype, shape
    and bytes (object arrays element by element).
    """
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, value)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    scalar = _scalar_bytes(value)
    if scalar is not None:
        digest.update(scalar)
        return
    if isinstance(value, np.ndarray):
        _feed_array(digest, value)
    elif isinstance(value, dict):
        _feed_unordered(digest, b"D", [(k, v) for k, v in value.items()])
    elif isinstance(value, set | frozenset):
        _feed_unordered(digest, b"S", list(value))
    elif isinstance(value, list | tuple):
        digest.update(b"L%d:" % len(value))
        for item in value:
            _feed(digest, item)
    elif hasattr(value, "to_numpy") and hasattr(value, "columns"):  # a pandas DataFrame
        _feed(digest, (list(value.columns), list(value.index), value.to_numpy()))
    elif hasattr(value, "__dict__"):
        digest.update(type(value).__qualname__.encode())
        _feed(digest, vars(value))
    else:
        digest.update(b"R" + repr(value).encode())


def _scalar_bytes(value: Any) -> bytes | None:
    if value is None:
        return b"N"
    if isinstance(value, bool | np.bool_):
        return b"B1" if value else b"B0"
    if isinstance(value, int | np.integer):
        return b"I" + str(int(value)).encode() + b";"
    if isinstance(value, float | np.floating):
        return b"F" + struct.pack("<d", float(value))
    if isinstance(value, str):
        encoded = value.encode()
        return b"U%d:" % len(encoded) + encoded
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return b"Y%d:" % len(raw) + raw
    if isinstance(value, decimal.Decimal | uuid.UUID | dt.date | dt.time | dt.timedelta):
        return type(value).__name__.encode() + b":" + str(value).encode() + b";"
    if isinstance(value, complex | np.complexfloating):
        return b"C" + struct.pack("<dd", value.real, value.imag)
    return None


def _feed_array(digest: Any, array: np.ndarray[Any, Any]) -> None:
    digest.update(b"A" + array.dtype.str.encode() + repr(array.shape).encode())
    if array.dtype.hasobject:
        for item in array.ravel(order="C"):
            _feed(digest, item)
    else:
        digest.update(np.ascontiguousarray(array).tobytes())


def _feed_unordered(digest: Any, tag: bytes, items: list[Any]) -> None:
    digest.update(tag + b"%d:" % len(items))
    for part in sorted(deep_hash(item) for item in items):
        digest.update(part.encode())

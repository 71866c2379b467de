"""Python values <-> database values, one converter per attribute, built once per heading.

Encoding validates before anything is sent: wrong types, out-of-range integers, over-long
strings and unknown enum members raise here, naming the attribute and the value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import DataJointError
from .heading import Attribute

Encoder = Callable[[Any], Any]

_INT_RANGES = {
    "tinyint": (-(2**7), 2**7 - 1),
    "smallint": (-(2**15), 2**15 - 1),
    "mediumint": (-(2**23), 2**23 - 1),
    "int": (-(2**31), 2**31 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
_LENGTH = re.compile(r"^(?:var)?char\((\d+)\)", re.I)
_ENUM = re.compile(r"^enum\((.*)\)$", re.I | re.DOTALL)


def _fail(attribute: Attribute, value: Any, reason: str) -> DataJointError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return DataJointError(f"Invalid value {shown} for attribute `{attribute.name}`: {reason}")


@functools.lru_cache(maxsize=512)
def integer_range(sql_type: str) -> tuple[int, int] | None:
    words = sql_type.lower().split()
    base = re.sub(r"\(.*\)", "", words[0]) if words else ""
    if base not in _INT_RANGES:
        return None
    low, high = _INT_RANGES[base]
    if "unsigned" in words:
        return 0, high - low
    return low, high


def enum_values(sql_type: str) -> tuple[str, ...] | None:
    match = _ENUM.match(sql_type.strip())
    if not match:
        return None
    return tuple(v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", match.group(1)))


def _is_missing_number(value: Any) -> bool:
    if isinstance(value, str) and value == "":
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


_ENCODERS: dict[tuple[int, bool], tuple[Attribute, Encoder]] = {}


def cached_encoder(attribute: Attribute, textual_temporal: bool) -> Encoder:
    """``encoder_for``, built once per attribute object (headings are cached and long-lived)."""
    key = (id(attribute), textual_temporal)
    entry = _ENCODERS.get(key)
    if entry is not None and entry[0] is attribute:
        return entry[1]
    if len(_ENCODERS) > 10000:
        _ENCODERS.clear()
    encoder = encoder_for(attribute, textual_temporal=textual_temporal)
    _ENCODERS[key] = (attribute, encoder)
    return encoder


def encoder_for(attribute: Attribute, *, textual_temporal: bool) -> Encoder:
    """The function that turns a user value into a driver parameter for ``attribute``."""
    sql_type = attribute.storage_type.lower()
    if attribute.type == "expression":
        return _untyped_encoder(attribute, textual_temporal)
    if attribute.uuid:
        return lambda v: None if v is None else _uuid_bytes(attribute, v)
    if attribute.json:
        return lambda v: None if v is None else _json_text(attribute, v)
    if attribute.is_integer:
        return _integer_encoder(attribute, integer_range(sql_type))
    if attribute.is_float:
        return _float_encoder(attribute)
    if attribute.is_decimal:
        return _decimal_encoder(attribute)
    if attribute.is_date or attribute.is_datetime:
        return _temporal_encoder(attribute, textual=textual_temporal)
    if attribute.is_blob:
        return _bytes_encoder(attribute)
    members = enum_values(attribute.storage_type)  # members keep their case
    if members is not None:
        return _enum_encoder(attribute, members)
    length = _LENGTH.match(sql_type)
    return _string_encoder(attribute, int(length.group(1)) if length else None)


def _untyped_encoder(attribute: Attribute, textual: bool) -> Encoder:
    """A computed attribute (``n="count(*)"``) has no declared type: a value is bound as the
    kind of value it is, since SQLite never finds a number equal to (or less than) text."""

    def encode(value: Any) -> Any:
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or isinstance(value, bool | int | float | str | bytes):
            return value
        if isinstance(value, decimal.Decimal):
            return float(value) if textual else value
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ") if textual else value
        if isinstance(value, dt.date | dt.time):
            return value.isoformat() if textual else value
        raise _fail(attribute, value, "expected a number, a string or a date")

    return encode


def _uuid_bytes(attribute: Attribute, value: Any) -> bytes:
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, bytes) and len(value) == 16:
        return value
    try:
        return uuid.UUID(str(value)).bytes
    except ValueError:
        raise _fail(attribute, value, "badly formed UUID") from None


def _json_text(attribute: Attribute, value: Any) -> str:
    try:
        return json.dumps(value)
    except TypeError as error:
        raise _fail(attribute, value, f"not JSON-serializable ({error})") from None


def _integer_encoder(attribute: Attribute, bounds: tuple[int, int] | None) -> Encoder:
    def encode(value: Any) -> Any:
        if value is None or _is_missing_number(value):
            return None
        number = _as_integer(value)
        if number is None:
            raise _fail(attribute, value, "expected an integer")
        if bounds and not bounds[0] <= number <= bounds[1]:
            raise _fail(attribute, value, f"out of range [{bounds[0]}, {bounds[1]}]")
        return number

    return encode


def _as_integer(value: Any) -> int | None:
    if isinstance(value, bool | np.bool_ | int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        return int(value)
    return None


def _float_encoder(attribute: Attribute) -> Encoder:
    def encode(value: Any) -> Any:
        if value is None or _is_missing_number(value):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _fail(attribute, value, "expected a number") from None
        if math.isinf(number):
            raise _fail(attribute, value, "infinity cannot be stored")
        return number

    return encode


def _decimal_encoder(attribute: Attribute) -> Encoder:
    def encode(value: Any) -> Any:
        if value is None or _is_missing_number(value):
            return None
        try:
            return str(decimal.Decimal(str(value)))
        except decimal.InvalidOperation:
            raise _fail(attribute, value, "expected a decimal number") from None

    return encode


def _temporal_encoder(attribute: Attribute, *, textual: bool) -> Encoder:
    is_date = attribute.is_date

    def encode(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, np.datetime64):
            value = value.astype("datetime64[us]").item()
        if isinstance(value, str):
            value = _parse_temporal(attribute, value, is_date)
        if isinstance(value, dt.datetime):
            if is_date:
                day = value.date()
                return day.isoformat() if textual else day
            return value.isoformat(sep=" ") if textual else value
        if isinstance(value, dt.date):
            if not is_date:
                value = dt.datetime(value.year, value.month, value.day)
                return value.isoformat(sep=" ") if textual else value
            return value.isoformat() if textual else value
        raise _fail(attribute, value, "expected a date or datetime")

    return encode


def _parse_temporal(attribute: Attribute, text: str, is_date: bool) -> dt.date | dt.datetime:
    text = text.strip()
    try:
        if is_date:
            return (
                dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.date.fromisoformat(text)
            )
        return dt.datetime.fromisoformat(text)
    except ValueError:
        kind = "date (YYYY-MM-DD)" if is_date else "datetime (YYYY-MM-DD HH:MM:SS)"
        raise _fail(attribute, text, f"expected an ISO {kind}") from None


def _bytes_encoder(attribute: Attribute) -> Encoder:
    def encode(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        raise _fail(attribute, value, "expected bytes")

    return encode


def _enum_encoder(attribute: Attribute, members: tuple[str, ...]) -> Encoder:
    allowed = set(members)

    def encode(value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        if text not in allowed:
            raise _fail(attribute, value, f"not one of {', '.join(members)}")
        return text

    return encode


def _string_encoder(attribute: Attribute, length: int | None) -> Encoder:
    def encode(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            text = value
        elif isinstance(value, int | float | decimal.Decimal | np.number | dt.date | dt.time):
            text = str(value)
        elif isinstance(value, bytes | bytearray) and not attribute.string:
            return bytes(value)
        else:
            raise _fail(attribute, value, "expected a string")
        if length is not None and len(text) > length:
            raise _fail(attribute, value, f"longer than {length} characters")
        return text

    return encode

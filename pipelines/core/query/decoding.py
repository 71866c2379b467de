"""Database values -> Python values, as DataJoint returns them. One decoder per attribute, or
None where the driver already returns the right type (the fast path for plain columns)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from .heading import Attribute, codec_chain

Decoder = Callable[[Any], Any]


def decoder_for(
    attribute: Attribute, *, textual_temporal: bool, context: dict[str, Any]
) -> Decoder | None:
    if attribute.codec is not None or attribute.type.startswith("<"):
        chain = codec_chain(attribute)
        if chain.final_type == "json":
            return lambda v: None if v is None else chain.decode(_json(v), context)
        return lambda v: None if v is None else chain.decode(_bytes(v), context)
    if attribute.uuid:
        return lambda v: None if v is None else uuid.UUID(bytes=bytes(v))
    if attribute.json:
        return lambda v: None if v is None else _json(v)
    if attribute.is_decimal and textual_temporal:
        scale = _scale(attribute.storage_type)
        return lambda v: None if v is None else _decimal(v, scale)
    if textual_temporal and attribute.is_date:
        return lambda v: None if v is None or not isinstance(v, str) else dt.date.fromisoformat(v)
    if textual_temporal and attribute.is_datetime:
        return lambda v: None if v is None or not isinstance(v, str) else _datetime(v)
    if attribute.is_blob:
        return lambda v: None if v is None else _bytes(v)
    return None


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else bytes(value)


def _json(value: Any) -> Any:
    return json.loads(value.decode() if isinstance(value, bytes | bytearray) else value)


def _scale(sql_type: str) -> int | None:
    match = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", sql_type)
    return int(match.group(1)) if match else None


def _decimal(value: Any, scale: int | None) -> decimal.Decimal:
    number = decimal.Decimal(str(value))
    return number.quantize(decimal.Decimal(1).scaleb(-scale)) if scale is not None else number


def _datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)

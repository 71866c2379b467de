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
    """``context`` carries the connection's ``config`` (codecs find stores through it)."""
    if attribute.codec is not None or attribute.type.startswith("<"):
        return _codec_decoder(attribute, textual_temporal, context)
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


def _codec_decoder(
    attribute: Attribute, textual_temporal: bool, context: dict[str, Any]
) -> Decoder:
    """Read the chain's final type from the column, then decode innermost -> outermost."""
    chain = codec_chain(attribute)
    config = context.get("config")
    codec_context = {"config": config}
    key = {"_config": config}
    kind = chain.final_kind
    stored: Decoder
    if kind == "json":
        stored = _json
    elif kind == "bytes":
        stored = _bytes
    else:  # a codec over a plain type: convert as a column of that type would be
        plain = attribute.replace(codec=None, type=attribute.storage_type, uuid=kind == "uuid")
        stored = decoder_for(plain, textual_temporal=textual_temporal, context=context) or _same

    def decode(value: Any) -> Any:
        if value is None:
            return None
        return chain.decode(stored(value), key=key, context=codec_context)

    return decode


def _same(value: Any) -> Any:
    return value


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

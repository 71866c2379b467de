"""Schema-addressed paths: ``{schema_prefix}/[{p}={v}/…/]{schema}/{table}/{pk}={v}/…/{field}_{token}{ext}``.

The path mirrors the row it belongs to, so a store can be browsed without the database. Each
write gets a fresh random token: objects are never overwritten and never shared (spec §7.4).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import urllib.parse
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .config import StoreSpec

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_UNSAFE = set('/\\:*?"<>|')
_PATTERN_ATTRIBUTE = re.compile(r"\{(\w+)\}")


def token(length: int) -> str:
    """``length`` (clamped to 4–16) random characters that are safe in paths and URLs."""
    length = max(4, min(16, length))
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


def encode_key_value(value: Any) -> str:
    """A primary-key value as a path segment value, as DataJoint spells it."""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H-%M-%S")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value)
    if len(text) > 100 or any(c in _UNSAFE for c in text):
        if len(text) > 100:
            text = text[:50] + "_" + hashlib.md5(text.encode()).hexdigest()[:8]
        return urllib.parse.quote(text, safe="")
    return text


def partition_attributes(spec: StoreSpec) -> list[str]:
    """The attributes named by the store's ``partition_pattern``, in pattern order."""
    return _PATTERN_ATTRIBUTE.findall(spec.partition_pattern or "")


def object_path(
    spec: StoreSpec,
    *,
    schema: str,
    table: str,
    field: str,
    primary_key: Mapping[str, Any],
    ext: str | None,
) -> tuple[str, str]:
    """(path, token) for a new object of ``field`` in the row with ``primary_key``."""
    drawn = token(spec.token_length)
    filename = f"{field}_{drawn}"
    if ext:
        filename += ext if ext.startswith(".") else "." + ext
    partitioned = partition_attributes(spec)
    parts = [spec.schema_prefix] if spec.schema_prefix else []
    parts += [f"{a}={encode_key_value(primary_key[a])}" for a in partitioned if a in primary_key]
    parts += [schema, table]
    parts += [
        f"{name}={encode_key_value(value)}"
        for name, value in primary_key.items()
        if name not in partitioned
    ]
    parts.append(filename)
    return "/".join(parts), drawn

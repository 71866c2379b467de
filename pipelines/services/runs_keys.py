"""Primary keys of populated tables as JSON (events, retries, the ignore endpoint) and back.

A key leaves the engine with Python values (dates, UUIDs, decimals); events and runs keep it as
JSON. Coming back from JSON, each value is checked and turned into the attribute's Python type,
so the engine binds a ``datetime`` for a ``datetime`` column rather than a string whose text form
differs between backends.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from pipelines.services.errors import Invalid

#: At most this many keys in one request (a retry of failed keys is chunked by the engine).
MAX_KEYS = 100_000


def value_to_json(value: Any) -> Any:
    """A JSON-safe form of one key value."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return value_to_json(item())
    return str(value)


def key_to_json(key: dict[str, Any]) -> dict[str, Any]:
    return {name: value_to_json(value) for name, value in key.items()}


#: What ``key_identity`` returns.
KeyIdentity = tuple[tuple[str, Any], ...]


def key_identity(key: dict[str, Any]) -> KeyIdentity:
    """A hashable identity of a JSON key (its values are JSON scalars), to compare keys."""
    return tuple(sorted(key.items()))


def key_from_json(key: Any, attributes: dict[str, Any], *, where: str = "key") -> dict[str, Any]:
    """The engine key for a JSON object naming exactly the attributes ``attributes`` holds
    (name -> heading attribute), each value converted to the attribute's type."""
    if not isinstance(key, dict):
        raise Invalid(f"{where}: a key is a JSON object.", details={"at": where})
    names = set(attributes)
    if set(key) != names:
        raise Invalid(
            f"{where}: a key names exactly the attributes {sorted(names)}; got {sorted(key)}.",
            details={"at": where, "attributes": sorted(names)},
        )
    return {name: _value(key[name], attributes[name], f"{where}.{name}") for name in key}


def keys_from_json(keys: Any, attributes: dict[str, Any], *, where: str = "keys") -> list[Any]:
    if not isinstance(keys, list) or len(keys) > MAX_KEYS:
        raise Invalid(f"{where}: a list of at most {MAX_KEYS} keys.", details={"at": where})
    return [key_from_json(k, attributes, where=f"{where}[{i}]") for i, k in enumerate(keys)]


def _value(value: Any, attribute: Any, where: str) -> Any:
    if isinstance(value, dict | list) or value is None:
        raise Invalid(
            f"{where}: a key value is a string, number or boolean.", details={"at": where}
        )
    sql_type = str(attribute.type).lower()
    try:
        if attribute.uuid:
            return uuid.UUID(str(value))
        if sql_type.startswith(("datetime", "timestamp")):
            return dt.datetime.fromisoformat(str(value))
        if sql_type == "date":
            return dt.date.fromisoformat(str(value))
        if sql_type.startswith("decimal"):
            return decimal.Decimal(str(value))
        if attribute.numeric and isinstance(value, str):
            raise ValueError(value)
    except ValueError:
        raise Invalid(
            f"{where}: {value!r} is not a value of type {attribute.type}.", details={"at": where}
        ) from None
    return value

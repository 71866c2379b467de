"""``key IN (...)`` for a list of primary keys, built directly from values.

Populate's per-group statements (reserve, complete, stamp) must not cost a query compilation
each: the condition is written from the key names and the values encoded exactly as a
restriction encodes them.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from ..query.heading import Attribute
from ..query.values import cached_encoder
from .dialects.base import Dialect


def keys_where(
    dialect: Dialect,
    attributes: dict[str, Attribute],
    names: list[str],
    keys: list[dict[str, Any]],
) -> tuple[str, list[Any]]:
    """The condition and its parameters; ``attributes`` maps each key name to its attribute."""
    if not names:
        return "1=1", []
    textual = not dialect.has_column_comments
    encoders = [(name, cached_encoder(attributes[name], textual)) for name in names]
    params: list[Any] = []
    for key in keys:
        missing = [name for name in names if name not in key]
        if missing:
            raise DataJointError(f"The key lacks attribute(s) {missing} of {names}.")
        params.extend(encode(key[name]) for name, encode in encoders)
    mark = dialect.placeholder
    if len(names) == 1:
        return f"{dialect.quote(names[0])} IN ({','.join([mark] * len(keys))})", params
    row = "(" + ",".join([mark] * len(names)) + ")"
    columns = ",".join(dialect.quote(name) for name in names)
    return f"({columns}) IN ({','.join([row] * len(keys))})", params

"""All user restriction arguments become a condition tree here, and nowhere else.

Accepted: dict/mapping, numpy record, pandas DataFrame, str (library code only), AndList, Not,
bool, another query (semijoin), lists/tuples/sets (OR), ``dj.U`` (no-op). Values are never
spliced into SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import numpy as np

from ..errors import DataJointError
from .conditions import (
    COMPARISON_OPERATORS,
    FALSE,
    TRUE,
    And,
    Compare,
    Condition,
    InQuery,
    Negate,
    Or,
    RawSQL,
    attributes_of,
    conjunction,
    disjunction,
    negation,
)
from .heading import Heading
from .lineage import check_namesakes
from .nodes import Node
from .top import Top


class AndList(list[Any]):
    """A list of restrictions that are ANDed (a plain list ORs them)."""


class Not:
    """Negation of a restriction: ``expr & dj.Not(cond)`` is ``expr - cond``."""

    def __init__(self, restriction: Any) -> None:
        self.restriction = restriction


def is_query(value: Any) -> bool:
    """A query expression (checked on the class, so no property runs a catalog lookup)."""
    kind = type(value)
    return hasattr(kind, "node") and hasattr(kind, "heading")


class Relational(Protocol):
    """Anything that is a query: a node and a heading."""

    @property
    def node(self) -> Node: ...

    @property
    def heading(self) -> Heading: ...


class UniversalSet(Protocol):
    """``dj.U``: restricting by it is a no-op."""

    universal_attributes: tuple[str, ...]


_KEYWORDS = frozenset(
    [
        "is",
        "in",
        "between",
        "like",
        "rlike",
        "regexp",
        "and",
        "or",
        "xor",
        "not",
        "null",
        "true",
        "false",
        "unknown",
        "exists",
        "case",
        "when",
        "then",
        "else",
        "end",
        "div",
        "mod",
        "escape",
        "collate",
        "binary",
        "asc",
        "desc",
        "distinct",
        "interval",
        "microsecond",
        "second",
        "minute",
        "hour",
        "day",
        "week",
        "month",
        "quarter",
        "year",
        "current_date",
        "current_time",
        "current_timestamp",
    ]
)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"")
_BACKTICKED = re.compile(r"`([^`]+)`")
_FUNCTION = re.compile(r"\b[a-zA-Z_][a-zA-Z0-9_]*\s*\(")
_IDENTIFIER = re.compile(r"\b[a-z][a-z_0-9]*\b")


def string_identifiers(text: str) -> set[str]:
    """Attribute names a string restriction mentions (quoted text and function names removed)."""
    stripped = _QUOTED.sub(" ", text)
    names = set(_BACKTICKED.findall(stripped))
    stripped = _BACKTICKED.sub(" ", stripped)
    stripped = _FUNCTION.sub(" ", stripped)
    stripped = re.sub(r"\b\d+(\.\d+)?(e[+-]?\d+)?\b", " ", stripped)
    names |= {n for n in _IDENTIFIER.findall(stripped) if n not in _KEYWORDS}
    return names


def coerce(arg: Any, heading: Heading, *, semantic_check: bool = True) -> Condition:
    """Turn one restriction argument into a condition over ``heading``."""
    if type(arg) is dict:  # the common case first: a key
        return _mapping(arg, heading)
    if isinstance(arg, bool):
        return TRUE if arg else FALSE
    if isinstance(arg, Top):
        raise DataJointError(f"Invalid restriction type {arg!r}")
    if isinstance(arg, Not):
        return negation(coerce(arg.restriction, heading, semantic_check=semantic_check))
    if isinstance(arg, Condition):
        return _structured(arg, heading)
    if isinstance(arg, AndList):
        return conjunction([coerce(a, heading, semantic_check=semantic_check) for a in arg])
    if isinstance(arg, str):
        return _string(arg, heading)
    if isinstance(arg, np.void):
        return _mapping({name: arg[name] for name in arg.dtype.names or ()}, heading)
    if isinstance(arg, Mapping):
        return _mapping(arg, heading)
    if hasattr(arg, "universal_attributes"):
        return TRUE
    if is_query(arg):
        return semijoin(arg, heading, semantic_check=semantic_check)
    return _collection(arg, heading, semantic_check)


def _structured(condition: Condition, heading: Heading) -> Condition:
    """A condition tree built by library code (``Compare``, ``InValues``, ``And``, ``Or``,
    ``Negate``): checked against the heading, so a client that builds conditions from user
    input (the portal) gets an error for an unknown attribute or operator, never SQL."""
    for item in _walk(condition):
        if isinstance(item, RawSQL | InQuery):
            raise DataJointError(
                f"{type(item).__name__} is not a structured condition: restrict by a string "
                "or by a query instead."
            )
        if isinstance(item, Compare) and item.operator not in COMPARISON_OPERATORS:
            raise DataJointError(
                f"Unknown comparison operator {item.operator!r}; use one of "
                f"{', '.join(COMPARISON_OPERATORS)}."
            )
    for name in attributes_of(condition):
        if name not in heading.names:
            raise DataJointError(f"Attribute `{name}` not found.")
    return condition


def _walk(condition: Condition) -> Iterator[Condition]:
    yield condition
    if isinstance(condition, And | Or):
        for item in condition.items:
            yield from _walk(item)
    elif isinstance(condition, Negate):
        yield from _walk(condition.item)


def _collection(arg: Any, heading: Heading, semantic_check: bool) -> Condition:
    """Tables of rows (DataFrame, record array) and plain collections: OR of their items."""
    if _is_dataframe(arg):
        arg = list(arg.to_records())
    elif isinstance(arg, np.ndarray) and arg.dtype.names:
        arg = list(arg)
    if isinstance(arg, Iterable) and not isinstance(arg, bytes | bytearray):
        return disjunction([coerce(a, heading, semantic_check=semantic_check) for a in arg])
    raise DataJointError(f"Invalid restriction type {arg!r}")


def _is_dataframe(arg: Any) -> bool:
    return type(arg).__name__ == "DataFrame" and hasattr(arg, "to_records")


def _string(text: str, heading: Heading) -> Condition:
    text = text.strip()
    if not text:
        return TRUE
    for name in sorted(string_identifiers(text)):
        if name not in heading.names:
            raise DataJointError(f"Attribute `{name}` is not found in query.")
    return RawSQL(text)


def _mapping(values: Mapping[str, Any], heading: Heading) -> Condition:
    """AND of attribute = value for keys that name attributes; other keys are ignored."""
    items: list[Condition] = []
    attributes = heading.attributes
    for key, value in values.items():
        name, _, path = str(key).partition(".")
        if name not in attributes:
            continue
        cast = None
        if ":" in path:
            path, _, cast = path.partition(":")
        value = _plain(value)
        if value == "" and not path and attributes[name].numeric:
            value = None  # an empty cell of a numeric attribute means "no value", as on insert
        items.append(Compare(name, "=", value, path=path or None, cast=cast))
    return conjunction(items)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN stands for a missing value
        return None
    return value


def semijoin(other: Relational, heading: Heading, *, semantic_check: bool) -> Condition:
    """Restriction by another query: match on visible namesakes (lineage-checked)."""
    common = [n for n in heading.names if n in other.heading.names]
    if semantic_check:
        check_namesakes(heading, other.heading, common)
    if not common:
        from_other: Condition = InQuery((), other.node, ())
        return from_other
    return InQuery(tuple(common), other.node, tuple(common))

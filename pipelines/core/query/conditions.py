"""Restriction conditions as a tree of plain data. Values stay Python values until compiled,
where every one becomes a bound parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COMPARISON_OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "like", "not like")


class Condition:
    """Base class of condition nodes."""


@dataclass(frozen=True)
class TrueCondition(Condition):
    pass


@dataclass(frozen=True)
class FalseCondition(Condition):
    pass


TRUE = TrueCondition()
FALSE = FalseCondition()


@dataclass(frozen=True)
class Compare(Condition):
    """``attribute <op> value``; ``= None`` is ``IS NULL``. ``path`` addresses inside a JSON value."""

    attribute: str
    operator: str
    value: Any
    path: str | None = None
    cast: str | None = None


@dataclass(frozen=True)
class InValues(Condition):
    """``attribute IN (v1, v2, …)``."""

    attribute: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class RawSQL(Condition):
    """A string restriction from library code (never from the browser)."""

    text: str


@dataclass(frozen=True)
class And(Condition):
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Or(Condition):
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Negate(Condition):
    item: Condition


@dataclass(frozen=True)
class InQuery(Condition):
    """``(a, b) IN (SELECT a, b FROM …)``: a semijoin on common attributes.

    ``inner_names[i]`` is the name of ``attributes[i]`` inside ``query`` (they differ after renames).
    """

    attributes: tuple[str, ...]
    query: Any  # a query node
    inner_names: tuple[str, ...]


def conjunction(items: list[Condition]) -> Condition:
    """AND of items with TRUE dropped; any FALSE makes the whole FALSE."""
    kept: list[Condition] = []
    for item in items:
        if isinstance(item, FalseCondition):
            return FALSE
        if not isinstance(item, TrueCondition):
            kept.append(item)
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def disjunction(items: list[Condition]) -> Condition:
    """OR of items with FALSE dropped; any TRUE makes the whole TRUE; empty is FALSE."""
    kept: list[Condition] = []
    for item in items:
        if isinstance(item, TrueCondition):
            return TRUE
        if not isinstance(item, FalseCondition):
            kept.append(item)
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else Or(tuple(kept))


def negation(item: Condition) -> Condition:
    if isinstance(item, TrueCondition):
        return FALSE
    if isinstance(item, FalseCondition):
        return TRUE
    if isinstance(item, Negate):
        return item.item
    return Negate(item)


def attributes_of(condition: Condition) -> set[str]:
    """The attribute names a condition refers to (raw SQL is handled by the caller)."""
    if isinstance(condition, Compare | InValues):
        return {condition.attribute}
    if isinstance(condition, InQuery):
        return set(condition.attributes)
    if isinstance(condition, And | Or):
        return set().union(*(attributes_of(i) for i in condition.items))
    if isinstance(condition, Negate):
        return attributes_of(condition.item)
    return set()

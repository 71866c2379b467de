"""The JSON query spec: its shape, its limits, and the checked plan it becomes.

A spec names tables by schema and class name and attributes by name; every name is checked
(here for its shape, in ``queries`` against the table or the heading it applies to) before the
engine sees it, and every value reaches the engine as a value, never as SQL text. The steps run
in this order::

    query = <table>                                   "table": {"schema": s, "name": T}
    query = query * <operand>  (per item)             "join": [operand + {"left": bool}]
    query = query & <condition>                       "where": condition
    query = query.aggr(<operand>, …) or dj.U(…).aggr  "aggregate": {…}
    query = query & <condition>                       "having": condition (after "aggregate")
    query = query.proj(…)                             "project": projection
    rows  = query.to_dicts(order_by, limit, offset)   "order_by", "limit", "offset"

    operand    := {"table": ref, "where": condition?, "project": projection?}
    projection := {"keep": [name, …] | "all", "exclude": [name, …], "rename": {new: old}}
    aggregate  := operand + {"compute": [computation, …], "keep": [name, …] | "all",
                             "keep_all_rows": bool}
                | {"group_by": [name, …], "compute": [computation, …]}
    computation:= {"name": new, "function": one of FUNCTIONS, "attribute": name | "*"}

Conditions follow ``pipelines.services.conditions``. Errors name the place (``join[1].where``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipelines.services.errors import Invalid
from pipelines.services.tables import TableName

SPEC_KEYS = frozenset(
    ["table", "join", "where", "aggregate", "having", "project", "order_by", "limit", "offset"]
)
OPERAND_KEYS = frozenset(["table", "where", "project"])
PROJECTION_KEYS = frozenset(["keep", "exclude", "rename"])
COMPUTATION_KEYS = frozenset(["name", "function", "attribute"])
#: Aggregate functions; each is written by the service from checked names, never by the client.
FUNCTIONS = ("count", "count_distinct", "sum", "avg", "min", "max", "std", "variance")
#: Functions that only make sense on numbers.
NUMERIC_FUNCTIONS = frozenset(["sum", "avg", "std", "variance"])
#: Functions a database lacks (SQLite has no standard deviation or variance).
UNSUPPORTED_FUNCTIONS = {"sqlite": frozenset(["std", "variance"])}
#: A new attribute name (renames, computations): DataJoint's attribute naming.
NEW_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: The ``at`` of the spec as a whole; the places inside it are named from its keys (``join[0]``).
ROOT = "spec"
MAX_JOINS = 8
#: How deep a spec may nest (conditions allow 10 levels, each two JSON levels deep).
MAX_DEPTH = 40
MAX_NAMES = 200
MAX_COMPUTATIONS = 20
DEFAULT_LIMIT = 1000
MAX_LIMIT = 100_000
MAX_OFFSET = 10**9


# --- the checked plan ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Projection:
    #: None keeps every attribute (``...``); otherwise the primary key and these.
    keep: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    #: ``(new, old)`` pairs.
    rename: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Operand:
    table: TableName
    where: Any = None
    project: Projection | None = None


@dataclass(frozen=True)
class Join:
    operand: Operand
    left: bool = False


@dataclass(frozen=True)
class Computation:
    name: str
    #: The SQL aggregate the service wrote (``count(*)``, ``avg(`rt`)``).
    expression: str


@dataclass(frozen=True)
class Aggregation:
    computations: tuple[Computation, ...]
    #: ``query.aggr(group, …)`` when set; otherwise ``dj.U(*group_by).aggr(query, …)``.
    group: Operand | None = None
    group_by: tuple[str, ...] = ()
    #: The grouping query's attributes kept beside its primary key (None: all of them).
    keep: tuple[str, ...] | None = ()
    keep_all_rows: bool = True


@dataclass(frozen=True)
class QueryPlan:
    """A checked spec: what to build, in order, and how to fetch it."""

    table: TableName
    joins: tuple[Join, ...] = ()
    where: Any = None
    aggregate: Aggregation | None = None
    having: Any = None
    project: Projection | None = None
    #: Engine ordering (``"a"``, ``"a DESC"``, ``"KEY"``), complete enough for stable pages.
    order_by: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    offset: int = 0


# --- shape checks ----------------------------------------------------------------------------------
def fail(at: str, message: str, **details: Any) -> Invalid:
    return Invalid(f"{at}: {message}", details={"at": at, **details})


def expect_object(
    value: Any, at: str, allowed: frozenset[str], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(at, "expected a JSON object.")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise fail(at, f"unknown keys {unknown}; allowed: {sorted(allowed)}.", keys=unknown)
    for key in required:
        if key not in value:
            raise fail(key if at == ROOT else f"{at}.{key}", "is required.")
    return value


def expect_list(value: Any, at: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise fail(at, "expected a list.")
    if len(value) > limit:
        raise fail(at, f"at most {limit} items.")
    return value


def expect_int(value: Any, at: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise fail(at, f"expected a whole number from {low} to {high}.")
    return value


def expect_bool(value: Any, at: str) -> bool:
    if not isinstance(value, bool):
        raise fail(at, "expected true or false.")
    return value


def expect_attribute(value: Any, at: str, names: list[str]) -> str:
    """An attribute of the heading at this step (``names``)."""
    if not isinstance(value, str) or value not in names:
        raise fail(at, f"no attribute {value!r} here.", attributes=names)
    return value


def expect_attributes(value: Any, at: str, names: list[str]) -> tuple[str, ...]:
    items = expect_list(value, at, MAX_NAMES)
    checked = tuple(expect_attribute(v, f"{at}[{i}]", names) for i, v in enumerate(items))
    if len(set(checked)) != len(checked):
        raise fail(at, "an attribute is named twice.")
    return checked


def expect_new_name(value: Any, at: str) -> str:
    if not isinstance(value, str) or not NEW_NAME.fullmatch(value):
        raise fail(at, "a new attribute name is lowercase letters, digits and _, first a letter.")
    return value


def expect_keep(value: Any, at: str, names: list[str]) -> tuple[str, ...] | None:
    """``"all"`` (None) or a list of attributes."""
    if value == "all":
        return None
    return expect_attributes(value, at, names)


def check_text(value: Any, at: str = "", depth: int = 0) -> None:
    """Every string in the spec must be valid Unicode text (JSON allows lone surrogates, which
    no database or response can carry), and the spec must not nest without end."""
    if depth > MAX_DEPTH:
        raise fail(at or ROOT, f"nests deeper than {MAX_DEPTH}.")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise fail(at or ROOT, "text that is not valid Unicode.") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, at, depth + 1)
            check_text(item, f"{at}.{key}" if at else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_text(item, f"{at}[{i}]", depth + 1)


def order_items(value: Any, at: str, names: list[str], primary_key: list[str]) -> tuple[str, ...]:
    """``["a", "-b"]`` -> ``("a", "b DESC", "KEY")``; the primary key is added last unless the
    ordering already holds all of it, so that pages never overlap."""
    if value is None:
        value = []
    items = expect_list(value, at, MAX_NAMES)
    result: list[str] = []
    named: set[str] = set()
    for i, item in enumerate(items):
        here = f"{at}[{i}]"
        if not isinstance(item, str):
            raise fail(here, "expected an attribute name, '-' first for descending.")
        descending = item.startswith("-")
        name = expect_attribute(item[1:] if descending else item, here, names)
        named.add(name)
        result.append(f"{name} DESC" if descending else name)
    if primary_key and not set(primary_key) <= named:
        result.append("KEY")
    return tuple(result)

"""A small reference evaluator of DataJoint's query algebra (spec/engine.md §4), on pandas.

Expressions are trees of the frozen dataclasses below. ``Reference.heading(node)`` gives the
result's attributes and primary key by the rules of §4 (the §12 bugs done right), and
``Reference.evaluate(node)`` its rows as a DataFrame of Python objects (``None`` for NULL).

Semantics follow SQL where the database decides: NULL never matches in a join or an ``IN``
comparison, conditions use three-valued logic (a NULL comparison keeps no row, under ``NOT``
too), and ``GROUP BY`` / ``DISTINCT`` put all NULLs in one group.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

Truth = bool | None  # SQL's three-valued logic: None is UNKNOWN


# --- headings --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attr:
    """An attribute: ``kind`` is "int", "float" or "str"; ``lineage`` its origin or None.

    ``exact`` is False for sums of floats, whose last bits depend on the order of addition (so
    conditions must not compare them for equality)."""

    name: str
    kind: str
    lineage: str | None
    exact: bool = True


@dataclass(frozen=True)
class Heading:
    attributes: tuple[Attr, ...]
    primary_key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.attributes]

    @property
    def secondary(self) -> list[str]:
        return [a.name for a in self.attributes if a.name not in self.primary_key]

    def __getitem__(self, name: str) -> Attr:
        return next(a for a in self.attributes if a.name == name)

    def __contains__(self, name: object) -> bool:
        return any(a.name == name for a in self.attributes)


def make_heading(attributes: Iterable[Attr], primary_key: Sequence[str]) -> Heading:
    """A heading with the key first (in ``primary_key`` order) and duplicates dropped."""
    by_name: dict[str, Attr] = {}
    for attribute in attributes:
        by_name.setdefault(attribute.name, attribute)
    key = tuple(primary_key)
    ordered = [by_name[k] for k in key] + [a for n, a in by_name.items() if n not in key]
    return Heading(tuple(ordered), key)


def namesakes(a: Heading, b: Heading) -> list[str]:
    return [n for n in a.names if n in b]


def lineage_compatible(a: Heading, b: Heading) -> bool:
    """The semantic check of §4.4: every namesake shares one non-null origin."""
    return all(a[n].lineage is not None and a[n].lineage == b[n].lineage for n in namesakes(a, b))


def determines(a: Heading, b: Heading) -> bool:
    return all(n in a for n in b.primary_key)


def join_heading(a: Heading, b: Heading) -> Heading:
    """§4.3: the key follows functional dependency; A's attributes come first unless B → A."""
    if determines(a, b):
        return make_heading([*a.attributes, *b.attributes], a.primary_key)
    if determines(b, a):
        return make_heading([*b.attributes, *a.attributes], b.primary_key)
    key = [*a.primary_key, *(n for n in b.primary_key if n not in a.primary_key)]
    rest = [b[n] for n in b.primary_key] + [a[n] for n in a.secondary] + [b[n] for n in b.secondary]
    return make_heading([a[n] for n in a.primary_key] + rest, key)


# --- expression trees ------------------------------------------------------------------------
class Node:
    """Base of expression nodes."""


class Cond:
    """Base of restriction conditions (dict, string, list, AndList, Not)."""


@dataclass(frozen=True)
class CondDict(Cond):
    """``{attr: value, …}``: keys outside the heading are ignored; ``None`` means IS NULL."""

    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class CondCompare(Cond):
    """The string restriction ``"attr <op> literal"``."""

    attribute: str
    op: str
    value: Any


@dataclass(frozen=True)
class CondOr(Cond):
    """A list: OR of its items; empty is FALSE."""

    items: tuple[Cond, ...]


@dataclass(frozen=True)
class CondAnd(Cond):
    """``dj.AndList``: AND of its items; empty is TRUE."""

    items: tuple[Cond, ...]


@dataclass(frozen=True)
class CondNot(Cond):
    item: Cond


@dataclass(frozen=True)
class Base(Node):
    table: str


@dataclass(frozen=True)
class Restrict(Node):
    """``child & cond`` or, with ``negate``, ``child - cond``."""

    child: Node
    cond: Cond
    negate: bool = False


@dataclass(frozen=True)
class Semijoin(Node):
    """``child & other`` (semijoin) or ``child - other`` (antijoin)."""

    child: Node
    other: Node
    negate: bool = False


@dataclass(frozen=True)
class Join(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Proj(Node):
    """``proj(*keep, new=old…, new=f"{source}{op}{operand}"…)``."""

    child: Node
    keep: tuple[str, ...] = ()
    renames: tuple[tuple[str, str], ...] = ()
    computed: tuple[tuple[str, str, str, int], ...] = ()  # (name, source, "*" or "+", operand)


@dataclass(frozen=True)
class Aggregation:
    """``name='func(attr)'``; func is count, sum or max, and ``attr`` None means ``count(*)``."""

    name: str
    func: str
    attribute: str | None

    @property
    def sql(self) -> str:
        return f"{self.func}({self.attribute or '*'})"


@dataclass(frozen=True)
class Aggr(Node):
    """``child.aggr(group, [...,] **computations)``; keeps every child row (LEFT JOIN)."""

    child: Node
    group: Node
    computations: tuple[Aggregation, ...]
    keep_all: bool = False


@dataclass(frozen=True)
class Union(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class UDistinct(Node):
    """``dj.U(*attributes) & child``."""

    attributes: tuple[str, ...]
    child: Node


@dataclass(frozen=True)
class UAggr(Node):
    """``dj.U(*attributes).aggr(child, **computations)``."""

    attributes: tuple[str, ...]
    child: Node
    computations: tuple[Aggregation, ...]


@dataclass(frozen=True)
class Top(Node):
    """``child & dj.Top(limit, "KEY" or "KEY DESC", offset)``."""

    child: Node
    limit: int
    offset: int = 0
    descending: bool = False


# --- three-valued logic ----------------------------------------------------------------------
def and3(values: Iterable[Truth]) -> Truth:
    result: Truth = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def or3(values: Iterable[Truth]) -> Truth:
    result: Truth = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def not3(value: Truth) -> Truth:
    return None if value is None else not value


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def condition_truth(cond: Cond, heading: Heading, row: dict[str, Any]) -> Truth:
    if isinstance(cond, CondDict):
        known = [(k, v) for k, v in cond.items if k in heading]
        return and3(
            (row[k] is None) if v is None else (None if row[k] is None else row[k] == v)
            for k, v in known
        )
    if isinstance(cond, CondCompare):
        value = row[cond.attribute]
        return None if value is None else _COMPARE[cond.op](value, cond.value)
    if isinstance(cond, CondOr):
        return or3(condition_truth(c, heading, row) for c in cond.items)
    if isinstance(cond, CondAnd):
        return and3(condition_truth(c, heading, row) for c in cond.items)
    if isinstance(cond, CondNot):
        return not3(condition_truth(cond.item, heading, row))
    raise TypeError(cond)


def tuple_in(values: Sequence[Any], candidates: Iterable[Sequence[Any]]) -> Truth:
    """SQL's ``(a, b) IN (SELECT …)``."""
    return or3(
        and3(None if x is None or y is None else x == y for x, y in zip(values, c, strict=True))
        for c in candidates
    )


# --- rows ------------------------------------------------------------------------------------
def frame(rows: Iterable[Sequence[Any]], names: Sequence[str]) -> pd.DataFrame:
    """A DataFrame of Python objects: no dtype inference, so NULL stays ``None``."""
    data = [list(r) for r in rows]
    return pd.DataFrame(data, columns=list(names), dtype=object) if data else empty(names)


def empty(names: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({n: pd.Series([], dtype=object) for n in names}, columns=list(names))


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, NaN (which pandas may introduce) read back as None."""
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in df.astype(object).to_dict("records")
    ]


def sort_key(values: Sequence[Any]) -> tuple[tuple[bool, Any], ...]:
    """SQL ordering with NULL first."""
    return tuple((v is not None, v) for v in values)


def aggregate(agg: Aggregation, rows: Sequence[dict[str, Any]]) -> Any:
    if agg.attribute is None:
        return len(rows)
    values = [r[agg.attribute] for r in rows if r[agg.attribute] is not None]
    if agg.func == "count":
        return len(values)
    if not values:
        return None
    return sum(values) if agg.func == "sum" else max(values)


def aggregated(agg: Aggregation, heading: Heading) -> Attr:
    """The computed attribute of an aggregation (no lineage)."""
    if agg.func == "count" or agg.attribute is None:
        return Attr(agg.name, "int", None)
    kind = heading[agg.attribute].kind
    return Attr(
        agg.name,
        kind,
        None,
        exact=(heading[agg.attribute].exact and agg.func == "max") or kind != "float",
    )


# --- the evaluator ---------------------------------------------------------------------------
class Reference:
    """Headings and rows of expression trees over base tables given as headings and rows."""

    def __init__(self, headings: dict[str, Heading], data: dict[str, pd.DataFrame]) -> None:
        self.headings = headings
        self.data = data
        self._headings: dict[Node, Heading] = {}

    def heading(self, node: Node) -> Heading:
        if node not in self._headings:
            self._headings[node] = self._heading(node)
        return self._headings[node]

    def _heading(self, node: Node) -> Heading:
        if isinstance(node, Base):
            return self.headings[node.table]
        if isinstance(node, Restrict | Semijoin | Top):
            return self.heading(node.child)
        if isinstance(node, Join):
            return join_heading(self.heading(node.left), self.heading(node.right))
        if isinstance(node, Proj):
            return self._proj_heading(node)
        if isinstance(node, Aggr):
            a, joined = self.heading(node.child), self._aggr_join_heading(node)
            kept = a.names if node.keep_all else list(a.primary_key)
            extra = [aggregated(c, joined) for c in node.computations]
            return make_heading([a[n] for n in kept] + extra, a.primary_key)
        if isinstance(node, Union):
            a, b = self.heading(node.left), self.heading(node.right)
            return make_heading([*a.attributes, *(b[n] for n in b.secondary)], a.primary_key)
        if isinstance(node, UDistinct):
            child = self.heading(node.child)
            return make_heading([child[n] for n in node.attributes], node.attributes)
        if isinstance(node, UAggr):
            child = self.heading(node.child)
            extra = [aggregated(c, child) for c in node.computations]
            return make_heading([child[n] for n in node.attributes] + extra, node.attributes)
        raise TypeError(node)

    def _proj_heading(self, node: Proj) -> Heading:
        child = self.heading(node.child)
        renamed = {old: new for new, old in node.renames}
        out: list[Attr] = []
        key: list[str] = []
        for attribute in child.attributes:
            name = attribute.name
            if name in renamed:
                out.append(Attr(renamed[name], attribute.kind, attribute.lineage, attribute.exact))
            elif name in child.primary_key or name in node.keep:
                out.append(attribute)
            else:
                continue
            if name in child.primary_key:
                key.append(out[-1].name)
        out += [
            Attr(name, child[source].kind, None, child[source].exact)
            for name, source, _, _ in node.computed
        ]
        return Heading(tuple(out), tuple(key))

    def _aggr_join_heading(self, node: Aggr) -> Heading:
        a, b = self.heading(node.child), self.heading(node.group)
        return make_heading([*a.attributes, *b.attributes], a.primary_key)

    # rows ---------------------------------------------------------------------------------
    def evaluate(self, node: Node) -> pd.DataFrame:
        """The result's rows, columns in heading order."""
        names = self.heading(node).names
        return frame(([r[n] for n in names] for r in self._rows(node)), names)

    def _rows(self, node: Node) -> list[dict[str, Any]]:
        handler = getattr(self, f"_rows_{type(node).__name__.lower()}")
        rows: list[dict[str, Any]] = handler(node)
        return rows

    def _rows_base(self, node: Base) -> list[dict[str, Any]]:
        return records(self.data[node.table])

    def _rows_restrict(self, node: Restrict) -> list[dict[str, Any]]:
        heading = self.heading(node.child)
        result = []
        for row in self._rows(node.child):
            truth = condition_truth(node.cond, heading, row)
            if (not3(truth) if node.negate else truth) is True:
                result.append(row)
        return result

    def _rows_semijoin(self, node: Semijoin) -> list[dict[str, Any]]:
        common = namesakes(self.heading(node.child), self.heading(node.other))
        inner = [[r[n] for n in common] for r in self._rows(node.other)]
        result = []
        for row in self._rows(node.child):
            truth = tuple_in([row[n] for n in common], inner) if common else bool(inner)
            if (not3(truth) if node.negate else truth) is True:
                result.append(row)
        return result

    def _rows_join(self, node: Join) -> list[dict[str, Any]]:
        left = self.evaluate(node.left)
        right = self.evaluate(node.right)
        return _inner_join(
            left, right, namesakes(self.heading(node.left), self.heading(node.right))
        )

    def _rows_proj(self, node: Proj) -> list[dict[str, Any]]:
        renamed = {old: new for new, old in node.renames}
        names = [n for n in self.heading(node).names]
        result = []
        for row in self._rows(node.child):
            out = {renamed.get(k, k): v for k, v in row.items()}
            for name, source, op, operand in node.computed:
                value = row[source]
                out[name] = None if value is None else _ARITHMETIC[op](value, operand)
            result.append({n: out[n] for n in names})
        return result

    def _rows_aggr(self, node: Aggr) -> list[dict[str, Any]]:
        a = self.heading(node.child)
        common = namesakes(a, self.heading(node.group))
        group = self.evaluate(node.group)
        names = self.heading(node).names
        result = []
        for row in self._rows(node.child):
            matches = _matching(group, common, [row[n] for n in common])
            if not matches:  # the LEFT JOIN's one row of NULLs: count(*) sees it, count(x) not
                matches = [dict.fromkeys(group.columns)]
            out = dict(row) | {c.name: aggregate(c, matches) for c in node.computations}
            result.append({n: out[n] for n in names})
        return result

    def _rows_union(self, node: Union) -> list[dict[str, Any]]:
        """Set union of keys; with secondaries, ``A LEFT JOIN B`` then B's rows whose key is
        ``NOT IN`` A's keys, so a key with a NULL (possible after ``dj.U``) never matches."""
        heading = self.heading(node)
        key, names = list(heading.primary_key), heading.names
        left = {_key(r, key): r for r in self._rows(node.left)}
        right = {_key(r, key): r for r in self._rows(node.right)}
        if not heading.secondary:
            return [dict(zip(key, k, strict=True)) for k in dict.fromkeys([*left, *right])]
        result = []
        for k, row in left.items():
            match = right.get(k, {}) if None not in k else {}
            result.append({n: (dict(match) | dict(row)).get(n) for n in names})
        for k, row in right.items():
            if tuple_in(k, left) is False:
                result.append({n: row.get(n) for n in names})
        return result

    def _rows_udistinct(self, node: UDistinct) -> list[dict[str, Any]]:
        names = list(node.attributes)
        seen = {_key(r, names): {n: r[n] for n in names} for r in self._rows(node.child)}
        return list(seen.values())

    def _rows_uaggr(self, node: UAggr) -> list[dict[str, Any]]:
        names = list(node.attributes)
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in self._rows(node.child):
            groups.setdefault(_key(row, names), []).append(row)
        if not names and not groups:  # no GROUP BY: one row even over nothing
            groups[()] = []
        return [
            dict(zip(names, k, strict=True))
            | {c.name: aggregate(c, rows) for c in node.computations}
            for k, rows in groups.items()
        ]

    def _rows_top(self, node: Top) -> list[dict[str, Any]]:
        key = list(self.heading(node).primary_key)
        rows = sorted(
            self._rows(node.child),
            key=lambda r: sort_key([r[k] for k in key]),
            reverse=node.descending,
        )
        return rows[node.offset : node.offset + node.limit]


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {"*": operator.mul, "+": operator.add}


def _key(row: dict[str, Any], names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def _matching(
    group: pd.DataFrame, common: Sequence[str], values: Sequence[Any]
) -> list[dict[str, Any]]:
    if any(v is None for v in values):
        return []
    mask = pd.Series(True, index=group.index)
    for name, value in zip(common, values, strict=True):
        mask &= group[name].map(lambda x, v=value: x is not None and x == v).astype(bool)
    return records(group[mask])


def _inner_join(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> list[dict[str, Any]]:
    """Natural join; pandas would match NULL to NULL, SQL never does, so NULL keys drop out."""
    if not on:
        return [dict(a) | dict(b) for a, b in itertools.product(records(left), records(right))]
    left = left[left[on].notna().all(axis=1)]
    right = right[right[on].notna().all(axis=1)]
    if left.empty or right.empty:
        return []
    return records(left.merge(right, on=on, how="inner"))

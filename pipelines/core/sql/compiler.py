"""Query nodes -> ``(sql, params)`` for one dialect. Every value is a bound parameter.

The compiler builds a flat SELECT for each node and wraps its child in a subquery only where
SQL requires it (§4.12): restricting renamed or computed attributes, anything after a Top.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import DataJointError
from ..query.conditions import (
    And,
    Compare,
    Condition,
    FalseCondition,
    InQuery,
    InValues,
    Negate,
    Or,
    RawSQL,
    TrueCondition,
)
from ..query.heading import Heading
from ..query.nodes import Field, Limit, Node, Project, Restrict, TableRef
from ..query.shape import node_params, node_shape
from ..query.top import Top
from ..query.values import cached_encoder
from .dialects import Dialect

_alias_counter = itertools.count()
_BARE_ORDER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\s+(ASC|DESC))?$", re.I)


def next_alias() -> str:
    return f"${next(_alias_counter):x}"


@dataclass
class Select:
    """The parts of one SELECT statement."""

    heading: Heading
    fields: list[tuple[str, str | None]]  # (name, SQL expression or None for a plain column)
    source: str
    source_params: list[Any] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    where_params: list[Any] = field(default_factory=list)
    top: Top | None = None
    distinct: bool = False

    @property
    def has_expressions(self) -> bool:
        return any(expression is not None for _, expression in self.fields)


#: Compiled SQL text by (dialect, statement kind, query shape); values are bound separately.
_PLANS: OrderedDict[Hashable, str] = OrderedDict()
_PLAN_LIMIT = 2048


class Compiler:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.textual_temporal = not dialect.has_column_comments

    # --- entry points ----------------------------------------------------------------------------
    def sql(self, node: Node) -> tuple[str, list[Any]]:
        return self._planned("select", node, lambda: self.render(self.build(node)))

    def count(self, node: Node) -> tuple[str, list[Any]]:
        return self._planned("count", node, lambda: self._count(node))

    def exists(self, node: Node) -> tuple[str, list[Any]]:
        return self._planned("exists", node, lambda: self._exists(node))

    def _planned(
        self, kind: str, node: Node, compile_: Callable[[], tuple[str, list[Any]]]
    ) -> tuple[str, list[Any]]:
        """Compile once per query shape; later queries of that shape only bind their values."""
        try:
            key = (self.dialect.name, kind, node_shape(node))
        except TypeError:  # a node or condition the compiler does not know: let it say so
            return compile_()
        sql = _PLANS.get(key)
        if sql is None:
            sql, params = compile_()
            _PLANS[key] = sql
            if len(_PLANS) > _PLAN_LIMIT:
                _PLANS.popitem(last=False)
            return sql, params
        return sql, node_params(node, self._encode_named)

    def _encode_named(self, heading: Heading, name: str, value: Any) -> Any:
        return self._encode(heading[name], value)

    def _count(self, node: Node) -> tuple[str, list[Any]]:
        select = self.build(node)
        if select.top is not None or select.distinct:
            sql, params = self.render(select)
            return f"SELECT count(*) FROM ({sql}) AS {self.dialect.quote(next_alias())}", params
        sql = f"SELECT count(*) FROM {select.source}{self._where(select)}"
        return sql, select.source_params + select.where_params

    def _exists(self, node: Node) -> tuple[str, list[Any]]:
        select = self.build(node)
        if select.top is not None:
            sql, params = self.render(select)
            return (
                f"SELECT EXISTS(SELECT 1 FROM ({sql}) AS {self.dialect.quote(next_alias())})",
                params,
            )
        sql = f"SELECT EXISTS(SELECT 1 FROM {select.source}{self._where(select)})"
        return sql, select.source_params + select.where_params

    # --- building --------------------------------------------------------------------------------
    def build(self, node: Node) -> Select:
        if isinstance(node, TableRef):
            return Select(
                heading=node.heading,
                fields=[(name, None) for name in node.heading.names],
                source=self.dialect.table_ref(node.database, node.table_name),
            )
        if isinstance(node, Restrict):
            return self._restrict(self.build(node.child), node)
        if isinstance(node, Project):
            return self._project(self.build(node.child), node)
        if isinstance(node, Limit):
            return self._limit(self.build(node.child), node)
        raise DataJointError(f"Cannot compile query node {type(node).__name__}")

    def wrap(self, select: Select) -> Select:
        sql, params = self.render(select)
        alias = self.dialect.quote(next_alias())
        return Select(
            heading=select.heading,
            fields=[(name, None) for name, _ in select.fields],
            source=f"({sql}) as {alias}",
            source_params=params,
        )

    def _restrict(self, select: Select, node: Restrict) -> Select:
        if select.top is not None or select.has_expressions:
            select = self.wrap(select)
        text, params = self.condition(node.condition, select.heading)
        return replace(
            select,
            heading=node.heading,
            where=[*select.where, text],
            where_params=[*select.where_params, *params],
        )

    def _project(self, select: Select, node: Project) -> Select:
        current = dict(select.fields)
        needs_wrap = any(
            f.source is not None and f.source != f.name and current.get(f.source) is not None
            for f in node.fields
        ) or any(f.expression is not None and select.has_expressions for f in node.fields)
        if needs_wrap:
            select = self.wrap(select)
            current = dict(select.fields)
        fields = [self._field(f, current) for f in node.fields]
        return replace(select, heading=node.heading, fields=fields)

    def _field(self, f: Field, current: dict[str, str | None]) -> tuple[str, str | None]:
        if f.expression is not None:
            return f.name, f.expression
        source = f.source or f.name
        inner = current.get(source)
        if inner is not None:
            return f.name, inner
        return f.name, (None if source == f.name else self.dialect.quote(source))

    def _limit(self, select: Select, node: Limit) -> Select:
        top = node.top
        if select.top is not None:
            if top.order is None or top.order == select.top.order:
                merged = Top(
                    limit=_chained_limit(select.top.limit, top.limit, top.offset),
                    order_by=select.top.order,
                    offset=select.top.offset + top.offset,
                )
                return replace(select, heading=node.heading, top=merged)
            select = self.wrap(select)
        if top.order is None:
            top = Top(limit=top.limit, order_by="KEY", offset=top.offset)
        return replace(select, heading=node.heading, top=top)

    # --- rendering -------------------------------------------------------------------------------
    def render(self, select: Select) -> tuple[str, list[Any]]:
        q = self.dialect.quote
        fields = ",".join(
            q(name) if expression is None else f"{expression} as {q(name)}"
            for name, expression in select.fields
        )
        distinct = "DISTINCT " if select.distinct else ""
        sql = f"SELECT {distinct}{fields or '1'} FROM {select.source}{self._where(select)}"
        if select.top is not None:
            sql += self._order(select.top, select.heading)
        return sql, select.source_params + select.where_params

    def _where(self, select: Select) -> str:
        return " WHERE " + "AND".join(f"({w})" for w in select.where) if select.where else ""

    def _order(self, top: Top, heading: Heading) -> str:
        items = []
        for item in top.expand(heading.primary_key):
            match = _BARE_ORDER.match(item.strip())
            if match:
                direction = f" {match.group(3).upper()}" if match.group(3) else ""
                items.append(f"{self.dialect.quote(match.group(1))}{direction}")
            else:
                items.append(item)
        order = f" ORDER BY {', '.join(items)}" if items else ""
        return order + self.dialect.limit_clause(top.limit, top.offset)

    def condition(self, condition: Condition, heading: Heading) -> tuple[str, list[Any]]:
        if isinstance(condition, TrueCondition):
            return "1=1", []
        if isinstance(condition, FalseCondition):
            return "1=0", []
        if isinstance(condition, RawSQL):
            return self.dialect.escape_percent(condition.text), []
        if isinstance(condition, Compare):
            return self._compare(condition, heading)
        if isinstance(condition, InValues):
            return self._in_values(condition, heading)
        if isinstance(condition, And | Or):
            parts = [self.condition(item, heading) for item in condition.items]
            joiner = ")AND(" if isinstance(condition, And) else ") OR ("
            return "(" + joiner.join(p[0] for p in parts) + ")", [v for p in parts for v in p[1]]
        if isinstance(condition, Negate):
            text, params = self.condition(condition.item, heading)
            return f"NOT ({text})", params
        if isinstance(condition, InQuery):
            return self._in_query(condition)
        raise DataJointError(f"Cannot compile condition {condition!r}")

    def _compare(self, c: Compare, heading: Heading) -> tuple[str, list[Any]]:
        attribute = heading[c.attribute]
        if c.path is not None:
            column = self.dialect.json_path(c.attribute, c.path, c.cast)
            value = c.value if not isinstance(c.value, dict | list) else json.dumps(c.value)
        else:
            column = self.dialect.quote(c.attribute)
            value = c.value if c.value is None else self._encode(attribute, c.value)
        if value is None:
            if c.operator not in ("=", "!="):
                raise DataJointError(f"Cannot compare `{c.attribute}` with NULL using {c.operator}")
            return f"{column} IS {'NOT ' if c.operator == '!=' else ''}NULL", []
        operator = f" {c.operator.upper()} " if "like" in c.operator else c.operator
        return f"{column}{operator}{self.dialect.placeholder}", [value]

    def _encode(self, attribute: Any, value: Any) -> Any:
        return cached_encoder(attribute, self.textual_temporal)(value)

    def _in_values(self, c: InValues, heading: Heading) -> tuple[str, list[Any]]:
        if not c.values:
            return "1=0", []
        attribute = heading[c.attribute]
        params = [self._encode(attribute, v) for v in c.values]
        marks = ",".join([self.dialect.placeholder] * len(params))
        return f"{self.dialect.quote(c.attribute)} IN ({marks})", params

    def _in_query(self, c: InQuery) -> tuple[str, list[Any]]:
        inner = self.build(c.query)
        if not c.attributes:
            sql, params = self.render(inner)
            return f"EXISTS ({sql})", params
        renamed = replace(
            inner,
            fields=[
                (outer, self.dialect.quote(name) if name != outer else None)
                for outer, name in zip(c.attributes, c.inner_names, strict=True)
            ],
        )
        if inner.has_expressions:
            wrapped = self.wrap(inner)
            renamed = replace(wrapped, fields=renamed.fields)
        sql, params = self.render(renamed)
        columns = ",".join(self.dialect.quote(a) for a in c.attributes)
        return f"({columns}) IN ({sql})", params


def _chained_limit(inner: int | None, outer: int | None, outer_offset: int) -> int | None:
    """Rows left when ``outer`` (after skipping ``outer_offset``) reads ``inner``'s rows."""
    remaining = None if inner is None else max(inner - outer_offset, 0)
    values = [v for v in (remaining, outer) if v is not None]
    return min(values) if values else None

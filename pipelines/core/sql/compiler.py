"""Query nodes -> ``(sql, params)`` for one dialect. Every value is a bound parameter.

Each node extends its child's SELECT in place where SQL allows, and wraps the child as a
subquery where it must (§4.12): restricting renamed or computed attributes, anything after a Top,
a DISTINCT or a GROUP BY, join operands whose FROM clauses share columns, the right side of a
left join that carries a restriction. SQL is cached by query shape; later queries of the same
shape only bind their values.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from ..errors import DataJointError
from ..query.heading import Heading
from ..query.nodes import (
    Aggregate,
    Distinct,
    Field,
    Join,
    Limit,
    Node,
    Project,
    Restrict,
    TableRef,
    Union,
)
from ..query.shape import node_params, node_shape
from ..query.top import Top
from ..query.values import cached_encoder
from .condition_sql import ConditionCompiler
from .dialects import Dialect
from .select import Bound, Select, next_alias, render, subquery, where_clause, wrap

#: Compiled SQL text and value order by (dialect, statement kind, query shape).
_PLANS: OrderedDict[Hashable, tuple[str, list[int]]] = OrderedDict()
_PLAN_LIMIT = 2048


class Compiler(ConditionCompiler):
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.textual_temporal = not dialect.has_column_comments
        self._position = 0

    # --- entry points ----------------------------------------------------------------------------
    def sql(self, node: Node) -> tuple[str, list[Any]]:
        return self._planned("select", node, lambda: render(self.build(node), self.dialect))

    def count(self, node: Node) -> tuple[str, list[Any]]:
        return self._planned("count", node, lambda: self._count(node))

    def exists(self, node: Node) -> tuple[str, list[Any]]:
        return self._planned("exists", node, lambda: self._exists(node))

    def render(self, select: Select) -> tuple[str, list[Any]]:
        sql, bound = render(select, self.dialect)
        return sql, [value for _, value in bound]

    def _planned(
        self, kind: str, node: Node, compile_: Callable[[], tuple[str, list[Bound]]]
    ) -> tuple[str, list[Any]]:
        """Compile once per query shape; later queries of that shape only bind their values."""
        self._position = 0
        try:
            key: Hashable = (self.dialect.name, kind, node_shape(node))
        except TypeError:  # a node or condition the compiler does not know: let it say so
            sql, bound = compile_()
            return sql, [value for _, value in bound]
        plan = _PLANS.get(key)
        if plan is None:
            sql, bound = compile_()
            _PLANS[key] = (sql, [position for position, _ in bound])
            if len(_PLANS) > _PLAN_LIMIT:
                _PLANS.popitem(last=False)
            return sql, [value for _, value in bound]
        values = node_params(node, self._encode_named)
        return plan[0], [values[position] for position in plan[1]]

    def _encode_named(self, heading: Heading, name: str, value: Any) -> Any:
        return self.encode(heading[name], value)

    def encode(self, attribute: Any, value: Any) -> Any:
        return cached_encoder(attribute, self.textual_temporal)(value)

    def bind(self, value: Any) -> Bound:
        bound = (self._position, value)
        self._position += 1
        return bound

    def _count(self, node: Node) -> tuple[str, list[Bound]]:
        select = self.build(node)
        if not select.is_flat:
            sql, params = render(select, self.dialect)
            return f"SELECT count(*) FROM ({sql}) AS {self.dialect.quote(next_alias())}", params
        return f"SELECT count(*) FROM {select.source}{where_clause(select)}", select.params

    def _exists(self, node: Node) -> tuple[str, list[Bound]]:
        select = self.build(node)
        if not select.is_flat:
            sql, params = render(select, self.dialect)
            alias = self.dialect.quote(next_alias())
            return f"SELECT EXISTS(SELECT 1 FROM ({sql}) AS {alias})", params
        return f"SELECT EXISTS(SELECT 1 FROM {select.source}{where_clause(select)})", select.params

    # --- building --------------------------------------------------------------------------------
    def build(self, node: Node) -> Select:
        if isinstance(node, TableRef):
            return Select(
                heading=node.heading,
                fields=[(name, None) for name in node.heading.names],
                source=self.dialect.table_ref(node.database, node.table_name),
                source_columns=frozenset(node.heading.all_attributes),
            )
        builder = self._BUILDERS.get(type(node))
        if builder is None:
            raise DataJointError(f"Cannot compile query node {type(node).__name__}")
        return builder(self, node)

    def wrap(self, select: Select) -> Select:
        return wrap(select, self.dialect)

    def _restrict(self, node: Restrict) -> Select:
        select = self.build(node.child)
        if not select.is_flat or select.has_expressions:
            select = self.wrap(select)
        text, params = self.condition(node.condition, select.heading)
        return replace(
            select,
            heading=node.heading,
            where=[*select.where, text],
            where_params=[*select.where_params, *params],
        )

    def _project(self, node: Project) -> Select:
        select = self.build(node.child)
        current = dict(select.fields)
        aliases = {
            f.name
            for f in node.fields
            if f.expression is not None or (f.source or f.name) != f.name
        }
        needs_wrap = (
            select.group_by is not None
            or select.distinct
            or (select.top is not None and bool(aliases & _order_names(select.top)))
            or any(
                f.source is not None and f.source != f.name and current.get(f.source) is not None
                for f in node.fields
            )
            or any(f.expression is not None and select.has_expressions for f in node.fields)
        )
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

    def _limit(self, node: Limit) -> Select:
        select = self.build(node.child)
        # KEY means the key of the operand the Top applies to: expand it now, before any later
        # projection changes the heading.
        top = Top(
            limit=node.top.limit,
            order_by=None if node.top.order is None else node.top.expand(node.heading.primary_key),
            offset=node.top.offset,
        )
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

    def _join(self, node: Join) -> Select:
        left, right = self.build(node.left), self.build(node.right)
        using = set(node.using)
        if _needs_wrap(left, using) or (left.tables > 1 and using):
            left = self.wrap(left)
        if _needs_wrap(right, using) or right.tables > 1 or (node.left_join and right.where):
            right = self.wrap(right)
        if (left.source_columns & right.source_columns) - using:
            left, right = self.wrap(left), self.wrap(right)
        q = self.dialect.quote
        columns = ", ".join(q(name) for name in node.using)
        if node.using:
            kind = "LEFT JOIN" if node.left_join else "JOIN"
            joined = f"{left.source} {kind} {right.source} USING ({columns})"
        elif node.left_join:
            joined = f"{left.source} LEFT JOIN {right.source} ON 1=1"
        else:
            joined = f"{left.source} CROSS JOIN {right.source}"
        available = {**dict(right.fields), **dict(left.fields)}
        return Select(
            heading=node.heading,
            fields=[(name, available.get(name)) for name in node.heading.names],
            source=joined,
            source_columns=left.source_columns | right.source_columns,
            source_params=[*left.source_params, *right.source_params],
            where=[*left.where, *right.where],
            where_params=[*left.where_params, *right.where_params],
            tables=left.tables + right.tables,
        )

    def _aggregate(self, node: Aggregate) -> Select:
        select = self.build(node.child)
        if not select.is_flat or select.has_expressions:  # aggregates name the group's columns
            select = self.wrap(select)
        current = dict(select.fields)
        fields = [self._field(f, current) for f in node.fields]
        group_by = [select.expression_of(name, self.dialect) for name in node.group_by]
        having = "count(*) > 0" if node.per_row and not group_by else None
        return replace(
            select, heading=node.heading, fields=fields, group_by=group_by, having=having
        )

    def _distinct(self, node: Distinct) -> Select:
        select = self.build(node.child)
        if select.top is not None or select.group_by is not None:
            select = self.wrap(select)
        return replace(select, heading=node.heading, distinct=True)

    def _union(self, node: Union) -> Select:
        left = self.wrap(self.build(node.left))
        right = self.wrap(self.build(node.right))
        q = self.dialect.quote
        key = node.heading.primary_key
        keys = ",".join(q(k) for k in key) or "1"
        if not node.heading.secondary_attributes:
            sql = f"SELECT {keys} FROM {left.source} UNION SELECT {keys} FROM {right.source}"
            params = [*left.source_params, *right.source_params]
        else:
            sql, params = self._outer_union(node, left, right)
        return subquery(node.heading, sql, params, self.dialect)

    def _outer_union(self, node: Union, left: Select, right: Select) -> tuple[str, list[Bound]]:
        """Rows of the left (with the right's values where keys match), then the right's rest.

        Each side's subquery appears twice; its values are bound twice, at the same positions.
        """
        q = self.dialect.quote
        key = [q(k) for k in node.heading.primary_key]
        keys = ",".join(key)
        left_only = [q(n) for n in node.left.heading.secondary_attributes]
        right_only = [q(n) for n in node.right.heading.secondary_attributes]
        first = ",".join([*key, *left_only, *right_only])
        second = ",".join([*key, *(f"NULL as {n}" for n in left_only), *right_only])
        if key:
            match = f"USING ({keys})"
            rest = f"({keys}) NOT IN (SELECT {keys} FROM {left.source})"
        else:  # no key: each side holds at most one row, and rows always match
            match = "ON 1=1"
            rest = f"NOT EXISTS (SELECT 1 FROM {left.source})"
        sql = (
            f"SELECT {first} FROM {left.source} LEFT JOIN {right.source} {match} "
            f"UNION SELECT {second} FROM {right.source} WHERE {rest}"
        )
        return sql, [
            *left.source_params,
            *right.source_params,
            *right.source_params,
            *left.source_params,
        ]

    _BUILDERS: dict[type, Callable[[Any, Any], Select]] = {}


def _order_names(top: Top) -> set[str]:
    """Attribute names an ORDER BY refers to (an alias of the same name would shadow them)."""
    return {item.split()[0] for item in top.order or () if item.split()}


def _needs_wrap(select: Select, using: set[str]) -> bool:
    """A join operand that cannot be joined flat: grouped, ordered, distinct, or its join
    attributes are renamed or computed in it."""
    if not select.is_flat:
        return True
    expressions = dict(select.fields)
    return any(expressions.get(name) is not None for name in using)


def _chained_limit(inner: int | None, outer: int | None, outer_offset: int) -> int | None:
    """Rows left when ``outer`` (after skipping ``outer_offset``) reads ``inner``'s rows."""
    remaining = None if inner is None else max(inner - outer_offset, 0)
    values = [v for v in (remaining, outer) if v is not None]
    return min(values) if values else None


Compiler._BUILDERS.update(
    {
        Restrict: Compiler._restrict,
        Project: Compiler._project,
        Limit: Compiler._limit,
        Join: Compiler._join,
        Aggregate: Compiler._aggregate,
        Distinct: Compiler._distinct,
        Union: Compiler._union,
    }
)

"""Condition trees -> WHERE text; values become bound parameters (``Bound``)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
from .select import Bound, Select, render

if TYPE_CHECKING:
    from ..query.nodes import Node
    from .dialects import Dialect


class ConditionCompiler:
    """Renders conditions; the compiler supplies building, wrapping, encoding and binding."""

    if TYPE_CHECKING:
        dialect: Dialect

        def build(self, node: Node) -> Select: ...
        def wrap(self, select: Select) -> Select: ...
        def encode(self, attribute: Any, value: Any) -> Any: ...
        def bind(self, value: Any) -> Bound: ...

    def condition(self, condition: Condition, heading: Heading) -> tuple[str, list[Bound]]:
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

    def _compare(self, c: Compare, heading: Heading) -> tuple[str, list[Bound]]:
        if c.path is not None:
            column = self.dialect.json_path(c.attribute, c.path, c.cast)
            value = json.dumps(c.value) if isinstance(c.value, dict | list) else c.value
        else:
            column = self.dialect.quote(c.attribute)
            value = c.value if c.value is None else self.encode(heading[c.attribute], c.value)
        # IS NULL only for an explicit None (the query shape records exactly that), so a value
        # that encodes to NULL (NaN) compares as "= NULL" and matches nothing.
        if c.value is None:
            if c.operator not in ("=", "!="):
                raise DataJointError(f"Cannot compare `{c.attribute}` with NULL using {c.operator}")
            return f"{column} IS {'NOT ' if c.operator == '!=' else ''}NULL", []
        operator = f" {c.operator.upper()} " if "like" in c.operator else c.operator
        return f"{column}{operator}{self.dialect.placeholder}", [self.bind(value)]

    def _in_values(self, c: InValues, heading: Heading) -> tuple[str, list[Bound]]:
        if not c.values:
            return "1=0", []
        attribute = heading[c.attribute]
        params = [self.bind(self.encode(attribute, v)) for v in c.values]
        marks = ",".join([self.dialect.placeholder] * len(params))
        return f"{self.dialect.quote(c.attribute)} IN ({marks})", params

    def _in_query(self, c: InQuery) -> tuple[str, list[Bound]]:
        inner = self.build(c.query)
        if not c.attributes:
            sql, params = render(inner, self.dialect)
            return f"EXISTS ({sql})", params
        if not inner.is_flat or inner.has_expressions:
            inner = self.wrap(inner)
        fields = [
            (outer, self.dialect.quote(name) if name != outer else None)
            for outer, name in zip(c.attributes, c.inner_names, strict=True)
        ]
        sql, params = render(replace(inner, fields=fields, top=None), self.dialect)
        columns = ",".join(self.dialect.quote(a) for a in c.attributes)
        return f"({columns}) IN ({sql})", params

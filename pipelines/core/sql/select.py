"""One SELECT statement in parts, and how it renders. Parameters carry their position in the
query's value order (``Bound``), so compiled text can be reused with new values."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from ..query.heading import Heading
from ..query.top import Top
from .dialects import Dialect

#: (position in the query's value order, value)
Bound = tuple[int, Any]

_alias_counter = itertools.count()
_BARE_ORDER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\s+(ASC|DESC))?$", re.I)


def next_alias() -> str:
    return f"${next(_alias_counter):x}"


@dataclass
class Select:
    heading: Heading
    fields: list[tuple[str, str | None]]  # (name, SQL expression or None for a plain column)
    source: str
    source_columns: frozenset[str]  # every column name visible in FROM (for join conflicts)
    source_params: list[Bound] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    where_params: list[Bound] = field(default_factory=list)
    group_by: list[str] | None = None
    top: Top | None = None
    distinct: bool = False
    having: str | None = None
    tables: int = 1  # FROM items joined flat in this select

    @property
    def has_expressions(self) -> bool:
        return any(expression is not None for _, expression in self.fields)

    @property
    def params(self) -> list[Bound]:
        return self.source_params + self.where_params

    @property
    def is_flat(self) -> bool:
        """No grouping, ordering or distinct: restrictions and joins can extend it in place."""
        return self.top is None and not self.distinct and self.group_by is None

    def expression_of(self, name: str, dialect: Dialect) -> str:
        expression = dict(self.fields).get(name)
        return expression if expression is not None else dialect.quote(name)


def where_clause(select: Select) -> str:
    return " WHERE " + "AND".join(f"({w})" for w in select.where) if select.where else ""


def render(select: Select, dialect: Dialect) -> tuple[str, list[Bound]]:
    q = dialect.quote
    fields = ",".join(
        q(name) if expression is None else f"{expression} as {q(name)}"
        for name, expression in select.fields
    )
    distinct = "DISTINCT " if select.distinct else ""
    sql = f"SELECT {distinct}{fields or '1'} FROM {select.source}{where_clause(select)}"
    if select.group_by is not None and select.group_by:
        sql += " GROUP BY " + ", ".join(select.group_by)
    if select.having is not None:
        sql += f" HAVING {select.having}"
    if select.top is not None:
        sql += order_clause(select.top, select.heading, dialect)
    return sql, select.params


def order_clause(top: Top, heading: Heading, dialect: Dialect) -> str:
    items = []
    for item in top.expand(heading.primary_key):
        match = _BARE_ORDER.match(item.strip())
        if match:
            direction = f" {match.group(3).upper()}" if match.group(3) else ""
            items.append(f"{dialect.quote(match.group(1))}{direction}")
        else:
            items.append(item)
    order = f" ORDER BY {', '.join(items)}" if items else ""
    return order + dialect.limit_clause(top.limit, top.offset)


def wrap(select: Select, dialect: Dialect) -> Select:
    """``select`` as a subquery in FROM, its outputs plain columns of the new select."""
    sql, params = render(select, dialect)
    return subquery(select.heading, sql, params, dialect)


def subquery(heading: Heading, sql: str, params: list[Bound], dialect: Dialect) -> Select:
    """A SELECT over ``(sql) as $n`` whose outputs are ``heading``'s attributes, plain columns."""
    names = heading.names
    return Select(
        heading=heading,
        fields=[(name, None) for name in names],
        source=f"({sql}) as {dialect.quote(next_alias())}",
        source_columns=frozenset(names),
        source_params=params,
    )

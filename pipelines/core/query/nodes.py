"""Query nodes: an immutable tree describing a SELECT. Compiling it is the sql layer's job."""

from __future__ import annotations

from dataclasses import dataclass

from .conditions import Condition
from .heading import Heading
from .top import Top


class Node:
    """Base of query nodes; every node knows the heading of its result."""

    heading: Heading


@dataclass(frozen=True, eq=False)
class TableRef(Node):
    database: str
    table_name: str
    heading: Heading


@dataclass(frozen=True, eq=False)
class Restrict(Node):
    child: Node
    condition: Condition
    heading: Heading


@dataclass(frozen=True)
class Field:
    """One output attribute of a projection: a kept/renamed source attribute or an SQL expression."""

    name: str
    source: str | None = None  # the child attribute it comes from (renames keep lineage)
    expression: str | None = None  # a computed attribute's SQL


@dataclass(frozen=True, eq=False)
class Project(Node):
    child: Node
    fields: tuple[Field, ...]
    heading: Heading


@dataclass(frozen=True, eq=False)
class Limit(Node):
    child: Node
    top: Top
    heading: Heading

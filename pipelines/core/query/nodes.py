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


@dataclass(frozen=True, eq=False)
class Join(Node):
    """``left * right`` on the namesake attributes ``using`` (empty: a cross join)."""

    left: Node
    right: Node
    using: tuple[str, ...]
    left_join: bool
    heading: Heading


@dataclass(frozen=True, eq=False)
class Aggregate(Node):
    """Rows of ``child`` grouped by ``group_by``; ``fields`` are the kept and computed outputs."""

    child: Node
    group_by: tuple[str, ...]
    fields: tuple[Field, ...]
    heading: Heading
    #: One row per row of the grouping operand (``A.aggr``), even when its key is empty;
    #: False for ``dj.U().aggr``, which always gives one row.
    per_row: bool = False


@dataclass(frozen=True, eq=False)
class Union(Node):
    """Set union of two queries with the same primary key and disjoint secondary attributes."""

    left: Node
    right: Node
    heading: Heading


@dataclass(frozen=True, eq=False)
class Distinct(Node):
    """Distinct rows of ``child`` (whose heading already holds only the chosen attributes)."""

    child: Node
    heading: Heading

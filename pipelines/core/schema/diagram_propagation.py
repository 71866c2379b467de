"""Propagate a restriction along foreign keys (spec/engine.md §3.4, §6.3).

A seed table's restriction travels down to its descendants (``restrict``, cascading deletes) or up
to its ancestors (``trace``). Every table reached keeps a list of conditions on its own columns,
combined with AND (a row must satisfy every restricted parent: exports) or OR (a row is affected
through any of its foreign keys: deletes, traces). Edge rules, downward, for a parent restricted
by conditions that name the attribute set S:

* the foreign key renames nothing, S is not empty, S ⊆ the foreign-key columns ⊆ the child's
  primary key: the child gets the same conditions (they name columns the child shares);
* otherwise the child is restricted to the rows whose foreign-key columns match a restricted
  parent row (a semijoin through the column map, so renamed keys match by their parent column).

A parent restricted to all its rows passes on no semijoin: every child row whose foreign-key
columns are all set references one of them (the constraint guarantees it), so the child keeps the
rows whose secondary foreign-key columns are not NULL, and all its rows when the key is primary.

Upward, the mirror: the child's conditions are copied when the key renames nothing and they name
only primary-key attributes of the parent; otherwise the parent is restricted to the rows that
restricted child rows reference. ``lift`` carries a part's restriction up to its master this way
(never copying), for cascades that delete a master with its parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from ..db.connection import Connection
from ..errors import DataJointError
from ..query.coerce import coerce, string_identifiers
from ..query.conditions import (
    TRUE,
    And,
    Compare,
    Condition,
    InQuery,
    Negate,
    Or,
    RawSQL,
    TrueCondition,
    attributes_of,
    conjunction,
    disjunction,
)
from ..query.nodes import Limit, Restrict, TableRef
from .graph import DependencyGraph, Edge, split_full_name
from .table import FreeTable, Table

#: Combination of the conditions a table receives: AND for ``restrict``, OR for cascades/traces.
AND = "and"
OR = "or"
#: Directions of propagation: to descendants or to ancestors.
DOWN = "down"
UP = "up"


@dataclass
class TableRestriction:
    """The conditions one table received, and the attribute names they mention."""

    conditions: list[Condition] = field(default_factory=list)
    attributes: set[str] = field(default_factory=set)


class Restrictions:
    """Per-table restrictions of one propagation (full table name -> conditions)."""

    def __init__(self, connection: Connection, mode: str = OR) -> None:
        if mode not in (AND, OR):
            raise DataJointError(f"Restriction mode must be {AND!r} or {OR!r}, not {mode!r}.")
        self.connection = connection
        self.mode = mode
        self.tables: dict[str, TableRestriction] = {}

    def copy(self) -> Restrictions:
        result = Restrictions(self.connection, self.mode)
        result.tables = {
            name: TableRestriction(list(r.conditions), set(r.attributes))
            for name, r in self.tables.items()
        }
        return result

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def add(self, name: str, conditions: Iterable[Condition], attributes: Iterable[str]) -> None:
        """Record conditions for ``name`` (a table with no conditions yet is unrestricted)."""
        entry = self.tables.setdefault(name, TableRestriction())
        entry.conditions.extend(conditions)
        entry.attributes.update(attributes)

    def seed(self, table: Any) -> str:
        """Start from a table (class or instance, possibly restricted); returns its full name."""
        expr = as_table(table)
        condition, attributes = seed_condition(expr)
        conditions = [] if isinstance(condition, TrueCondition) else [condition]
        self.add(expr.full_table_name, conditions, attributes)
        return expr.full_table_name

    def restricted(self, name: str) -> FreeTable:
        """``name`` as a ``FreeTable`` restricted by its conditions (unrestricted if none)."""
        table = FreeTable(self.connection, name)
        entry = self.tables.get(name)
        if entry is None or not entry.conditions:
            return table
        combine = conjunction if self.mode == AND else disjunction
        condition = combine(entry.conditions)
        if isinstance(condition, TrueCondition):
            return table
        return cast(FreeTable, table._derive(Restrict(table.node, condition, table.heading)))

    def expressions(self) -> dict[str, FreeTable]:
        return {name: self.restricted(name) for name in self.tables}

    # --- propagation ---------------------------------------------------------------------------
    def propagate(
        self, graph: DependencyGraph, start: str | Iterable[str], direction: str = DOWN
    ) -> None:
        """Carry the restriction of ``start`` (one table or several) to its descendants
        (``DOWN``) or ancestors (``UP``).

        Tables are visited so that every table is complete before it passes its restriction
        on: parents before children going down, children before parents going up.
        """
        starts = [start] if isinstance(start, str) else list(start)
        for name in starts:
            if name not in graph:
                raise DataJointError(f"Table {name} is not in the dependency graph.")
        if direction not in (DOWN, UP):
            raise DataJointError(f"Direction must be {DOWN!r} or {UP!r}, not {direction!r}.")
        reach = graph.descendants if direction == DOWN else graph.ancestors
        reached = {name for s in starts for name in reach(s)}
        order = graph.topological_order(reached)
        if direction == UP:
            order.reverse()
        for name in order:
            if name not in self.tables:
                continue
            source = self.restricted(name)
            edges = graph.out_edges(name) if direction == DOWN else graph.in_edges(name)
            for edge in edges:
                if (edge.child if direction == DOWN else edge.parent) in reached:
                    self.apply_edge(graph, edge, direction, source)

    def apply_edge(
        self,
        graph: DependencyGraph,
        edge: Edge,
        direction: str,
        source: FreeTable | None = None,
        *,
        copy: bool = True,
    ) -> None:
        """Pass the restriction of one end of ``edge`` to the other end (parent to child when
        ``DOWN``); ``source`` is the restricted end when the caller already built it.
        ``copy=False`` never copies conditions: the target gets exactly the rows the
        restricted end's rows reference (or are referenced by)."""
        down = direction == DOWN
        start, target = (edge.parent, edge.child) if down else (edge.child, edge.parent)
        entry = self.tables.get(start, TableRestriction())
        target_key = set(graph.nodes[target].primary_key)
        if down and self._selects_all(entry):
            nullable = [c for c in edge.attr_map if c not in target_key]
            self.add(target, [Compare(c, "!=", None) for c in nullable] or [TRUE], nullable)
            return
        if down:
            copy = copy and bool(entry.attributes) and entry.attributes <= set(edge.attr_map)
            copy = copy and set(edge.attr_map) <= target_key
        else:
            copy = copy and bool(entry.attributes) and entry.attributes <= target_key
        if copy and not edge.aliased:
            self.add(target, entry.conditions, entry.attributes)
            return
        if source is None:
            source = self.restricted(start)
        here, there = list(edge.attr_map), list(edge.attr_map.values())  # child, parent columns
        outer, inner = (here, there) if down else (there, here)
        self.add(target, [InQuery(tuple(outer), source.node, tuple(inner))], outer)

    def selects_all(self, name: str) -> bool:
        """True when ``name`` is restricted by nothing that removes a row."""
        return name in self.tables and self._selects_all(self.tables[name])

    def _selects_all(self, entry: TableRestriction) -> bool:
        """True when ``entry``'s conditions keep every row of its table."""
        if not entry.conditions:
            return True
        combine = conjunction if self.mode == AND else disjunction
        return isinstance(combine(entry.conditions), TrueCondition)

    def lift(self, graph: DependencyGraph, part: str, master: str) -> Condition | None:
        """A condition on ``master`` selecting the rows that the restricted rows of ``part``
        belong to, followed up one shortest foreign-key path (through intermediate parts);
        None when ``part`` does not depend on ``master``. Leaves this propagation unchanged."""
        path = graph.path(master, part)
        if path is None:
            return None
        scratch = Restrictions(self.connection, OR)
        entry = self.tables.get(part, TableRestriction())
        scratch.add(part, entry.conditions, entry.attributes)
        for edge in reversed(path):
            # A master joins only through part rows that reference it: never copy conditions.
            scratch.apply_edge(graph, edge, UP, copy=False)
        return disjunction(scratch.tables[master].conditions)


def as_table(value: Any) -> Table:
    """A table a propagation can start from: a table class or a (restricted) table."""
    if isinstance(value, type) and issubclass(value, Table):
        value = value()
    if not isinstance(value, Table):
        raise DataJointError(f"Expected a table or a restricted table, got {type(value).__name__}.")
    return value


def propagate(
    graph: DependencyGraph, seed: Any, direction: str = DOWN, mode: str = OR
) -> dict[str, FreeTable]:
    """``{full_table_name: restricted table}`` for the seed and every table its restriction
    reaches going ``direction`` (``DOWN``/``UP``), combining conditions with ``mode``
    (``AND``/``OR``)."""
    table = as_table(seed)
    restrictions = Restrictions(table.connection, mode)
    start = restrictions.seed(table)
    restrictions.propagate(graph, start, direction)
    return restrictions.expressions()


def seed_condition(expr: Table) -> tuple[Condition, set[str]]:
    """The seed's restriction as one condition over its own columns, and the names it mentions.

    A plain restriction keeps its conditions; one with a ``dj.Top`` becomes the primary-key
    values the Top selects (a Top orders and limits, it does not filter by column values);
    anything else (a projection, say) becomes a semijoin on the primary key.
    """
    node = expr.node
    conditions: list[Condition] = []
    limited = False
    while isinstance(node, Restrict | Limit):
        if isinstance(node, Restrict):
            conditions.append(node.condition)
        else:
            limited = True
        node = node.child
    database, table = split_full_name(expr.full_table_name)
    own_table = (
        isinstance(node, TableRef) and node.database == database and node.table_name == table
    )
    key = expr._ref().heading.primary_key  # the table's own key, whatever the query's is
    if own_table and not limited:
        condition = conjunction(conditions[::-1])
        return condition, condition_attributes(condition)
    if own_table:
        return coerce(expr.keys(), expr.heading), set(key)
    if not set(key) <= set(expr.heading.names):
        raise DataJointError(
            f"Cannot propagate a restriction of {expr.full_table_name}: its primary key is "
            "not in the query."
        )
    return InQuery(tuple(key), expr.node, tuple(key)), set(key)


def condition_attributes(condition: Condition) -> set[str]:
    """The attribute names a condition mentions, including those inside SQL strings."""
    if isinstance(condition, RawSQL):
        return string_identifiers(condition.text)
    if isinstance(condition, And | Or):
        return set().union(*(condition_attributes(item) for item in condition.items))
    if isinstance(condition, Negate):
        return condition_attributes(condition.item)
    return attributes_of(condition)

"""What a diagram draws once collapsed tables are folded into one box per schema (§6.3).

``Diagram.collapse()`` marks tables as collapsed; drawing then shows each schema's collapsed
tables as a single node labelled "(N tables)". Foreign keys inside a collapsed schema vanish, and
the foreign keys between a collapsed schema and any other node become one *bundle* edge per pair
of nodes: it stands for several keys, so it claims none of their individual properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .graph import DependencyGraph, Edge


@dataclass(frozen=True)
class CollapsedSchema:
    """The collapsed tables of one schema, drawn as one node."""

    database: str
    tables: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"`{self.database}`"

    @property
    def label(self) -> str:
        count = len(self.tables)
        return "(1 table)" if count == 1 else f"({count} tables)"


@dataclass(frozen=True)
class Bundle:
    """The ``foreign_keys`` foreign keys drawn as one edge between two nodes."""

    parent: str
    child: str
    foreign_keys: int


@dataclass(frozen=True)
class View:
    """Nodes (table names and collapsed schemas) in drawing order, and the edges between them."""

    items: list[str | CollapsedSchema]
    edges: list[Edge | Bundle]

    @property
    def tables(self) -> set[str]:
        """The tables drawn as themselves."""
        return {item for item in self.items if isinstance(item, str)}


def collapsed_view(graph: DependencyGraph, order: list[str], collapsed: Iterable[str]) -> View:
    """The view of the tables ``order`` (topologically sorted) with ``collapsed`` folded.

    A collapsed schema takes the place of its first table in ``order``.
    """
    folded = set(collapsed)
    members: dict[str, list[str]] = {}
    for name in order:
        if name in folded:
            members.setdefault(graph.nodes[name].database, []).append(name)
    groups = {db: CollapsedSchema(db, tuple(names)) for db, names in members.items()}
    owner = {name: groups[db].id for db, names in members.items() for name in names}
    items: list[str | CollapsedSchema] = []
    for name in order:
        if name not in owner:
            items.append(name)
        elif owner[name] not in {i.id for i in items if isinstance(i, CollapsedSchema)}:
            items.append(groups[graph.nodes[name].database])
    return View(items, _edges(graph, order, owner))


def _edges(graph: DependencyGraph, order: list[str], owner: dict[str, str]) -> list[Edge | Bundle]:
    shown = set(order)
    edges: list[Edge | Bundle] = []
    bundles: dict[tuple[str, str], int] = {}
    for name in order:
        for edge in graph.in_edges(name):
            if edge.parent not in shown:
                continue
            parent, child = owner.get(edge.parent, edge.parent), owner.get(name, name)
            if parent == child:
                continue  # inside one collapsed schema
            if parent == edge.parent and child == name:
                edges.append(edge)
            else:
                bundles[(parent, child)] = bundles.get((parent, child), 0) + 1
    edges.extend(Bundle(parent, child, count) for (parent, child), count in bundles.items())
    return edges

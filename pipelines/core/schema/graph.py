"""The foreign-key dependency graph of the loaded schemas (spec/engine.md §6.1–6.2).

Nodes are full table names (`` `db`.`table` ``); there is one edge per foreign key, from parent
to child, so two foreign keys to the same parent are parallel edges. Hidden tables (``~…``) are
never nodes, and only edges whose two ends are loaded are kept: a schema that is not loaded does
not appear at all (``load_downstream``/``load_upstream`` bring in neighbouring schemas).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..db.catalog import ForeignKeyInfo
from ..db.connection import Connection
from ..definition.naming import master_of, tier_of_table_name
from ..errors import DataJointError

CYCLE_MESSAGE = "DataJoint can only work with acyclic dependencies"


def full_name(database: str, table: str) -> str:
    return f"`{database}`.`{table}`"


def split_full_name(name: str) -> tuple[str, str]:
    """`` `db`.`table` `` -> ``("db", "table")``."""
    database, _, table = name.partition("`.`")
    return database.strip("`"), table.strip("`")


@dataclass(frozen=True)
class TableNode:
    """One table: its primary key (in column order), tier and, for a part, its master."""

    name: str
    database: str
    table_name: str
    primary_key: tuple[str, ...]
    tier: str | None
    master: str | None

    @property
    def is_part(self) -> bool:
        return self.master is not None


@dataclass(frozen=True)
class Edge:
    """One foreign key, parent -> child; ``key`` (the child's FK columns) tells parallel edges apart."""

    parent: str
    child: str
    attr_map: dict[str, str] = field(hash=False)
    primary: bool
    aliased: bool
    multi: bool

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(self.attr_map)

    def props(self) -> dict[str, Any]:
        return {
            "attr_map": dict(self.attr_map),
            "aliased": self.aliased,
            "primary": self.primary,
            "multi": self.multi,
        }


class DependencyGraph:
    """Tables and foreign keys of a set of schemas, with topological orders that keep parts by
    their masters."""

    def __init__(self, connection: Connection | None = None) -> None:
        self.connection = connection
        self.databases: frozenset[str] = frozenset()
        self.nodes: dict[str, TableNode] = {}
        self._in: dict[str, list[Edge]] = {}
        self._out: dict[str, list[Edge]] = {}

    # --- building --------------------------------------------------------------------------------
    def add_table(self, database: str, table: str, primary_key: Iterable[str]) -> TableNode:
        name = full_name(database, table)
        master = master_of(table)
        node = TableNode(
            name=name,
            database=database,
            table_name=table,
            primary_key=tuple(primary_key),
            tier=tier_of_table_name(table),
            master=full_name(database, master) if master is not None else None,
        )
        self.nodes[name] = node
        self._in.setdefault(name, [])
        self._out.setdefault(name, [])
        return node

    def add_foreign_key(self, parent: str, child: str, attr_map: dict[str, str]) -> Edge:
        """Add the edge of one foreign key (child column -> parent column); replaces an equal key."""
        if parent not in self.nodes or child not in self.nodes:
            raise DataJointError(f"Foreign key {child} -> {parent} joins a table not in the graph")
        child_key = set(self.nodes[child].primary_key)
        edge = Edge(
            parent=parent,
            child=child,
            attr_map=dict(attr_map),
            primary=set(attr_map) <= child_key,
            aliased=any(k != v for k, v in attr_map.items()),
            multi=set(attr_map) != child_key,
        )
        self._in[child] = [e for e in self._in[child] if (e.parent, e.key) != (parent, edge.key)]
        self._out[parent] = [e for e in self._out[parent] if (e.child, e.key) != (child, edge.key)]
        self._in[child].append(edge)
        self._out[parent].append(edge)
        return edge

    def merge(self, other: DependencyGraph) -> DependencyGraph:
        """A new graph holding the tables and foreign keys of both."""
        result = DependencyGraph(self.connection or other.connection)
        result.databases = self.databases | other.databases
        for graph in (self, other):
            result.nodes.update(graph.nodes)
            for name in graph.nodes:
                result._in.setdefault(name, [])
                result._out.setdefault(name, [])
        for graph in (self, other):
            for edge in graph.edges():
                result.add_foreign_key(edge.parent, edge.child, edge.attr_map)
        return result

    # --- loading from the catalog ----------------------------------------------------------------
    @classmethod
    def load(cls, conn: Connection, databases: Iterable[str]) -> DependencyGraph:
        """The graph of ``databases`` read from the catalog (a few queries per schema)."""
        graph = cls(conn)
        graph._load(conn, frozenset(databases))
        return graph

    @classmethod
    def cached(
        cls,
        conn: Connection,
        databases: Iterable[str],
        expand: str | None = None,
        *,
        refresh: bool = False,
    ) -> DependencyGraph:
        """A shared graph of ``databases`` (plus, with ``expand`` = ``"downstream"`` or
        ``"upstream"``, their neighbouring schemas), reused until the next DDL statement clears
        the connection's metadata cache. Callers must not modify it.

        ``refresh=True`` reloads it first: another process may have declared or dropped tables
        since (its DDL does not clear this connection's cache)."""
        key = ("dependency-graph", frozenset(databases), expand)
        graph = None if refresh else conn.metadata_cache.get(key)
        if not isinstance(graph, DependencyGraph):
            graph = cls.load(conn, key[1])
            if expand == "downstream":
                graph.load_downstream()
            elif expand == "upstream":
                graph.load_upstream()
            elif expand is not None:
                raise DataJointError(f"expand must be 'downstream' or 'upstream', not {expand!r}")
            conn.metadata_cache[key] = graph
        return graph

    def _load(self, conn: Connection, databases: frozenset[str]) -> None:
        self.connection = conn
        self.databases = databases
        self.nodes, self._in, self._out = {}, {}, {}
        foreign_keys: list[ForeignKeyInfo] = []
        for database in sorted(databases):
            for table, key in schema_primary_keys(conn, database).items():
                self.add_table(database, table, key)
            foreign_keys.extend(conn.catalog.schema_foreign_keys(database))
        for fk in foreign_keys:
            parent = full_name(fk.parent_database, fk.parent_table)
            child = full_name(fk.child_database, fk.child_table)
            if parent in self.nodes and child in self.nodes:
                self.add_foreign_key(parent, child, fk.attr_map)
        self._check_acyclic()

    def _connection(self, conn: Connection | None) -> Connection:
        conn = conn or self.connection
        if conn is None:
            raise DataJointError("The dependency graph is not bound to a connection.")
        return conn

    def load_downstream(self, conn: Connection | None = None) -> DependencyGraph:
        """Add every schema that references the loaded ones, transitively."""
        conn = self._connection(conn)
        return self._expand(
            conn,
            lambda db: [fk.child_database for fk in conn.catalog.referencing_foreign_keys(db)],
        )

    def load_upstream(self, conn: Connection | None = None) -> DependencyGraph:
        """Add every schema the loaded ones reference, transitively."""
        conn = self._connection(conn)
        return self._expand(
            conn,
            lambda db: [fk.parent_database for fk in conn.catalog.schema_foreign_keys(db)],
        )

    def _expand(self, conn: Connection, neighbours: Any) -> DependencyGraph:
        known = set(self.databases)
        frontier = set(known)
        while frontier:
            found = {db for database in sorted(frontier) for db in neighbours(database)}
            frontier = found - known
            known |= frontier
        if known != self.databases:  # reload only when a schema was added
            self._load(conn, frozenset(known))
        return self

    # --- queries ---------------------------------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return name in self.nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def edges(self) -> list[Edge]:
        return [edge for name in self.nodes for edge in self._in[name]]

    def in_edges(self, node: str) -> list[Edge]:
        return list(self._in[self._known(node)])

    def out_edges(self, node: str) -> list[Edge]:
        return list(self._out[self._known(node)])

    def _known(self, node: str) -> str:
        if node not in self.nodes:
            raise DataJointError(f"Table {node} is not in the dependency graph.")
        return node

    def parents(self, node: str, primary: bool | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(parent, props)`` per foreign key of ``node`` (a parent appears once per key)."""
        return [
            (e.parent, e.props())
            for e in self.in_edges(node)
            if primary is None or e.primary == primary
        ]

    def children(self, node: str, primary: bool | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(child, props)`` per foreign key referencing ``node``."""
        return [
            (e.child, e.props())
            for e in self.out_edges(node)
            if primary is None or e.primary == primary
        ]

    def _reach(self, node: str, step: dict[str, list[Edge]], upward: bool) -> set[str]:
        seen: set[str] = set()
        stack = [self._known(node)]
        while stack:
            for edge in step[stack.pop()]:
                nxt = edge.parent if upward else edge.child
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        seen.discard(node)
        return seen

    def path(self, start: str, end: str) -> list[Edge] | None:
        """The foreign keys of a shortest downward path from ``start`` to ``end`` (parent to
        child, in order), or None when ``end`` does not depend on ``start``. Of parallel keys,
        the first declared is taken."""
        via: dict[str, Edge | None] = {self._known(start): None}
        frontier = [start]
        while frontier and end not in via:
            following = []
            for node in frontier:
                for edge in self._out[node]:
                    if edge.child not in via:
                        via[edge.child] = edge
                        following.append(edge.child)
            frontier = following
        if end not in via or end == start:
            return None
        edges: list[Edge] = []
        step = via[end]
        while step is not None:
            edges.append(step)
            step = via[step.parent]
        return edges[::-1]

    def descendants(self, node: str) -> list[str]:
        """``node`` followed by everything that depends on it, in topological order."""
        return [node, *self.topological_order(self._reach(node, self._out, upward=False))]

    def ancestors(self, node: str) -> list[str]:
        """``node`` followed by everything it depends on, children before parents."""
        order = self.topological_order(self._reach(node, self._in, upward=True))
        return [node, *reversed(order)]

    # --- ordering --------------------------------------------------------------------------------
    def topological_order(self, nodes: Iterable[str] | None = None) -> list[str]:
        """Parents before children, every part right after its master (§6.2); ties by name."""
        chosen = set(self.nodes) if nodes is None else {self._known(n) for n in nodes}
        parents: dict[str, set[str]] = {
            n: {e.parent for e in self._in[n] if e.parent in chosen} for n in chosen
        }
        grouped: dict[str, str] = {}  # part -> master, for parts that can follow their master
        for name in sorted(chosen):
            master = self.nodes[name].master
            if master in chosen and master is not None and self._lift_part(name, master, parents):
                grouped[name] = master
        order = _kahn(parents)
        with_parts = _with_parts_after_masters(order, grouped)
        return with_parts if _respects(with_parts, parents) else order

    def _lift_part(self, part: str, master: str, parents: dict[str, set[str]]) -> bool:
        """Make the master wait for the part's other parents, so the part can follow it.

        False when a parent itself depends on the master: the part then keeps its own place.
        """
        external = [
            p for p in sorted(parents[part]) if p != master and self.nodes[p].master != master
        ]
        if any(_reaches(parents, start=p, target=master) for p in external):
            return False
        parents[master].update(external)
        return True

    def _check_acyclic(self) -> None:
        _kahn({n: {e.parent for e in self._in[n]} for n in self.nodes})


def _reaches(parents: dict[str, set[str]], start: str, target: str) -> bool:
    """True when ``start`` depends (transitively) on ``target``."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(parents.get(node, ()))
    return False


def _respects(order: list[str], parents: dict[str, set[str]]) -> bool:
    position = {name: i for i, name in enumerate(order)}
    return all(position[p] < position[n] for n, ps in parents.items() for p in ps)


def _kahn(parents: dict[str, set[str]]) -> list[str]:
    """Topological sort, always taking the smallest ready name; a cycle raises."""
    waiting = {n: len(p) for n, p in parents.items()}
    children: dict[str, list[str]] = {n: [] for n in parents}
    for node, node_parents in parents.items():
        for parent in node_parents:
            children[parent].append(node)
    ready = [n for n, count in waiting.items() if not count]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in children[node]:
            waiting[child] -= 1
            if not waiting[child]:
                heapq.heappush(ready, child)
    if len(order) != len(parents):
        raise DataJointError(CYCLE_MESSAGE)
    return order


def _with_parts_after_masters(order: list[str], grouped: dict[str, str]) -> list[str]:
    """Move each grouped part right after its master, parts keeping their relative order."""
    parts: dict[str, list[str]] = {}
    for name in order:
        if name in grouped:
            parts.setdefault(grouped[name], []).append(name)
    result: list[str] = []
    for name in order:
        if name not in grouped:
            result.append(name)
            result.extend(parts.get(name, ()))
    return result


def schema_primary_keys(conn: Connection, database: str) -> dict[str, list[str]]:
    """Primary-key columns of every visible table of ``database``, in column order."""
    return conn.catalog.schema_primary_keys(database)

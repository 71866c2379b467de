"""``Diagram``: a set of tables shown from the dependency graph, with set algebra (§6.3).

``Diagram(Table)`` shows one table, ``Diagram(schema)`` (or a module with a ``schema``) all of a
schema's tables. ``+``/``-``/``*`` combine diagrams, ``d + n``/``d - n`` add ``n`` generations
of children/parents, ``d + Table``/``d - Table`` add/remove one table. A diagram iterates over
its tables in topological order and draws itself as SVG (no Graphviz) or JSON for the portal.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..db.connection import Connection
from ..db.default import config as default_config
from ..definition.naming import snake_to_class_name
from ..errors import DataJointError
from .diagram_style import tier_legend
from .graph import DependencyGraph, TableNode
from .schema import Schema
from .svg import SvgEdge, SvgNode, render_svg
from .table import FreeTable, Table


class Diagram:
    """The tables ``nodes_to_show`` of a dependency graph."""

    graph: DependencyGraph
    nodes_to_show: set[str]
    context: dict[str, Any]

    def __init__(self, source: Any, context: dict[str, Any] | None = None) -> None:
        if isinstance(source, Diagram):
            self._copy_from(source)
            return
        self.context = context if context is not None else _caller_context()
        connection, database, table = _locate(source)
        self.graph = DependencyGraph.load(connection, {*connection.schemas, database})
        if table is not None:
            self.nodes_to_show = {table}
        else:
            self.nodes_to_show = {
                n for n, node in self.graph.nodes.items() if node.database == database
            }

    def _copy_from(self, other: Diagram) -> None:
        self.graph = other.graph
        self.nodes_to_show = set(other.nodes_to_show)
        self.context = other.context

    @classmethod
    def from_graph(cls, graph: DependencyGraph, nodes: Iterable[str] | None = None) -> Diagram:
        """A diagram of an already loaded graph (all its tables unless ``nodes`` is given)."""
        result = object.__new__(cls)
        result.graph = graph
        result.nodes_to_show = set(graph.nodes if nodes is None else nodes)
        result.context = {}
        return result

    @classmethod
    def from_sequence(cls, sequence: Iterable[Any]) -> Diagram:
        """``Diagram(a) + Diagram(b) + …``."""
        context = _caller_context()
        return functools.reduce(lambda x, y: x + y, (cls(s, context) for s in sequence))

    @property
    def connection(self) -> Connection:
        if self.graph.connection is None:
            raise DataJointError("This diagram is not bound to a connection.")
        return self.graph.connection

    # --- algebra on the shown tables ---------------------------------------------------------------
    def _derive(self, nodes: set[str], graph: DependencyGraph | None = None) -> Diagram:
        result = object.__new__(type(self))
        result.graph = graph or self.graph
        result.nodes_to_show = nodes
        result.context = self.context
        return result

    def __add__(self, arg: Any) -> Diagram:
        if isinstance(arg, Diagram):
            graph = self.graph if arg.graph is self.graph else self.graph.merge(arg.graph)
            result = self._derive(self.nodes_to_show | arg.nodes_to_show, graph)
            result.context = {**self.context, **arg.context}
            return result
        if isinstance(arg, int) and not isinstance(arg, bool):
            return self._derive(self._generations(arg, downward=True))
        name = _table_name(arg)
        if name in self.graph:
            return self._derive(self.nodes_to_show | {name})
        return self + Diagram(arg, self.context)

    def __sub__(self, arg: Any) -> Diagram:
        if isinstance(arg, Diagram):
            return self._derive(self.nodes_to_show - arg.nodes_to_show)
        if isinstance(arg, int) and not isinstance(arg, bool):
            return self._derive(self._generations(arg, downward=False))
        nodes = set(self.nodes_to_show)
        nodes.remove(_table_name(arg))  # KeyError when it is not shown, as for a set
        return self._derive(nodes)

    def __mul__(self, arg: Diagram) -> Diagram:
        return self._derive(self.nodes_to_show & arg.nodes_to_show)

    def _generations(self, count: int, downward: bool) -> set[str]:
        nodes = set(self.nodes_to_show)
        for _ in range(count):
            new = {
                (edge.child if downward else edge.parent)
                for node in nodes
                if node in self.graph
                for edge in (self.graph.out_edges(node) if downward else self.graph.in_edges(node))
            } - nodes
            if not new:
                break
            nodes |= new
        return nodes

    def add_parts(self) -> Diagram:
        """The diagram plus the parts of every master it shows."""
        parts = {n for n, node in self.graph.nodes.items() if node.master in self.nodes_to_show}
        return self._derive(self.nodes_to_show | parts)

    # --- tables in order ---------------------------------------------------------------------------
    def topo_sort(self) -> list[str]:
        """Shown tables, parents first, parts right after their masters."""
        return self.graph.topological_order(n for n in self.nodes_to_show if n in self.graph)

    def __iter__(self) -> Iterator[FreeTable]:
        connection = self.connection
        return iter([FreeTable(connection, name) for name in self.topo_sort()])

    def __reversed__(self) -> Iterator[FreeTable]:
        connection = self.connection
        return iter([FreeTable(connection, name) for name in reversed(self.topo_sort())])

    # --- drawing -----------------------------------------------------------------------------------
    def _setting(self, key: str) -> str:
        conn = self.graph.connection
        return str((conn.config if conn is not None else default_config)[key])

    def to_json(self) -> dict[str, Any]:
        """Nodes, edges and tier styles, for clients that draw the diagram themselves."""
        order = self.topo_sort()
        shown = set(order)
        return {
            "direction": self._setting("display.diagram_direction"),
            "nodes": [self._node_json(self.graph.nodes[name]) for name in order],
            "edges": [
                {
                    "parent": edge.parent,
                    "child": edge.child,
                    "primary": edge.primary,
                    "aliased": edge.aliased,
                    "attr_map": dict(edge.attr_map),
                    "multi": edge.multi,
                }
                for name in order
                for edge in self.graph.in_edges(name)
                if edge.parent in shown
            ],
            "tiers": tier_legend(),
        }

    def _node_json(self, node: TableNode) -> dict[str, Any]:
        return {
            "id": node.name,
            "schema": node.database,
            "table_name": node.table_name,
            "class_name": class_name(node, self.graph),
            "tier": node.tier,
            "primary_key": list(node.primary_key),
            "is_part": node.is_part,
            "master": node.master,
            "introduces_dimension": introduces_dimension(node, self.graph),
        }

    def make_svg(self, theme: str | None = None, direction: str | None = None) -> str:
        """The diagram as an SVG document (``theme``/``direction`` default to the settings)."""
        order = self.topo_sort()
        shown = set(order)
        nodes = [self._svg_node(self.graph.nodes[name], shown) for name in order]
        edges = [
            _svg_edge(edge.parent, edge.child, edge.props())
            for name in order
            for edge in self.graph.in_edges(name)
            if edge.parent in shown
        ]
        return render_svg(
            nodes,
            edges,
            direction=direction or self._setting("display.diagram_direction"),
            theme=theme or self._setting("display.diagram_theme"),
        )

    def _svg_node(self, node: TableNode, shown: set[str]) -> SvgNode:
        name = class_name(node, self.graph)
        with_master = node.master in shown
        key = ", ".join(node.primary_key)
        return SvgNode(
            id=node.name,
            label=name.rsplit(".", 1)[-1] if with_master else name,
            tier=node.tier,
            cluster=node.database,
            master=node.master if with_master else None,
            underline=introduces_dimension(node, self.graph),
            tooltip=f"{name}\n{node.name}\nprimary key: {key}",
        )

    def _repr_svg_(self) -> str:
        return self.make_svg()

    def save(self, filename: str | Path, format: str | None = None) -> None:
        """Write the diagram as ``svg`` or ``json`` (inferred from the file name's extension)."""
        path = Path(filename)
        if format is None:
            format = path.suffix.lstrip(".").lower() or None
        if format is None:
            raise DataJointError("Could not infer format from filename. Specify format explicitly.")
        if format.lower() == "svg":
            path.write_text(self.make_svg(), encoding="utf-8")
        elif format.lower() == "json":
            path.write_text(json.dumps(self.to_json(), indent=2), encoding="utf-8")
        else:
            raise DataJointError(f"Unsupported file format {format!r}: use svg or json.")

    def __repr__(self) -> str:
        return f"Diagram({', '.join(self.topo_sort())})"


def class_name(node: TableNode, graph: DependencyGraph) -> str:
    """``Session`` for ``session``, ``Comp.Item`` for the part ``__comp__item``."""
    if node.master is not None and node.master in graph:
        master = graph.nodes[node.master]
        own = node.table_name[len(master.table_name) + 2 :]
        return f"{class_name(master, graph)}.{snake_to_class_name(own)}"
    return snake_to_class_name(node.table_name)


def introduces_dimension(node: TableNode, graph: DependencyGraph) -> bool:
    """True when the table adds a primary-key attribute of its own (drawn underlined)."""
    inherited = {
        attr for edge in graph.in_edges(node.name) if edge.primary for attr in edge.attr_map
    }
    return inherited < set(node.primary_key)


def _svg_edge(parent: str, child: str, props: dict[str, Any]) -> SvgEdge:
    renames = "; ".join(f"{c} ← {p}" for c, p in props["attr_map"].items() if c != p)
    return SvgEdge(
        parent=parent,
        child=child,
        primary=props["primary"],
        multi=props["multi"],
        aliased=props["aliased"],
        tooltip=renames,
    )


def _table_name(arg: Any) -> str:
    if isinstance(arg, type) and issubclass(arg, Table):
        arg = arg()
    if isinstance(arg, Table):
        return arg.full_table_name
    raise DataJointError(f"Cannot combine a Diagram with {arg!r}.")


def _locate(source: Any) -> tuple[Connection, str, str | None]:
    """The connection, database and (for a table source) full table name of a source."""
    if isinstance(source, type) and issubclass(source, Table):
        source = source()
    if isinstance(source, Table):
        connection = source._connection
        if connection is None or source.database is None:
            raise DataJointError(f"Could not find database connection in {type(source).__name__}")
        return connection, source.database, source.full_table_name
    schema = source if isinstance(source, Schema) else getattr(source, "schema", None)
    if not isinstance(schema, Schema):
        raise DataJointError(f"Could not find database connection in {source!r}")
    if schema.database is None:
        raise DataJointError(f"Cannot plot Diagram for {source!r}: its schema is not activated.")
    return schema.connection, schema.database, None


def _caller_context() -> dict[str, Any]:
    frame = inspect.currentframe()
    try:
        caller = frame.f_back.f_back if frame is not None and frame.f_back is not None else None
        return {**caller.f_globals, **caller.f_locals} if caller is not None else {}
    finally:
        del frame

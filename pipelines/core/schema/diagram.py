"""``Diagram``: a set of tables shown from the dependency graph, with set algebra (§6.3).

``Diagram(Table)`` shows one table, ``Diagram(schema)`` (or a module with a ``schema``) all of a
schema's tables. ``+``/``-``/``*`` combine diagrams, ``d + n``/``d - n`` add ``n`` generations
of children/parents, ``d + Table``/``d - Table`` add/remove one table; ``collapse()`` folds each
schema into one box (a table expanded in either operand of ``+`` stays expanded).

Data-aware diagrams: ``d.restrict(expr)`` carries a restriction down to the descendants (AND
where several foreign keys meet), ``Diagram.cascade(expr)`` down to everything a delete would
remove (OR), ``Diagram.trace(expr)`` up to all ancestors (OR); iteration
then yields the restricted tables, ``counts()`` their sizes, ``prune()`` drops the empty ones and
``trace[T]`` gives one ancestor's restricted table. The edge rules live in
``diagram_propagation``. A diagram draws itself as SVG (no Graphviz), Mermaid or JSON.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..db.connection import Connection
from ..db.default import config as default_config
from ..definition.naming import snake_to_class_name
from ..errors import DataJointError
from .cascade import plan_cascade
from .diagram_collapse import Bundle, CollapsedSchema, View, collapsed_view
from .diagram_mermaid import render_mermaid
from .diagram_propagation import AND, DOWN, OR, UP, Restrictions, as_table
from .diagram_style import COLLAPSED, tier_legend
from .diagram_trace import resolve_trace_key
from .graph import DependencyGraph, Edge, TableNode, split_full_name
from .schema import Schema
from .svg import SvgEdge, SvgNode, render_svg
from .table import FreeTable, Table

logger = logging.getLogger("pipelines.core")

#: ``save`` formats by file extension.
FORMATS = {"svg": "svg", "json": "json", "mmd": "mermaid", "mermaid": "mermaid"}


class Diagram:
    """The tables ``nodes_to_show`` of a dependency graph."""

    graph: DependencyGraph
    nodes_to_show: set[str]
    context: dict[str, Any]
    #: Shown tables drawn folded into their schema's box.
    _collapsed: set[str]
    #: Restrictions carried by ``restrict``/``trace``, and which of the two made them.
    _restrictions: Restrictions | None
    _mode: str | None

    def __init__(self, source: Any, context: dict[str, Any] | None = None) -> None:
        if isinstance(source, Diagram):
            self._copy_from(source)
            return
        self.context = context if context is not None else _caller_context()
        self._collapsed, self._restrictions, self._mode = set(), None, None
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
        self._collapsed = set(other._collapsed)
        self._restrictions = other._restrictions
        self._mode = other._mode

    @classmethod
    def from_graph(cls, graph: DependencyGraph, nodes: Iterable[str] | None = None) -> Diagram:
        """A diagram of an already loaded graph (all its tables unless ``nodes`` is given)."""
        result = object.__new__(cls)
        result.graph = graph
        result.nodes_to_show = set(graph.nodes if nodes is None else nodes)
        result.context = {}
        result._collapsed, result._restrictions, result._mode = set(), None, None
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
    def _derive(
        self,
        nodes: set[str],
        graph: DependencyGraph | None = None,
        collapsed: set[str] | None = None,
    ) -> Diagram:
        """A diagram of ``nodes``; tables new to it are expanded, restrictions carry over."""
        result = object.__new__(type(self))
        result.graph = graph or self.graph
        result.nodes_to_show = nodes
        result.context = self.context
        result._collapsed = (self._collapsed if collapsed is None else collapsed) & nodes
        result._restrictions = self._restrictions
        result._mode = self._mode
        return result

    def __add__(self, arg: Any) -> Diagram:
        if isinstance(arg, Diagram):
            graph = self.graph if arg.graph is self.graph else self.graph.merge(arg.graph)
            expanded = (self.nodes_to_show - self._collapsed) | (arg.nodes_to_show - arg._collapsed)
            collapsed = (self._collapsed | arg._collapsed) - expanded  # expanded wins
            result = self._derive(self.nodes_to_show | arg.nodes_to_show, graph, collapsed)
            result.context = {**self.context, **arg.context}
            return result
        if isinstance(arg, int) and not isinstance(arg, bool):
            return self._derive(self._generations(arg, downward=True))
        name = _table_name(arg)
        if name in self.graph:
            return self._derive(self.nodes_to_show | {name}, collapsed=self._collapsed - {name})
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

    def collapse(self) -> Diagram:
        """This diagram with every table folded into one box per schema when drawn."""
        return self._derive(set(self.nodes_to_show), collapsed=set(self.nodes_to_show))

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

    def _table(self, name: str) -> FreeTable:
        if self._restrictions is not None and name in self._restrictions:
            return self._restrictions.restricted(name)
        return FreeTable(self.connection, name)

    def __iter__(self) -> Iterator[FreeTable]:
        """The shown tables, parents first (restricted where the diagram restricts them)."""
        return iter([self._table(name) for name in self.topo_sort()])

    def __reversed__(self) -> Iterator[FreeTable]:
        return iter([self._table(name) for name in reversed(self.topo_sort())])

    # --- restrictions --------------------------------------------------------------------------
    def restrict(self, table_expr: Any) -> Diagram:
        """Restrict a table of the diagram and every table below it in the diagram's graph.

        A table reached through several foreign keys keeps the rows that satisfy all of them
        (AND), so a chain of ``restrict`` calls narrows an export step by step.
        """
        if self._mode is not None and self._mode != "restrict":
            raise DataJointError(
                f"Cannot apply restrict() on a Diagram produced by Diagram.{self._mode}(). "
                f"restrict() and {self._mode}() are mutually exclusive modes."
            )
        expr = as_table(table_expr)
        name = expr.full_table_name
        if name not in self.graph:
            raise DataJointError(f"Table {name} is not in the diagram.")
        previous = self._restrictions
        restrictions = (
            previous.copy() if previous is not None else Restrictions(self.connection, AND)
        )
        restrictions.seed(expr)
        restrictions.propagate(self.graph, name, DOWN)
        result = self._derive(set(self.nodes_to_show))
        result._restrictions, result._mode = restrictions, "restrict"
        return result

    @classmethod
    def cascade(cls, table_expr: Any, part_integrity: str = "enforce") -> Diagram:
        """The tables ``table_expr.delete(part_integrity=…)`` would delete from, each restricted
        to the rows it would lose (OR where several foreign keys meet); ``counts()`` previews
        the delete. Schemas downstream of the seed are loaded even if never activated here."""
        plan = plan_cascade(table_expr, part_integrity)
        result = cls.from_graph(plan.graph, plan.order)
        result._restrictions, result._mode = plan.restrictions, "cascade"
        return result

    @classmethod
    def trace(cls, table_expr: Any) -> Diagram:
        """The seed table and every ancestor its rows reference, through any path (OR).

        Schemas upstream of the seed are loaded even if this process never activated them.
        ``trace[T]`` gives an ancestor's restricted table, ``counts()`` the rows of each.
        """
        expr = as_table(table_expr)
        conn, database = expr._bound()
        graph = DependencyGraph.cached(conn, {*conn.schemas, database}, expand="upstream")
        restrictions = Restrictions(conn, OR)
        start = restrictions.seed(expr)
        restrictions.propagate(graph, start, UP)
        result = cls.from_graph(graph, list(restrictions))
        result._restrictions, result._mode = restrictions, "trace"
        return result

    def __getitem__(self, key: Any) -> Any:
        """On a trace, an ancestor's restricted table (by class, instance, full name or name).

        On other diagrams, as for a graph: the children of a table (by full name) with the
        properties of each foreign key.
        """
        if self._mode != "trace":
            if not isinstance(key, str):
                raise KeyError(key)
            adjacency: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {}
            for child, props in self.graph.children(key):
                adjacency.setdefault(child, {})[tuple(props["attr_map"])] = props
            return adjacency
        if self._restrictions is None:
            raise DataJointError("This trace has no restrictions.")
        if isinstance(key, str):
            names = {n: class_name(self.graph.nodes[n], self.graph) for n in self._restrictions}
            name = resolve_trace_key(key, names)
        elif isinstance(key, Table) or (isinstance(key, type) and issubclass(key, Table)):
            name = _table_name(key)
            if name not in self._restrictions:
                raise DataJointError(
                    f"Table {name} is not in this trace's subgraph (not an ancestor of the seed)."
                )
        else:
            raise DataJointError(
                "trace[...] expects a Table class, Table instance, or string; "
                f"got {type(key).__name__}."
            )
        return self._restrictions.restricted(name)

    def counts(self) -> dict[str, int]:
        """``{full_table_name: rows}`` for every shown table the diagram restricts (also logged)."""
        restrictions = self._restrictions
        if restrictions is None or not len(restrictions):
            raise DataJointError(
                "No restrictions applied. Use Diagram.trace(table_expr) or "
                "diagram.restrict(table_expr) first."
            )
        result: dict[str, int] = {}
        for name in self.topo_sort():
            if name in restrictions:
                result[name] = len(restrictions.restricted(name))
                logger.info("%s (%d tuples)", name, result[name])
        return result

    def prune(self) -> Diagram:
        """Without the shown tables that have no rows (no matching rows, once restricted)."""
        if self._mode == "cascade":
            raise DataJointError(
                "prune() cannot be used on a Diagram produced by Diagram.cascade(). "
                "Cascade diagrams must retain all descendant tables for safe deletion."
            )
        restrictions = self._restrictions
        if restrictions is not None and len(restrictions):
            empty = {
                n
                for n in self.nodes_to_show
                if n in restrictions and not restrictions.restricted(n)
            }
        else:
            empty = {n for n in self.nodes_to_show if not FreeTable(self.connection, n)}
        return self._derive(self.nodes_to_show - empty)

    # --- drawing -----------------------------------------------------------------------------------
    def _setting(self, key: str) -> str:
        conn = self.graph.connection
        return str((conn.config if conn is not None else default_config)[key])

    def _view(self) -> View:
        return collapsed_view(self.graph, self.topo_sort(), self._collapsed)

    def to_json(self) -> dict[str, Any]:
        """Nodes, edges and tier styles, for clients that draw the diagram themselves.

        A collapsed schema is one node (``collapsed: true``); the foreign keys between it and
        another node are one ``bundle`` edge.
        """
        view = self._view()
        return {
            "direction": self._setting("display.diagram_direction"),
            "nodes": [
                self._node_json(self.graph.nodes[item])
                if isinstance(item, str)
                else _collapsed_json(item)
                for item in view.items
            ],
            "edges": [_edge_json(edge) for edge in view.edges],
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
            "collapsed": False,
        }

    def _drawing(self) -> tuple[list[SvgNode], list[SvgEdge]]:
        """The nodes and edges the SVG and Mermaid renderers draw."""
        view = self._view()
        tables = view.tables
        nodes = [
            self._svg_node(self.graph.nodes[item], tables)
            if isinstance(item, str)
            else _collapsed_svg_node(item)
            for item in view.items
        ]
        return nodes, [_svg_edge(edge) for edge in view.edges]

    def make_svg(self, theme: str | None = None, direction: str | None = None) -> str:
        """The diagram as an SVG document (``theme``/``direction`` default to the settings)."""
        nodes, edges = self._drawing()
        return render_svg(
            nodes,
            edges,
            direction=direction or self._setting("display.diagram_direction"),
            theme=theme or self._setting("display.diagram_theme"),
        )

    def make_mermaid(self, direction: str | None = None) -> str:
        """The diagram as Mermaid ``flowchart`` text (``direction`` defaults to the setting)."""
        nodes, edges = self._drawing()
        return render_mermaid(nodes, edges, direction or self._setting("display.diagram_direction"))

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
        """Write the diagram as ``svg``, ``json`` or ``mermaid`` (by default from the file name's
        extension: ``.svg``, ``.json``, ``.mmd``/``.mermaid``)."""
        path = Path(filename)
        if format is None:
            format = FORMATS.get(path.suffix.lstrip(".").lower()) or path.suffix.lstrip(".") or None
        if format is None:
            raise DataJointError("Could not infer format from filename. Specify format explicitly.")
        writers = {"svg": self.make_svg, "json": self._json_text, "mermaid": self.make_mermaid}
        writer = writers.get(format.lower())
        if writer is None:
            raise DataJointError(f"Unsupported file format {format!r}: use svg, json or mermaid.")
        path.write_text(writer(), encoding="utf-8")

    def _json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2)

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


def _svg_edge(edge: Edge | Bundle) -> SvgEdge:
    if isinstance(edge, Bundle):
        keys = "1 foreign key" if edge.foreign_keys == 1 else f"{edge.foreign_keys} foreign keys"
        return SvgEdge(edge.parent, edge.child, True, False, tooltip=keys, bundle=True)
    renames = "; ".join(f"{c} ← {p}" for c, p in edge.attr_map.items() if c != p)
    return SvgEdge(
        parent=edge.parent,
        child=edge.child,
        primary=edge.primary,
        multi=edge.multi,
        aliased=edge.aliased,
        tooltip=renames,
    )


def _collapsed_svg_node(group: CollapsedSchema) -> SvgNode:
    tables = ", ".join(split_full_name(name)[1] for name in group.tables)
    return SvgNode(
        id=group.id,
        label=group.label,
        tier=COLLAPSED,
        cluster=group.database,
        tooltip=f"Collapsed schema {group.database}: {tables}",
    )


def _collapsed_json(group: CollapsedSchema) -> dict[str, Any]:
    return {
        "id": group.id,
        "schema": group.database,
        "label": group.label,
        "tier": None,
        "collapsed": True,
        "table_count": len(group.tables),
        "tables": list(group.tables),
    }


def _edge_json(edge: Edge | Bundle) -> dict[str, Any]:
    if isinstance(edge, Bundle):
        return {
            "parent": edge.parent,
            "child": edge.child,
            "bundle": True,
            "foreign_keys": edge.foreign_keys,
        }
    return {
        "parent": edge.parent,
        "child": edge.child,
        "primary": edge.primary,
        "aliased": edge.aliased,
        "attr_map": dict(edge.attr_map),
        "multi": edge.multi,
        "bundle": False,
    }


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

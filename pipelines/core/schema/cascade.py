"""Plan a cascading delete on the dependency graph (spec/engine.md §3.4).

The plan is the seed table and every table whose rows would be left referencing deleted rows,
each with the restriction that selects exactly those rows, in topological order. It is built
from the foreign keys alone (never by trying deletes and reading errors), over the loaded
schemas and every schema that references them, found in the server's catalog.

Three cases need the rows *fixed* before anything is deleted, because deletes run leaves first
and a restriction that reads a table deleted earlier would see its rows gone:

* with ``part_integrity="cascade"`` a master joins the cascade through its parts; the master's
  affected keys are read while the part rows still exist;
* a seed restricted by one of the tables the cascade deletes (``Session & Scan``, or the seed
  itself) is replaced by the keys it selects (DataJoint issue #1496; MySQL also refuses a
  DELETE that reads its own table in a subquery);
* a seed with a ``dj.Top`` is its selected keys (``seed_condition`` already does that).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..db.connection import Connection
from ..errors import DataJointError
from ..query.conditions import (
    FALSE,
    TRUE,
    And,
    Compare,
    Condition,
    InQuery,
    InValues,
    Negate,
    Or,
    TrueCondition,
    conjunction,
    disjunction,
)
from ..query.nodes import Aggregate, Distinct, Join, Limit, Node, Project, Restrict, TableRef
from ..query.nodes import Union as UnionNode
from .diagram_propagation import OR, Restrictions, as_table, seed_condition
from .graph import DependencyGraph, full_name
from .table import FreeTable, Table

#: ``part_integrity`` values of ``delete`` (``drop`` takes the first two).
ENFORCE, IGNORE, CASCADE = "enforce", "ignore", "cascade"
PART_INTEGRITY = (ENFORCE, IGNORE, CASCADE)


def check_part_integrity(value: str) -> None:
    if value not in PART_INTEGRITY:
        raise ValueError(f"part_integrity must be 'enforce', 'ignore', or 'cascade', got {value!r}")


@dataclass
class CascadePlan:
    """What a cascading delete removes: per table (``order``, parents first) the restriction
    selecting its affected rows."""

    connection: Connection
    graph: DependencyGraph
    seed: str
    restrictions: Restrictions
    order: list[str]
    part_integrity: str

    def table(self, name: str) -> FreeTable:
        """``name`` restricted to the rows the cascade removes from it."""
        return self.restrictions.restricted(name)

    def expressions(self) -> dict[str, FreeTable]:
        return {name: self.table(name) for name in self.order}

    def counts(self) -> dict[str, int]:
        """Rows each table would lose, in topological order (one count query per table)."""
        return {name: len(self.table(name)) for name in self.order}

    def master_of(self, name: str) -> str | None:
        """The master of a part table of the plan's graph (None for other tables)."""
        master = self.graph.nodes[name].master
        return master if master is not None and master in self.graph else None

    def part_violation(self, counts: dict[str, int]) -> str | None:
        """The refusal of ``part_integrity="enforce"``: a part losing rows while its master
        loses none (reached from another parent than its master). None when there is none."""
        if self.part_integrity != ENFORCE:
            return None
        for name in self.order:
            master = self.master_of(name)
            if master is not None and counts.get(name, 0) and not counts.get(master, 0):
                return (
                    f"Attempt to delete part table {name} before its master {master}. Delete "
                    "from the master first, or use part_integrity='ignore' or 'cascade'."
                )
        return None


def plan_cascade(
    table_expr: Any, part_integrity: str = ENFORCE, *, refresh: bool = False
) -> CascadePlan:
    """The cascade of deleting ``table_expr`` (a table class or a restricted table).

    ``refresh=True`` rereads the dependency graph instead of using the connection's cached one.
    """
    check_part_integrity(part_integrity)
    expr = as_table(table_expr)
    conn, database = expr._bound()
    condition, attributes = seed_condition(expr)  # also fails for an undeclared table
    seed = expr.full_table_name
    graph = DependencyGraph.cached(
        conn, {*conn.schemas, database}, expand="downstream", refresh=refresh
    )
    if seed not in graph:  # a hidden table (``~…``): no foreign keys, nothing to cascade to
        graph = DependencyGraph(conn)
        graph.add_table(database, expr.table_name, expr.primary_key)
    planner = _Planner(conn, graph, seed, part_integrity)
    restrictions = planner.run(condition, attributes)
    if _reads_any(condition, planner.deleted_with_or_before_seed(restrictions)):
        condition, attributes = _fixed_keys(planner.restricted_seed(restrictions))
        restrictions = planner.run(condition, attributes)
    order = graph.topological_order(restrictions)
    return CascadePlan(conn, graph, seed, restrictions, order, part_integrity)


class _Planner:
    """Propagation from the seed, repeated while ``part_integrity="cascade"`` brings in masters
    (each pass starts over with the masters' keys fixed, until no master gains rows)."""

    def __init__(
        self, conn: Connection, graph: DependencyGraph, seed: str, part_integrity: str
    ) -> None:
        self.conn = conn
        self.graph = graph
        self.seed = seed
        self.part_integrity = part_integrity

    def run(self, condition: Condition, attributes: set[str]) -> Restrictions:
        masters: dict[str, tuple[Condition, frozenset[Any]]] = {}
        while True:
            restrictions = Restrictions(self.conn, OR)
            restrictions.add(self.seed, _conditions(condition), attributes)
            for master, (fixed, _) in masters.items():
                restrictions.add(master, [fixed], self.graph.nodes[master].primary_key)
            restrictions.propagate(self.graph, [self.seed, *masters])
            if self.part_integrity != CASCADE or not self._lift_masters(restrictions, masters):
                return restrictions

    def _lift_masters(
        self, restrictions: Restrictions, masters: dict[str, tuple[Condition, frozenset[Any]]]
    ) -> bool:
        """Fix the keys of every master that its restricted parts reach; True when a master
        was added or gained keys (so the propagation must run again)."""
        lifts: dict[str, list[Condition]] = {}
        for part in self._parts_to_lift(restrictions):
            master = self.graph.nodes[part].master
            assert master is not None
            lifted = restrictions.lift(self.graph, part, master)
            if lifted is not None:
                lifts.setdefault(master, []).append(lifted)
        changed = False
        for master, lifted_conditions in lifts.items():
            affected = _affected_keys(restrictions, master, lifted_conditions)
            previous = masters.get(master)
            if previous is None or previous[1] != affected[1]:
                masters[master] = affected
                changed = True
        return changed

    def _parts_to_lift(self, restrictions: Restrictions) -> list[str]:
        """Restricted parts whose rows may belong to master rows the cascade does not yet
        delete: the seed, and parts reached from outside their master (a part reached only
        from its master, or from such sibling parts, belongs to master rows already deleted)."""
        inside: set[str] = set()
        result = []
        for name in self.graph.topological_order(restrictions):
            node = self.graph.nodes[name]
            master = node.master
            if master is None or master not in self.graph:
                continue
            parents = {e.parent for e in self.graph.in_edges(name) if e.parent in restrictions}
            if name != self.seed and master in restrictions and parents <= {master, *inside}:
                inside.add(name)
            else:
                result.append(name)
        return result

    def deleted_with_or_before_seed(self, restrictions: Restrictions) -> set[str]:
        """Tables whose rows are gone by the time the seed's rows are deleted (leaves first),
        the seed included."""
        order = self.graph.topological_order(restrictions)
        return set(order[order.index(self.seed) :])

    def restricted_seed(self, restrictions: Restrictions) -> FreeTable:
        return restrictions.restricted(self.seed)


def _conditions(condition: Condition) -> list[Condition]:
    return [] if isinstance(condition, TrueCondition) else [condition]


def _affected_keys(
    restrictions: Restrictions, master: str, lifted: list[Condition]
) -> tuple[Condition, frozenset[Any]]:
    """The keys of the master's rows already in the cascade or reached from its parts, read
    now (one query), as a condition and as a set."""
    scratch = Restrictions(restrictions.connection, OR)
    if restrictions.selects_all(master):  # the whole master table is deleted already
        return TRUE, frozenset({"*"})
    if master in restrictions:
        entry = restrictions.tables[master]
        scratch.add(master, entry.conditions, entry.attributes)
    scratch.add(master, lifted, ())
    table = scratch.restricted(master)
    key = table.primary_key
    rows = [tuple(row[k] for k in key) for row in table.proj().to_dicts()]
    return key_condition(key, rows), frozenset(rows)


def _fixed_keys(expr: Table) -> tuple[Condition, set[str]]:
    key = expr.primary_key
    rows = [tuple(row[k] for k in key) for row in expr.proj().to_dicts()]
    return key_condition(key, rows), set(key)


def key_condition(key: list[str], rows: Iterable[tuple[Any, ...]]) -> Condition:
    """``key IN (rows)`` as a condition tree (FALSE for no rows)."""
    rows = list(rows)
    if not rows:
        return FALSE
    if len(key) == 1:
        return InValues(key[0], tuple(row[0] for row in rows))
    return disjunction(
        [conjunction([Compare(k, "=", v) for k, v in zip(key, row, strict=True)]) for row in rows]
    )


# --- which tables a restriction reads --------------------------------------------------------------
def _reads_any(condition: Condition, tables: set[str]) -> bool:
    return bool(read_tables(condition) & tables)


def read_tables(condition: Condition) -> set[str]:
    """Full names of the tables a condition's subqueries read."""
    if isinstance(condition, InQuery):
        return _node_tables(condition.query)
    if isinstance(condition, And | Or):
        return set().union(*(read_tables(item) for item in condition.items))
    if isinstance(condition, Negate):
        return read_tables(condition.item)
    return set()


def _node_tables(node: Node) -> set[str]:
    if isinstance(node, TableRef):
        return {full_name(node.database, node.table_name)}
    if isinstance(node, Restrict):
        return _node_tables(node.child) | read_tables(node.condition)
    if isinstance(node, Project | Limit | Distinct | Aggregate):
        return _node_tables(node.child)
    if isinstance(node, Join | UnionNode):
        return _node_tables(node.left) | _node_tables(node.right)
    raise DataJointError(f"Cannot tell which tables a {type(node).__name__} node reads.")


__all__ = [
    "CASCADE",
    "ENFORCE",
    "IGNORE",
    "PART_INTEGRITY",
    "CascadePlan",
    "check_part_integrity",
    "key_condition",
    "plan_cascade",
    "read_tables",
]

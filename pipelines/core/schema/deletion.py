"""Cascading ``delete`` and ``drop`` (spec/engine.md §3.4, §3.5), and their previews.

A delete runs its plan (``cascade.plan_cascade``) leaves first in one transaction (a savepoint
inside a caller's transaction), checks part integrity, and commits only when the seed lost rows
(and, when prompting, the user agrees).
Deletes that fail on a foreign key the plan did not know about (a table declared by another
process since the dependency graph was cached) are rolled back and planned once more on a freshly
read graph. A drop removes the table and every table that depends on it, leaves first.
``delete_preview``/``drop_preview`` return what either would remove, changing nothing.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from ..db.connection import Connection
from ..errors import DataJointError, IntegrityError, MissingTableError
from .cascade import CASCADE, ENFORCE, IGNORE, CascadePlan, check_part_integrity, plan_cascade
from .confirm import confirm
from .graph import DependencyGraph
from .table import FreeTable, Table

logger = logging.getLogger("pipelines.core")

DELETE, DROP = "delete", "drop"
_FK_CHILD = re.compile(r"fails \((`[^`]+`\.`[^`]+`)")


@dataclass(frozen=True)
class CascadePreview:
    """What ``delete()`` or ``drop()`` would remove, found without removing anything.

    ``counts`` maps each affected table's full name to its rows, parents first (JSON-ready);
    ``expressions`` holds the restricted table each count was taken from, in the same order
    (fetch them to show the rows); ``refusal`` is the error the operation would stop with
    (part integrity), or None when it would go ahead.
    """

    operation: str
    seed: str
    part_integrity: str
    counts: dict[str, int]
    expressions: dict[str, FreeTable] = field(repr=False, compare=False)
    refusal: str | None = None

    @property
    def total(self) -> int:
        """Rows removed from all tables together."""
        return sum(self.counts.values())

    @property
    def seed_count(self) -> int:
        """Rows removed from the table the operation was called on (what ``delete`` returns)."""
        return self.counts.get(self.seed, 0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (tables in topological order)."""
        return {
            "operation": self.operation,
            "seed": self.seed,
            "part_integrity": self.part_integrity,
            "tables": [{"table": name, "rows": rows} for name, rows in self.counts.items()],
            "total": self.total,
            "refusal": self.refusal,
        }


# --- delete ---------------------------------------------------------------------------------------
def delete_preview(table: Table, part_integrity: str = ENFORCE) -> CascadePreview:
    """The rows a ``delete(part_integrity=…)`` of ``table`` would remove, per table."""
    plan = plan_cascade(table, part_integrity)
    counts = plan.counts()
    return CascadePreview(
        DELETE, plan.seed, part_integrity, counts, plan.expressions(), plan.part_violation(counts)
    )


def delete(
    table: Table,
    *,
    transaction: bool = True,
    prompt: bool | None = None,
    part_integrity: str = ENFORCE,
) -> int:
    """Delete ``table``'s rows and every row that depends on them; the seed's deleted rows."""
    check_part_integrity(part_integrity)
    conn = table.connection
    prompt = bool(conn.config["safemode"]) if prompt is None else prompt
    if transaction and conn.in_transaction and prompt:
        raise DataJointError(
            "Delete cannot use a transaction within an ongoing transaction. "
            "Set transaction=False or prompt=False."
        )
    scope = _Scope(conn, own=transaction and not conn.in_transaction)
    for attempt in (1, 2):
        plan = plan_cascade(table, part_integrity, refresh=attempt > 1)
        counts = _announce(plan) if prompt else None
        if not scope.undoable:  # autocommit: check part integrity before any row goes
            _check_parts_first(plan, counts)
        scope.begin()
        try:
            deleted = _delete_rows(plan)
        except (IntegrityError, MissingTableError) as error:
            scope.undo()
            if scope.undoable and attempt == 1:
                # The cached graph may be stale (another process declared or dropped a table):
                # plan again from the catalog.
                logger.info("Reloading the dependency graph after: %s", error)
                continue
            if isinstance(error, MissingTableError):
                raise
            raise _blocked(error) from None
        except BaseException:
            scope.undo()
            raise
        return _finish(scope, plan, deleted, prompt=prompt)
    raise AssertionError("unreachable")  # pragma: no cover


class _Scope:
    """Where a delete's statements can be undone: its own transaction, a savepoint in the
    caller's transaction (so a failed delete leaves the caller's other work alone), or nowhere
    (``transaction=False`` outside any transaction: each statement commits)."""

    SAVEPOINT = "joinery_cascade_delete"

    def __init__(self, conn: Connection, *, own: bool) -> None:
        self.conn = conn
        self.own = own
        self.nested = not own and conn.in_transaction
        self.open = False

    @property
    def undoable(self) -> bool:
        return self.own or self.nested

    def begin(self) -> None:
        if self.own:
            self.conn.start_transaction()
        elif self.nested:
            self.conn.query(f"SAVEPOINT {self.SAVEPOINT}")
        self.open = self.undoable

    def undo(self) -> None:
        """Roll back what the delete did, keeping the error that got us here (a lost
        connection has rolled back already)."""
        if not self.open:
            return
        self.open = False
        with contextlib.suppress(DataJointError):
            if self.own:
                self.conn.cancel_transaction()
            elif self.conn.in_transaction:
                self.conn.query(f"ROLLBACK TO SAVEPOINT {self.SAVEPOINT}")
                self.conn.query(f"RELEASE SAVEPOINT {self.SAVEPOINT}")

    def keep(self) -> None:
        """Make the deletes part of the transaction: commit our own, release a savepoint."""
        if not self.open:
            return
        self.open = False
        if self.own:
            self.conn.commit_transaction()
        else:
            self.conn.query(f"RELEASE SAVEPOINT {self.SAVEPOINT}")


def _announce(plan: CascadePlan) -> dict[str, int]:
    counts = plan.counts()
    for name, rows in counts.items():
        logger.info("%s (%d tuples)", name, rows)
    return counts


def _check_parts_first(plan: CascadePlan, counts: dict[str, int] | None) -> None:
    if plan.part_integrity != ENFORCE:
        return
    parts = [name for name in plan.order if plan.master_of(name) is not None]
    if not parts:
        return
    if counts is None:
        masters = {plan.master_of(name) for name in parts}
        counts = {
            name: len(plan.table(name)) for name in plan.order if name in parts or name in masters
        }
    violation = plan.part_violation(counts)
    if violation is not None:
        raise DataJointError(violation)


def _delete_rows(plan: CascadePlan) -> dict[str, int]:
    """Delete each table's affected rows, leaves first; rows deleted per table."""
    deleted: dict[str, int] = {}
    for name in reversed(plan.order):
        count = plan.table(name).delete_quick(get_count=True)
        deleted[name] = int(count or 0)
        logger.info("Deleting %d rows from %s", deleted[name], name)
    return deleted


def _finish(scope: _Scope, plan: CascadePlan, deleted: dict[str, int], *, prompt: bool) -> int:
    """Part-integrity check, then commit (asking first when prompting in its own
    transaction), or roll back and return 0."""
    try:
        violation = plan.part_violation(deleted)
        if violation is not None:
            scope.undo()
            raise DataJointError(violation)
        count = deleted[plan.seed]
        if not count:
            if prompt:
                logger.warning("Nothing to delete.")
            scope.undo()
            return 0
        if not scope.own:  # no question: the caller commits (or each statement did)
            scope.keep()
            logger.info("Delete completed")
            return count
        if prompt and not confirm("Commit deletes?"):
            scope.undo()
            logger.warning("Delete cancelled")
            return 0
        scope.keep()
        if prompt:
            logger.info("Delete committed.")
        return count
    except BaseException:
        scope.undo()
        raise


def _blocked(error: BaseException) -> DataJointError:
    match = _FK_CHILD.search(str(error.args[0]) if error.args else "")
    if match:
        return DataJointError(
            f"Delete blocked by table {match.group(1)} in an unloaded schema. "
            "Activate all dependent schemas before deleting."
        )
    return DataJointError("Delete blocked by FK in unloaded/inaccessible schema.")


# --- drop -----------------------------------------------------------------------------------------
def drop_preview(table: Table, part_integrity: str = ENFORCE) -> CascadePreview:
    """The tables a ``drop(part_integrity=…)`` of ``table`` would remove, with their rows."""
    names, refusal = _drop_plan(table, part_integrity)
    conn = table.connection
    expressions = {name: FreeTable(conn, name) for name in names}
    counts = {name: len(expression) for name, expression in expressions.items()}
    return CascadePreview(DROP, table.full_table_name, part_integrity, counts, expressions, refusal)


def drop(table: Table, *, prompt: bool | None = None, part_integrity: str = ENFORCE) -> None:
    """Drop ``table`` and every table that depends on it (in any schema), leaves first."""
    _check_drop_arguments(table, part_integrity)
    conn = table.connection
    if conn.in_transaction:
        raise DataJointError("Cannot drop tables inside a transaction.")
    names, refusal = _drop_plan(table, part_integrity)
    if not names:
        logger.info("Nothing to drop: table %s is not declared", table.full_table_name)
        return
    if refusal is not None:
        raise DataJointError(refusal)
    prompt = bool(conn.config["safemode"]) if prompt is None else prompt
    if prompt:
        for name in names:
            logger.info("%s (%d tuples)", name, len(FreeTable(conn, name)))
        if not confirm("Proceed?"):
            return
    for name in reversed(names):
        FreeTable(conn, name).drop_quick()
    logger.info("Tables dropped. Restart kernel.")


def _check_drop_arguments(table: Table, part_integrity: str) -> None:
    if part_integrity not in (ENFORCE, IGNORE):
        detail = " ('cascade' applies to delete only)" if part_integrity == CASCADE else ""
        raise ValueError(
            f"part_integrity must be 'enforce' or 'ignore' for drop{detail}, got {part_integrity!r}"
        )
    if table.is_restricted:
        raise DataJointError(
            "A table with an applied restriction cannot be dropped. "
            "Call drop() on the unrestricted Table."
        )


def _drop_plan(table: Table, part_integrity: str) -> tuple[list[str], str | None]:
    """The tables to drop, parents first, and the part-integrity refusal if any."""
    _check_drop_arguments(table, part_integrity)
    conn, database = table._bound()
    name = table.full_table_name
    # DDL from other processes does not clear this connection's cache: read the graph afresh.
    graph = DependencyGraph.cached(
        conn, {*conn.schemas, database}, expand="downstream", refresh=True
    )
    if name not in graph:  # undeclared, or a hidden table (no foreign keys)
        return ([name] if conn.catalog.table_exists(database, table.table_name) else []), None
    names = graph.topological_order(graph.descendants(name))
    if part_integrity == ENFORCE:
        for part in names:
            master = graph.nodes[part].master
            if master is not None and master in graph and master not in names:
                return names, (
                    f"Attempt to drop part table {part} before its master {master}. "
                    "Drop the master first."
                )
    return names, None

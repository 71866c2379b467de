"""Validate a pipeline's definitions against the live data database: errors, DDL and the plan.

Nothing here changes the data database. Every definition goes through the engine the way a
declaration would (parse, resolve each ``->``, write the DDL for the configured backend); a table
that exists is diffed against its live self (``definition_diff``: the ALTER statements, what
they would discard, and what the engine refuses). Tables present live in the pipeline's schemas
but no longer defined are listed as drops, with their rows and what would block dropping them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pipelines.core as dj
from pipelines.core.schema.alter import AlterPlan
from pipelines.core.schema.plan import PlannedTable, create_statements, diff_to, resolve_definition
from pipelines.core.schema.schema import topological_order
from pipelines.models import Pipeline, TableDefinition
from pipelines.services.data import data_connection
from pipelines.services.definition_graph import (
    DefinitionError,
    DraftTable,
    Namespace,
    TableKey,
    blocked_by,
    draft_from,
    foreign_schemas,
    prepare,
)
from pipelines.services.tables import class_name_of


@dataclass
class TablePlan:
    draft: DraftTable
    #: "create", "alter", "unchanged", or "error" (see ``draft.errors``).
    action: str
    #: CREATE statements for the configured backend (what a fresh declaration runs).
    ddl: list[str] = field(default_factory=list)
    alter: AlterPlan | None = None
    #: Rows of the live table an alter changes (None for creates).
    rows: int | None = None

    def as_dict(self) -> dict[str, Any]:
        d = self.draft
        result: dict[str, Any] = {
            "schema": d.schema,
            "class_name": d.class_name,
            "tier": d.tier,
            "table_name": d.table_name,
            "action": self.action,
            "ddl": self.ddl,
            "errors": [e.as_dict() for e in d.errors],
        }
        if self.alter is not None:
            result["alter"] = alter_dict(self.alter)
        return result


@dataclass(frozen=True)
class DropPlan:
    """A live table of the pipeline that no definition describes any more."""

    schema: str
    class_name: str
    table_name: str
    full_table_name: str
    rows: int
    #: Live tables that reference this one and are not dropped with it.
    blocked_by: tuple[str, ...]
    statement: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "class_name": self.class_name,
            "table_name": self.table_name,
            "rows": self.rows,
            "blocked_by": list(self.blocked_by),
            "statements": [self.statement],
        }


@dataclass
class DefinitionPlan:
    backend: str
    schemas: list[str]
    #: Every definition, parents first.
    tables: list[TablePlan]
    #: Children before parents (the order to drop them in).
    drops: list[DropPlan]

    @property
    def errors(self) -> list[DefinitionError]:
        return [e for t in self.tables for e in t.draft.errors]

    @property
    def refusals(self) -> list[str]:
        found = [r for t in self.tables if t.alter is not None for r in t.alter.refusals]
        found += [
            f"{d.schema}.{d.class_name} cannot be dropped: {', '.join(d.blocked_by)} "
            "reference it and stay defined."
            for d in self.drops
            if d.blocked_by
        ]
        return found

    @property
    def losses(self) -> list[str]:
        """What applying would discard: dropped tables and lossy alters."""
        found = [
            f"{t.draft.schema}.{t.draft.class_name}: {reason}"
            for t in self.tables
            if t.alter is not None and t.alter.lossy
            for reason in t.alter.reasons
        ]
        found += [
            f"{d.schema}.{d.class_name} is dropped with its {d.rows} row(s)." for d in self.drops
        ]
        return found

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refusals

    @property
    def changes(self) -> bool:
        return bool(self.drops) or any(t.action in ("create", "alter") for t in self.tables)

    def of(self, action: str) -> list[TablePlan]:
        return [t for t in self.tables if t.action == action]

    def as_dict(self) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        for table in self.tables:
            d = table.draft
            where = {"schema": d.schema, "class_name": d.class_name, "table_name": d.table_name}
            if table.action == "create":
                items.append({"action": "create", **where, "statements": table.ddl})
            elif table.action == "alter" and table.alter is not None:
                alter = alter_dict(table.alter)
                items.append({"action": "alter", **where, **alter, "rows": table.rows})
        items += [{"action": "drop", **drop.as_dict()} for drop in self.drops]
        return {
            "ok": self.ok,
            "backend": self.backend,
            "errors": [e.as_dict() for e in self.errors],
            "refusals": self.refusals,
            "data_loss": self.losses,
            "tables": [t.as_dict() for t in self.tables],
            "plan": items,
        }


def alter_dict(plan: AlterPlan) -> dict[str, Any]:
    return {
        "statements": list(plan.statements),
        "changes": list(plan.changes),
        "lossy": plan.lossy,
        "reasons": list(plan.reasons),
        "refusals": list(plan.refusals),
    }


def definition_validate(*, pipeline: Pipeline) -> DefinitionPlan:
    """Validate the pipeline's current definitions against the live data database."""
    definitions = TableDefinition.objects.filter(pipeline=pipeline).select_related("master")
    return plan_definitions(data_connection(), pipeline.schemas, list(definitions))


def plan_definitions(
    conn: dj.Connection, schemas: list[str], definitions: Iterable[TableDefinition]
) -> DefinitionPlan:
    conn.invalidate_metadata()  # other clients may have changed tables since this session looked
    drafts = prepare([draft_from(d) for d in definitions], schemas)
    live = live_tables(conn, schemas)
    namespace = Namespace()
    for schema in foreign_schemas(drafts, schemas):
        namespace.add_live_schema(conn, schema)
    failed: set[TableKey] = set()
    tables = []
    for draft in drafts:
        table = _plan_table(conn, draft, namespace, live, failed)
        if table.action == "error":
            failed.add(draft.key)
        tables.append(table)
    defined = {(d.schema, d.table_name) for d in drafts if d.table_name}
    drops = _drops(conn, live, defined)
    return DefinitionPlan(conn.dialect.name, list(schemas), tables, drops)


def _plan_table(
    conn: dj.Connection,
    draft: DraftTable,
    namespace: Namespace,
    live: dict[str, dict[str, str]],
    failed: set[TableKey],
) -> TablePlan:
    parent = blocked_by(draft, failed)
    if parent is not None and not draft.errors:
        draft.fail(f"It references {parent[0]}.{parent[1]}, whose definition has errors.")
    if draft.errors:
        return TablePlan(draft, "error")
    context = namespace.context_for(draft)
    schema, table_name = draft.schema, draft.table_name
    try:
        resolved = resolve_definition(
            conn, schema, table_name, draft.definition, context,
            auto_populated=draft.auto_populated,
        )  # fmt: skip
        ddl = create_statements(conn, resolved)
        if table_name in live.get(schema, {}):
            alter = diff_to(conn, schema, table_name, draft.definition, context)
            handle: Any = dj.FreeTable(conn, f"`{schema}`.`{table_name}`")
            action = "unchanged" if alter.is_empty else "alter"
        else:
            alter, handle, action = None, PlannedTable(conn, resolved), "create"
    except (dj.DataJointError, NotImplementedError) as error:
        draft.fail(str(error))
        return TablePlan(draft, "error")
    namespace.add(draft.key, handle)
    rows = len(handle) if action == "alter" else None
    return TablePlan(draft, action, ddl, alter, rows)


def live_tables(conn: dj.Connection, schemas: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{schema: {table name: class name}}`` of the tables that exist, parents first."""
    found: dict[str, dict[str, str]] = {}
    for schema in schemas:
        if not conn.catalog.schema_exists(schema):
            continue
        tables = dj.Schema(schema, connection=conn, create_schema=False).list_tables()
        found[schema] = {t: named[0] for t in tables if (named := class_name_of(t)) is not None}
    return found


def _drops(
    conn: dj.Connection, live: dict[str, dict[str, str]], defined: set[tuple[str, str]]
) -> list[DropPlan]:
    doomed = {
        f"`{schema}`.`{table}`": (schema, table, name)
        for schema, tables in live.items()
        for table, name in tables.items()
        if (schema, table) not in defined
    }
    if not doomed:
        return []
    children: dict[str, set[str]] = {name: set() for name in doomed}
    for schema in {s for s, _, _ in doomed.values()}:
        for fk in conn.catalog.referencing_foreign_keys(schema):
            parent = f"`{fk.parent_database}`.`{fk.parent_table}`"
            child = f"`{fk.child_database}`.`{fk.child_table}`"
            if parent in children and child != parent:
                children[parent].add(child)
    parents: dict[str, set[str]] = {name: set() for name in doomed}
    for parent, kids in children.items():
        for kid in kids & set(doomed):
            parents[kid].add(parent)
    drops = []
    for name in reversed(topological_order(list(doomed), parents)):
        schema, table, class_name = doomed[name]
        drops.append(
            DropPlan(
                schema=schema,
                class_name=class_name,
                table_name=table,
                full_table_name=name,
                rows=len(dj.FreeTable(conn, name)),
                blocked_by=tuple(sorted(children[name] - set(doomed))),
                statement=f"DROP TABLE {conn.dialect.table_ref(schema, table)}",
            )
        )
    return drops

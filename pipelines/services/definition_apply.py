"""Apply a pipeline's definitions to the data database, all or nothing, and save a revision.

MariaDB commits every DDL statement on its own, so "all or nothing" is built, not borrowed:

1. The whole plan is validated first (every table parsed, resolved, diffed against the live
   database); any error or refusal, or a loss of stored data the caller did not allow,
   stops the apply before anything changes.
2. New tables are created parents first, each by the engine's atomic declaration.
3. Then the alters (one statement each on MariaDB, one transaction on SQLite), then the drops,
   children first. Both run only after every create succeeded.
4. If any step fails, the tables this apply created are dropped again (children first), and the
   schemas it created with them; no definition is marked applied and no revision is saved.

What stays non-atomic, and is reported in the failure's details and its audit event: alters
that succeeded before a later alter or drop failed, and drops that ran before a later drop failed
(dropped rows cannot be restored). Drops come last for that reason.

A failure is audited as ``definitions.apply_failed`` (outside the rolled-back transaction),
because the data database may have been touched; a success as ``definitions.apply`` with the
DDL that ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max

import pipelines.core as dj
from pipelines.core.schema.declare import create_resolved
from pipelines.core.schema.plan import alter_to, create_statements, resolve_definition
from pipelines.models import DefinitionRevision, Pipeline, TableDefinition
from pipelines.services.audit import audit_record
from pipelines.services.data import data_connection
from pipelines.services.definition_graph import Namespace, foreign_schemas
from pipelines.services.definition_plan import DefinitionPlan, TablePlan, plan_definitions
from pipelines.services.definitions import snapshot_of
from pipelines.services.errors import Conflict, Invalid


class ApplyFailed(Exception):
    def __init__(self, step: str, error: BaseException, work: _Work) -> None:
        super().__init__(f"{step}: {error}")
        self.step = step
        self.error = error
        self.work = work


@dataclass
class _Work:
    """What this apply has done so far to the data database."""

    created_schemas: list[str] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "created": [f"{s}.{t}" for s, t in self.created],
            "altered": self.altered,
            "dropped": self.dropped,
            "ddl": self.statements,
        }


def definition_apply(
    *, actor: Any, pipeline: Pipeline, message: str = "", allow_data_loss: bool = False
) -> DefinitionRevision:
    """Make the data database match the pipeline's definitions; return the new revision."""
    conn = data_connection()
    try:
        with transaction.atomic():
            locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
            definitions = list(
                TableDefinition.objects.filter(pipeline=locked).select_related("master")
            )
            plan = plan_definitions(conn, locked.schemas, definitions)
            _check(plan, definitions, allow_data_loss)
            work = _execute(conn, plan)
            try:
                return _record(actor, locked, definitions, work, message)
            except BaseException:
                _undo(conn, work)
                raise
    except ApplyFailed as failure:
        _record_failure(actor, pipeline, failure)
        raise Conflict(
            _failure_message(failure),
            details={"step": failure.step, "error": str(failure.error), **failure.work.summary(),
                     "undone": failure.work.undone},
        ) from failure  # fmt: skip


def _failure_message(failure: ApplyFailed) -> str:
    message = (
        f"Apply failed at {failure.step}: {failure.error}. Nothing was recorded as applied; "
        "the tables this apply created were dropped again."
    )
    remaining = failure.work.altered + failure.work.dropped
    if remaining:
        message += f" Changes that ran before the failure remain: {', '.join(remaining)}."
    return message


def _check(plan: DefinitionPlan, definitions: list[TableDefinition], allow_loss: bool) -> None:
    if plan.errors:
        raise Invalid(
            "The definitions have errors; nothing was applied.",
            details={"errors": [e.as_dict() for e in plan.errors]},
        )
    if plan.refusals:
        raise Conflict(
            "The database refuses part of this change; nothing was applied.",
            details={"refusals": plan.refusals},
        )
    if plan.losses and not allow_loss:
        raise Conflict(
            "Applying would discard stored data; nothing was applied. Review the plan and send "
            "allow_data_loss=true to go ahead.",
            details={"data_loss": plan.losses},
        )
    unapplied = any(d.status != TableDefinition.Status.APPLIED for d in definitions)
    if not plan.changes and not unapplied:
        raise Conflict("Nothing to apply: the database already matches the definitions.")


def _execute(conn: dj.Connection, plan: DefinitionPlan) -> _Work:
    work = _Work()
    namespace = Namespace()
    for schema in foreign_schemas((t.draft for t in plan.tables), plan.schemas):
        namespace.add_live_schema(conn, schema)
    step = "start"
    try:
        for table in plan.tables:
            step = f"{table.draft.schema}.{table.draft.class_name}"
            if table.action == "create":
                _create(conn, table, namespace, work)
            full_name = f"`{table.draft.schema}`.`{table.draft.table_name}`"
            namespace.add(table.draft.key, dj.FreeTable(conn, full_name))
        for table in plan.of("alter"):
            step = f"{table.draft.schema}.{table.draft.class_name}"
            context = namespace.context_for(table.draft)
            alter_to(
                conn, table.draft.schema, table.draft.table_name, table.draft.definition, context
            )
            work.altered.append(step)
            work.statements += list(table.alter.statements if table.alter else ())
        for drop in plan.drops:
            step = f"{drop.schema}.{drop.class_name}"
            dj.FreeTable(conn, drop.full_table_name).drop_quick()
            work.dropped.append(step)
            work.statements.append(drop.statement)
    except Exception as error:
        _undo(conn, work)
        raise ApplyFailed(step, error, work) from error
    return work


def _create(conn: dj.Connection, table: TablePlan, namespace: Namespace, work: _Work) -> None:
    draft = table.draft
    if not conn.catalog.schema_exists(draft.schema):
        conn.catalog.create_schema(draft.schema)
        work.created_schemas.append(draft.schema)
    # Resolved again against the tables as created, so the DDL is exactly what runs.
    resolved = resolve_definition(
        conn, draft.schema, draft.table_name, draft.definition, namespace.context_for(draft),
        auto_populated=draft.auto_populated,
    )  # fmt: skip
    statements = create_statements(conn, resolved)
    create_resolved(conn, resolved)
    work.created.append((draft.schema, draft.table_name))
    work.statements += statements


def _undo(conn: dj.Connection, work: _Work) -> None:
    """Drop what this apply created, children first; keep going past a failure to undo."""
    if conn.in_transaction:
        conn.cancel_transaction()
    for schema, table in reversed(work.created):
        try:
            dj.FreeTable(conn, f"`{schema}`.`{table}`").drop_quick()
            work.undone.append(f"{schema}.{table}")
        except dj.DataJointError:
            continue
    for schema in reversed(work.created_schemas):  # created by this apply: nothing else is in it
        try:
            conn.catalog.drop_schema(schema)
            work.undone.append(schema)
        except dj.DataJointError:
            continue
    conn.invalidate_metadata()


def _record(
    actor: Any,
    pipeline: Pipeline,
    definitions: list[TableDefinition],
    work: _Work,
    message: str,
) -> DefinitionRevision:
    last = DefinitionRevision.objects.filter(pipeline=pipeline).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1
    revision = DefinitionRevision.objects.create(
        pipeline=pipeline,
        number=number,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
        snapshot=snapshot_of(definitions),
        ddl="".join(f"{s};\n" for s in work.statements),
    )
    for definition in definitions:
        definition.status = TableDefinition.Status.APPLIED
        definition.applied_definition = definition.definition
        definition.save(update_fields=["status", "applied_definition", "updated_at"])
    audit_record(
        actor=actor, pipeline=pipeline, action="definitions.apply", target=f"r{number}",
        payload={"revision": number, "message": message, **work.summary()},
    )  # fmt: skip
    return revision


def _record_failure(actor: Any, pipeline: Pipeline, failure: ApplyFailed) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor, pipeline=pipeline, action="definitions.apply_failed",
            target=failure.step,
            payload={"error": str(failure.error), **failure.work.summary(),
                     "undone": failure.work.undone},
        )  # fmt: skip

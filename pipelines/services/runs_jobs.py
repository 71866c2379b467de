"""The job queues of a pipeline's populated tables: status for the dashboard, errors, ignore.

The portal reads and changes a table's ``~~`` job queue through the engine's ``JobTable``, on a
class made for the existing table (no compute code needed). Every change is audited with the
keys it concerned.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.db import transaction

import pipelines.core as dj
from pipelines.core.schema.classes import make_classes
from pipelines.models import Pipeline, PopulateRun
from pipelines.services.audit import audit_record
from pipelines.services.data import data_connection
from pipelines.services.errors import NotFound
from pipelines.services.runs import ACTIVE, POPULATED_TIERS, key_for_table, populated_table
from pipelines.services.runs_code import code_lookup
from pipelines.services.runs_keys import key_to_json
from pipelines.services.runs_skeleton import code_skeleton
from pipelines.services.tables import TableName, table_list, table_query

_ERROR_TYPE = re.compile(r"[A-Za-z_][\w.]*")
ERRORS_SHOWN = 1000
TRACEBACK_SHOWN = 20_000  # characters of one traceback in the API


def populated_class(table: TableName) -> Any:
    """An ``Imported``/``Computed`` instance for the existing table (default key_source)."""
    schema = dj.Schema(table.schema, connection=data_connection(), create_schema=False)
    return make_classes(schema)[table.name]()


def error_type(message: str) -> str:
    """The exception's name from a job's ``"Type: text"`` error message."""
    head = message.split(":", 1)[0].strip()
    return head if _ERROR_TYPE.fullmatch(head) else "Error"


def table_status(*, pipeline: Pipeline) -> list[dict[str, Any]]:
    """For each populated table of the pipeline: rows, keys to make, jobs by status, errors by
    exception type, whether it has registered code, and its active runs."""
    active: dict[tuple[str, str], list[int]] = {}
    for run in PopulateRun.objects.filter(pipeline=pipeline, status__in=ACTIVE):
        active.setdefault((run.schema, run.table), []).append(run.pk)
    result = []
    classes: dict[str, dict[str, type]] = {}
    for table in table_list(pipeline=pipeline):
        if table.tier not in POPULATED_TIERS:
            continue
        if table.schema not in classes:
            schema = dj.Schema(table.schema, connection=data_connection(), create_schema=False)
            classes[table.schema] = make_classes(schema)
        instance = classes[table.schema][table.name]()
        remaining, total = instance.progress()
        jobs = instance.jobs
        by_type = Counter(error_type(m) for m in _error_messages(jobs))
        result.append(
            {
                "schema": table.schema,
                "table": table.name,
                "tier": table.tier,
                "rows": len(instance),
                "keys": total,
                "remaining": remaining,
                "jobs": jobs.progress(),
                "errors_by_type": dict(by_type.most_common()),
                "registered": code_lookup(table.schema, table.table_name) is not None,
                "active_runs": active.get((table.schema, table.name), []),
            }
        )
    return result


def _error_messages(jobs: Any) -> list[str]:
    if not jobs.is_declared:
        return []
    return [str(row["error_message"]) for row in jobs.errors.proj("error_message").to_dicts()]


def job_errors(*, pipeline: Pipeline, schema: str, table: str) -> list[dict[str, Any]]:
    """The table's failed keys, newest first, with their exception type, message and traceback."""
    jobs = populated_class(populated_table(pipeline=pipeline, schema=schema, table=table)).jobs
    if not jobs.is_declared:
        return []
    rows = jobs.errors.proj(
        "error_message", "error_stack", "completed_time", "host", "pid"
    ).to_dicts(order_by=["completed_time DESC"], limit=ERRORS_SHOWN)
    names = jobs.primary_key
    return [
        {
            "key": key_to_json({name: row[name] for name in names}),
            "error": error_type(str(row["error_message"])),
            "message": row["error_message"],
            "traceback": _traceback_text(row["error_stack"]),
            "time": row["completed_time"],
            "worker": f"{row['host']}:{row['pid']}",
        }
        for row in rows
    ]


def _traceback_text(stack: Any) -> str:
    """The stored traceback as text (its end, where the error is, when it is very long)."""
    if stack is None:
        return ""
    text = stack.decode(errors="replace") if isinstance(stack, bytes) else str(stack)
    return text if len(text) <= TRACEBACK_SHOWN else "…" + text[-TRACEBACK_SHOWN:]


@transaction.atomic
def job_ignore(
    *, actor: Any, pipeline: Pipeline, schema: str, table: str, key: Any
) -> dict[str, Any]:
    """Mark a key so no worker makes it (until its job is cleared)."""
    found = populated_table(pipeline=pipeline, schema=schema, table=table)
    jobs = populated_class(found).jobs
    engine_key = key_for_table(jobs.table, key)
    exists = len(populated_class(found).key_source & engine_key) > 0
    if not exists:
        raise _unknown_key(found, key)
    jobs.ignore(engine_key)
    shown = key_to_json(engine_key)
    audit_record(
        actor=actor, pipeline=pipeline, action="jobs.ignore", target=f"{schema}.{table}",
        payload={"keys": [shown]},
    )  # fmt: skip
    return shown


def _unknown_key(table: TableName, key: Any) -> Exception:
    return NotFound(
        f"{table.schema}.{table.name} has no key {key!r} to make.", details={"key": key}
    )


@transaction.atomic
def job_clear_errors(
    *, actor: Any, pipeline: Pipeline, schema: str, table: str, error: str | None = None
) -> int:
    """Delete the table's error jobs (of one exception type if given): the next run makes
    their keys again."""
    found = populated_table(pipeline=pipeline, schema=schema, table=table)
    jobs = populated_class(found).jobs
    if not jobs.is_declared:
        return 0
    names = jobs.primary_key
    chosen = [
        row
        for row in jobs.errors.proj("error_message").to_dicts()
        if error is None or error_type(str(row["error_message"])) == error
    ]
    keys = [{name: row[name] for name in names} for row in chosen]
    if keys:
        (jobs.errors & keys).delete_quick()
    audit_record(
        actor=actor, pipeline=pipeline, action="jobs.clear_errors", target=f"{schema}.{table}",
        payload={"error": error, "keys": [key_to_json(k) for k in keys]},
    )  # fmt: skip
    return len(keys)


def table_code(*, pipeline: Pipeline, schema: str, table: str) -> dict[str, Any]:
    """The registered code of a populated table, or the skeleton of the module to write."""
    found = populated_table(pipeline=pipeline, schema=schema, table=table)
    code = code_lookup(found.schema, found.table_name)
    if code is not None:
        return {
            "registered": True,
            "module": code.module_name,
            "version": code.version,
            "skeleton": None,
        }
    return {
        "registered": False,
        "module": None,
        "version": None,
        "skeleton": code_skeleton(found, table_query(found)),
    }

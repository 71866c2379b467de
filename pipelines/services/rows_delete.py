"""Deleting rows in two steps: a preview, then the delete it describes.

The preview plans the cascade (every table that loses rows, with counts) and hands back a signed
token naming the pipeline, the caller, the table, the restriction and the counts. The delete
takes only that token: it plans again inside its transaction and refuses if the counts moved
since (someone inserted or deleted meanwhile), so what is deleted is what the caller saw. A
token expires after ``DELETE_TOKEN_MINUTES`` (``JOINERY["DELETE_TOKEN_MINUTES"]``, default 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone

from pipelines.models import Pipeline
from pipelines.services.audit import audit_record
from pipelines.services.errors import Conflict, Invalid
from pipelines.services.row_audit import data_write, keys_payload
from pipelines.services.row_tables import MAX_KEYS, RowTable, keys_of, restricted
from pipelines.services.tables import class_name_of

SALT = "joinery.rows.delete"
DEFAULT_TOKEN_MINUTES = 10
#: "ignore" would delete part rows without their master: not offered through the portal.
PART_INTEGRITY = ("enforce", "cascade")


@dataclass(frozen=True)
class DeletePreview:
    #: ``[{"schema", "table", "rows"}]``, parents first.
    tables: list[dict[str, Any]]
    total: int
    refusal: str | None
    token: str | None
    expires_at: datetime | None


def token_minutes() -> int:
    return int(getattr(settings, "JOINERY", {}).get("DELETE_TOKEN_MINUTES", DEFAULT_TOKEN_MINUTES))


def rows_delete_preview(
    *,
    actor: Any,
    target: RowTable,
    where: Any = None,
    keys: Any = None,
    part_integrity: str = "enforce",
) -> DeletePreview:
    """What deleting the rows (``where`` a condition tree, or ``keys``) would remove. A token
    comes with it unless nothing would go or the delete would be refused."""
    if part_integrity not in PART_INTEGRITY:
        raise Invalid(f"part_integrity is one of {', '.join(PART_INTEGRITY)}.")
    if (where is None) == (keys is None):
        raise Invalid('Give either "where" (a condition) or "keys" (a list of keys).')
    if keys is not None:
        keys = keys_of(target, keys)
    preview = _seed(target, where, keys).delete_preview(part_integrity)
    tables = _tables(preview.counts)
    token = expires = None
    if preview.total and preview.refusal is None:
        plan = {
            "pipeline": target.pipeline.pk,
            "user": getattr(actor, "pk", None),
            "schema": target.name.schema,
            "table": target.name.name,
            "where": where,
            "keys": keys,
            "part_integrity": part_integrity,
            "tables": tables,
        }
        token = signing.dumps(plan, salt=SALT, compress=True)
        expires = timezone.now() + timedelta(minutes=token_minutes())
    return DeletePreview(tables, preview.total, preview.refusal, token, expires)


def rows_delete(*, actor: Any, pipeline: Pipeline, target: RowTable, token: Any) -> dict[str, Any]:
    """Carry out a previewed delete; Conflict when the rows changed since the preview."""
    plan = _plan(actor, pipeline, target, token)
    keys = keys_of(target, plan["keys"]) if plan["keys"] is not None else None
    seed = _seed(target, plan["where"], keys)
    with data_write():
        now = _tables(seed.delete_preview(plan["part_integrity"]).counts)
        if now != plan["tables"]:
            raise Conflict(
                "The rows changed since the preview: preview the delete again.",
                details={"previewed": plan["tables"], "now": now},
            )
        total = sum(entry["rows"] for entry in now)
        deleted_keys = seed.keys(limit=MAX_KEYS)
        seed.delete(prompt=False, part_integrity=plan["part_integrity"])
        audit_record(
            actor=actor, pipeline=pipeline, action="rows.delete", target=target.label,
            payload={
                "tables": now, "total": total, "part_integrity": plan["part_integrity"],
                **keys_payload(deleted_keys, _seed_rows(now, target)),
            },
        )  # fmt: skip
    return {"tables": now, "total": total}


def _plan(actor: Any, pipeline: Pipeline, target: RowTable, token: Any) -> dict[str, Any]:
    if not isinstance(token, str) or not token:
        raise Invalid("token: the token the delete preview returned.")
    try:
        plan: dict[str, Any] = signing.loads(token, salt=SALT, max_age=token_minutes() * 60)
    except signing.SignatureExpired:
        raise Conflict("The delete token has expired: preview the delete again.") from None
    except signing.BadSignature:
        raise Invalid("The delete token is not valid.") from None
    same = (
        plan.get("pipeline") == pipeline.pk
        and plan.get("user") == getattr(actor, "pk", None)
        and (plan.get("schema"), plan.get("table")) == (target.name.schema, target.name.name)
    )
    if not same:
        raise Invalid("The delete token was issued for another table, pipeline or user.")
    return plan


def _seed(target: RowTable, where: Any, keys: list[dict[str, Any]] | None) -> Any:
    return target.table & keys if keys is not None else restricted(target, where)


def _tables(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Full table names -> ``{"schema", "table" (the class name), "rows"}``."""
    result = []
    for full_name, rows in counts.items():
        schema, _, table_name = full_name.strip("`").partition("`.`")
        named = class_name_of(table_name)
        result.append({"schema": schema, "table": named[0] if named else table_name, "rows": rows})
    return result


def _seed_rows(tables: list[dict[str, Any]], target: RowTable) -> int:
    for entry in tables:
        if (entry["schema"], entry["table"]) == (target.name.schema, target.name.name):
            return int(entry["rows"])
    return 0

"""The audit log: one event per change made through the portal."""

from __future__ import annotations

from typing import Any

from pipelines.models import AuditEvent, Pipeline


def audit_record(
    *,
    actor: Any,
    action: str,
    pipeline: Pipeline | None = None,
    target: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record ``action`` (``"<entity>.<verb>"``, e.g. ``rows.insert``). Called inside the
    transaction of the change it records, so the two commit together."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user, pipeline=pipeline, action=action, target=target, payload=payload or {}
    )

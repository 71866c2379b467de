"""Reads of portal metadata, always through the caller's access.

A pipeline the caller holds no role on does not exist for them (404, never 403): its name is
not disclosed. A member whose role is too weak for an action gets 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.access import effective_role
from accounts.models import Membership
from accounts.roles import Role, role_allows, weaker_of
from pipelines.models import AuditEvent, Pipeline
from pipelines.services.errors import Forbidden, NotFound


def pipeline_list(*, user: Any, token: Any = None) -> list[tuple[Pipeline, str]]:
    """The pipelines the caller may see, each with the caller's role on it."""
    if user is None or not user.is_authenticated:
        return []
    memberships = Membership.objects.filter(user=user).select_related("pipeline")
    scope = set(token.pipelines.values_list("pk", flat=True)) if token is not None else set()
    result = []
    for membership in memberships.order_by("pipeline__name"):
        if scope and membership.pipeline_id not in scope:
            continue
        role = membership.role if token is None else weaker_of(membership.role, token.max_role)
        result.append((membership.pipeline, str(role)))
    return result


def pipeline_get(
    *, user: Any, slug: str, minimum: str = Role.VIEWER, token: Any = None
) -> tuple[Pipeline, str]:
    """The pipeline and the caller's role on it, if that role is at least ``minimum``."""
    pipeline = Pipeline.objects.filter(slug=slug).first()
    role = effective_role(user, pipeline.pk, token) if pipeline is not None else None
    if pipeline is None or role is None:
        raise NotFound(f"No pipeline {slug!r}.", details={"pipeline": slug})
    if not role_allows(role, minimum):
        raise Forbidden(
            f"This needs the {minimum} role on {slug!r}; you are {role}.",
            details={"required": str(minimum), "role": role},
        )
    return pipeline, role


def member_list(*, pipeline: Pipeline) -> QuerySet[Membership]:
    return Membership.objects.filter(pipeline=pipeline).select_related("user")


def audit_list(*, pipeline: Pipeline) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(pipeline=pipeline).select_related("actor")

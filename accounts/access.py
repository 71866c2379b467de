"""What role a caller holds on a pipeline: the membership, narrowed by the token if any."""

from __future__ import annotations

from typing import Any

from accounts.models import ApiToken, Membership
from accounts.roles import weaker_of


def effective_role(user: Any, pipeline_id: int, token: ApiToken | None = None) -> str | None:
    """The caller's role on the pipeline, or None when they have none (not a member, the
    token is not scoped to it, anonymous)."""
    if user is None or not user.is_authenticated:
        return None
    role = (
        Membership.objects.filter(user=user, pipeline_id=pipeline_id)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        return None
    if token is None:
        return str(role)
    scope = set(token.pipelines.values_list("pk", flat=True))
    if scope and pipeline_id not in scope:
        return None
    return weaker_of(str(role), token.max_role)

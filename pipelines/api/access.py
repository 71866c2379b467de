"""The caller's pipeline and role for a request (token scope included)."""

from __future__ import annotations

from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.roles import Role
from pipelines.models import Pipeline
from pipelines.selectors import pipeline_get


def request_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def pipeline_for(request: Request, slug: str, minimum: str = Role.VIEWER) -> tuple[Pipeline, str]:
    """404 when the caller holds no role on the pipeline, 403 when it is too weak."""
    return pipeline_get(user=request.user, slug=slug, minimum=minimum, token=request_token(request))

"""Who opens a socket, and may they watch this pipeline?

A browser is signed in with its session cookie; its socket must come from a page of this portal
(the Origin header names an allowed host), or another site could open it with the user's
cookie. A script sends an API token, either as the ``token`` query parameter or as the
WebSocket subprotocols ``["bearer", "<token>"]`` (browsers cannot set headers on a socket);
a token needs no Origin. Either way the caller needs the viewer role on the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from accounts.roles import Role
from accounts.tokens import TOKEN_PREFIX, token_authenticate
from pipelines.selectors import pipeline_get
from pipelines.services.errors import ServiceError
from pipelines.services.runs_events import pipeline_slug

BEARER = "bearer"


class Refused(Exception):
    """The socket is closed before it opens (the client sees HTTP 403)."""


@dataclass(frozen=True)
class Access:
    pipeline_id: int
    slug: str
    role: str
    #: The subprotocol to accept ("bearer" when the token came that way).
    subprotocol: str | None


def query_params(scope: dict[str, Any]) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {name: values[-1] for name, values in parse_qs(raw).items()}


def _token_from(scope: dict[str, Any]) -> tuple[str | None, str | None]:
    """The token and the subprotocol that carried it, if any."""
    protocols = [str(p) for p in scope.get("subprotocols") or []]
    if BEARER in protocols:
        position = protocols.index(BEARER)
        if position + 1 < len(protocols):
            return protocols[position + 1], BEARER
    for protocol in protocols:
        if protocol.startswith(TOKEN_PREFIX):
            return protocol, None
    return query_params(scope).get("token"), None


def origin_allowed(scope: dict[str, Any]) -> bool:
    """No Origin (not a browser) or one whose host this portal serves."""
    origin = next((v for k, v in scope.get("headers", []) if k == b"origin"), None)
    if origin is None:
        return True
    text = origin.decode("latin-1")
    if text in settings.CSRF_TRUSTED_ORIGINS:
        return True
    domain, _ = split_domain_port(urlsplit(text).netloc)
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


async def authorize(scope: dict[str, Any], ref: str) -> Access:
    """The pipeline ``ref`` (slug or id) and the caller's role on it, or ``Refused``."""
    access: Access = await database_sync_to_async(_authorize)(scope, ref)
    return access


def _authorize(scope: dict[str, Any], ref: str) -> Access:
    raw, subprotocol = _token_from(scope)
    token = None
    user: Any
    if raw is not None:
        token = token_authenticate(raw)
        if token is None:
            raise Refused("invalid, expired or revoked token")
        user = token.user
    else:
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            raise Refused("not signed in")
        if not origin_allowed(scope):
            raise Refused("the socket comes from another site")
    slug = pipeline_slug(ref)
    if slug is None:
        raise Refused("no such pipeline")
    try:
        pipeline, role = pipeline_get(user=user, slug=slug, minimum=Role.VIEWER, token=token)
    except ServiceError as error:
        raise Refused(error.message) from None
    return Access(pipeline.pk, pipeline.slug, role, subprotocol)

"""Issuing, checking and revoking API tokens.

A token is ``jnr_`` followed by 40 random URL-safe characters. The database keeps its SHA-256
digest (a token has enough entropy that a slow hash adds nothing) and its first characters, so a
leaked database does not leak usable tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.roles import Role

TOKEN_PREFIX = "jnr_"
SHOWN_CHARACTERS = 12
#: ``last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *,
    user: User,
    name: str,
    max_role: str = Role.VIEWER,
    pipelines: Iterable[Any] = (),
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its text, which is never stored and cannot be shown again."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:SHOWN_CHARACTERS],
        digest=_digest(raw),
        max_role=Role(max_role),
        expires_at=expires_at,
    )
    token.pipelines.set(list(pipelines))
    return token, raw


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token with this text, or None; records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])

"""The portal's users, their roles on pipelines, and API tokens.

Joinery owns its user model from the first migration, because swapping AUTH_USER_MODEL after
tables reference it is a painful migration. Memberships and tokens point at pipelines by model
label only: ``accounts`` never imports ``pipelines``.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from accounts.roles import Role


class User(AbstractUser):
    """A person signed in to the portal; roles per pipeline are granted through memberships."""


class Membership(models.Model):
    """One user's role on one pipeline."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    pipeline = models.ForeignKey(
        "pipelines.Pipeline", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pipeline"], name="one_role_per_pipeline")
        ]
        ordering = ["pipeline_id", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.pipeline}"


class ApiToken(models.Model):
    """A bearer token for scripts. Only a digest is stored; the token is shown once.

    A token acts for its user with at most ``max_role``, on the pipelines listed in
    ``pipelines`` (none listed: every pipeline the user is a member of).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    #: The token's first characters, shown in lists so a user can tell tokens apart.
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    max_role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    pipelines = models.ManyToManyField("pipelines.Pipeline", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

"""Admin pages for users and API tokens (memberships are edited on each pipeline's page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import ApiToken, User
from accounts.tokens import token_issue, token_revoke


@admin.register(User)
class JoineryUserAdmin(UserAdmin[User]):
    search_fields = ["username", "email", "first_name", "last_name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Issue (the token is shown once, in a message) and revoke tokens; never edit one."""

    list_display = [
        "name",
        "user",
        "prefix",
        "max_role",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["max_role", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    filter_horizontal = ["pipelines"]
    actions = ["revoke"]
    issue_fields = ["user", "name", "max_role", "pipelines", "expires_at"]
    record_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return self.issue_fields if obj is None else [*self.issue_fields, *self.record_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return [] if obj is None else [*self.issue_fields, *self.record_fields]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # a token never changes: revoke it and issue a new one
        token, raw = token_issue(
            user=obj.user, name=obj.name, max_role=obj.max_role, expires_at=obj.expires_at
        )
        obj.pk, obj.prefix, obj.digest = token.pk, token.prefix, token.digest
        obj.created_at = token.created_at
        obj._state.adding = False
        messages.warning(request, f"The new token is {raw} (copy it now: it is not shown again).")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if not change:
            form.instance.pipelines.set(form.cleaned_data.get("pipelines", []))

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).")

"""Admin pages for pipelines (with their members and tables), revisions and the audit log.

Revisions and audit events are records: shown read-only, never added, changed or deleted here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import Membership
from pipelines.models import AuditEvent, DefinitionRevision, Pipeline, TableDefinition


class MembershipInline(admin.TabularInline[Membership, Pipeline]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class TableDefinitionInline(admin.TabularInline[TableDefinition, Pipeline]):
    model = TableDefinition
    extra = 0
    fields = ["schema", "class_name", "tier", "status", "updated_at"]
    readonly_fields = ["schema", "class_name", "tier", "status", "updated_at"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin[Pipeline]):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, TableDefinitionInline]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TableDefinition)
class TableDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "pipeline", "tier", "status", "updated_at"]
    list_filter = ["pipeline", "tier", "status"]
    search_fields = ["class_name", "schema", "definition"]


@admin.register(DefinitionRevision)
class DefinitionRevisionAdmin(ReadOnlyAdmin):
    list_display = ["pipeline", "number", "author", "created_at", "message"]
    list_filter = ["pipeline"]
    search_fields = ["message", "ddl"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "pipeline", "action", "target"]
    list_filter = ["action", "pipeline", "created_at"]
    search_fields = ["action", "target", "actor__username"]
    date_hierarchy = "created_at"

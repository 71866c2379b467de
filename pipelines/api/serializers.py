"""Request and response shapes of the pipeline, member and audit endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.roles import Role
from pipelines.models import AuditEvent, Pipeline


class PipelineOut(serializers.ModelSerializer[Pipeline]):
    role = serializers.SerializerMethodField(help_text="The caller's role on this pipeline.")

    class Meta:
        model = Pipeline
        fields = ["slug", "name", "description", "schemas", "created_at", "role"]

    def get_role(self, pipeline: Pipeline) -> str:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(pipeline.pk, "")


class PipelineIn(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=64, required=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    schemas = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )


class PipelineChange(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    schemas = serializers.ListField(child=serializers.CharField(max_length=64), required=False)


class MemberOut(serializers.Serializer[Any]):
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField()


class MemberIn(serializers.Serializer[dict[str, Any]]):
    role = serializers.ChoiceField(choices=Role.choices)


class AuditOut(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "target", "payload"]

    def get_actor(self, event: AuditEvent) -> str | None:
        return event.actor.get_username() if event.actor is not None else None

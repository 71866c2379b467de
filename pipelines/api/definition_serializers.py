"""Request and response shapes of the definition, validation, apply, revision and import
endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from pipelines.models import DefinitionRevision, TableDefinition, Tier


class Text(serializers.CharField):
    """Text only: a number or a list is an error, not silently turned into a string."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _position(*, required: bool = False, default: float | None = None) -> serializers.FloatField:
    if default is None:
        return serializers.FloatField(required=required, min_value=-1e7, max_value=1e7)
    return serializers.FloatField(required=required, default=default, min_value=-1e7, max_value=1e7)


class DefinitionOut(serializers.ModelSerializer[TableDefinition]):
    master = serializers.SerializerMethodField(help_text="The master's class name (parts only).")

    class Meta:
        model = TableDefinition
        fields = [
            "id", "schema", "class_name", "tier", "definition", "master", "position_x",
            "position_y", "status", "applied_definition", "updated_at",
        ]  # fmt: skip

    def get_master(self, definition: TableDefinition) -> str | None:
        return definition.master.class_name if definition.master is not None else None


class DefinitionIn(serializers.Serializer[dict[str, Any]]):
    schema = Text(max_length=64)
    class_name = Text(max_length=64, help_text="CamelCase; a part as `Part` or `Master.Part`.")
    tier = serializers.ChoiceField(choices=Tier.choices)
    definition = Text(max_length=20_000, trim_whitespace=False)
    master = Text(
        max_length=64, required=False, allow_null=True, default=None,
        help_text="The master's class name; required for (and only for) a Part.",
    )  # fmt: skip
    position_x = _position(default=0.0)
    position_y = _position(default=0.0)


class DefinitionChange(serializers.Serializer[dict[str, Any]]):
    class_name = Text(max_length=64, required=False)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    definition = Text(max_length=20_000, required=False, trim_whitespace=False)
    position_x = _position()
    position_y = _position()


class ApplyIn(serializers.Serializer[dict[str, Any]]):
    message = Text(max_length=2000, required=False, allow_blank=True, default="")
    allow_data_loss = serializers.BooleanField(
        required=False, default=False,
        help_text="Go ahead although the plan drops tables or discards stored values.",
    )  # fmt: skip


class ImportIn(serializers.Serializer[dict[str, Any]]):
    schema = Text(max_length=64)


class RevisionOut(serializers.ModelSerializer[DefinitionRevision]):
    author = serializers.SerializerMethodField()

    class Meta:
        model = DefinitionRevision
        fields = ["number", "author", "created_at", "message"]

    def get_author(self, revision: DefinitionRevision) -> str | None:
        return revision.author.get_username() if revision.author is not None else None


class RevisionDetailOut(RevisionOut):
    class Meta(RevisionOut.Meta):
        fields = [*RevisionOut.Meta.fields, "snapshot", "ddl"]


# --- the validation report (documentation of the response shape) ---------------------------------
class ErrorOut(serializers.Serializer[Any]):
    schema = serializers.CharField()
    class_name = serializers.CharField()
    line = serializers.IntegerField(allow_null=True, help_text="Line of the definition, from 1.")
    message = serializers.CharField()


class AlterOut(serializers.Serializer[Any]):
    statements = serializers.ListField(child=serializers.CharField())
    changes = serializers.ListField(child=serializers.CharField())
    lossy = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    refusals = serializers.ListField(child=serializers.CharField())


class TableReportOut(serializers.Serializer[Any]):
    schema = serializers.CharField()
    class_name = serializers.CharField()
    tier = serializers.CharField()
    table_name = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "alter", "unchanged", "error"])
    ddl = serializers.ListField(
        child=serializers.CharField(), help_text="CREATE statements for the data backend."
    )
    errors = ErrorOut(many=True)  # type: ignore[assignment]  # a field, not Serializer.errors
    alter = AlterOut(required=False)


class PlanItemOut(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["create", "alter", "drop"])
    schema = serializers.CharField()
    class_name = serializers.CharField()
    table_name = serializers.CharField()
    statements = serializers.ListField(child=serializers.CharField())
    changes = serializers.ListField(child=serializers.CharField(), required=False)
    lossy = serializers.BooleanField(required=False)
    reasons = serializers.ListField(child=serializers.CharField(), required=False)
    refusals = serializers.ListField(child=serializers.CharField(), required=False)
    rows = serializers.IntegerField(
        required=False, help_text="Rows a drop discards, or the rows of the table an alter changes."
    )
    blocked_by = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="Live tables referencing a dropped table that stay defined.",
    )  # fmt: skip


class ValidationOut(serializers.Serializer[Any]):
    ok = serializers.BooleanField(help_text="No errors and nothing the database refuses.")
    backend = serializers.CharField()
    errors = ErrorOut(many=True)  # type: ignore[assignment]  # a field, not Serializer.errors
    refusals = serializers.ListField(child=serializers.CharField())
    data_loss = serializers.ListField(
        child=serializers.CharField(), help_text="What applying discards (needs allow_data_loss)."
    )
    tables = TableReportOut(many=True)
    plan = PlanItemOut(many=True)

"""Request and response shapes of the populate-run endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from pipelines.models import PopulateRun
from pipelines.services.runs import MAX_WORKERS


class StrictSerializer(serializers.Serializer[dict[str, Any]]):
    """Refuses fields it does not know, so a misspelt option is an error, not ignored."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields)) if self.initial_data else []
        if unknown:
            raise serializers.ValidationError({name: "Unknown field." for name in unknown})
        return attrs

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": "Send a JSON object."})
        return super().to_internal_value(data)


class RunIn(StrictSerializer):
    schema = serializers.CharField(max_length=64)
    table = serializers.CharField(max_length=128, help_text="Class name, e.g. SpikeRate.")
    restriction = serializers.JSONField(
        required=False, allow_null=True, help_text="A JSON condition tree limiting the keys."
    )
    workers = serializers.IntegerField(min_value=1, max_value=MAX_WORKERS, default=1)


class RetryIn(StrictSerializer):
    workers = serializers.IntegerField(min_value=1, max_value=MAX_WORKERS, required=False)


class RunOut(serializers.ModelSerializer[PopulateRun]):
    requested_by = serializers.SerializerMethodField()
    keys = serializers.SerializerMethodField(help_text="How many exact keys (a retry), or null.")

    class Meta:
        model = PopulateRun
        fields = [
            "id", "schema", "table", "restriction", "keys", "retry_of", "requested_by",
            "workers_wanted", "status", "cancel_requested", "total", "done", "failed",
            "skipped", "code_version", "error", "created_at", "started_at", "finished_at",
        ]  # fmt: skip

    def get_requested_by(self, run: PopulateRun) -> str | None:
        return run.requested_by.get_username() if run.requested_by is not None else None

    def get_keys(self, run: PopulateRun) -> int | None:
        return len(run.keys) if run.keys is not None else None


class EventOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    run = serializers.IntegerField()
    kind = serializers.CharField(
        help_text="queued, started, worker_started, key_started, key_progress, key_done, "
        "key_failed, worker_finished, worker_lost, keys_reclaimed, cancel_requested, finished"
    )
    key = serializers.JSONField(allow_null=True)
    payload = serializers.JSONField()
    created_at = serializers.DateTimeField()


class EventsQuery(StrictSerializer):
    after = serializers.IntegerField(min_value=0, default=0)
    run = serializers.IntegerField(min_value=1, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=500)


class EventPage(serializers.Serializer[Any]):
    events = EventOut(many=True)
    last_event_id = serializers.IntegerField(help_text="Ask again with ?after=<this>.")
    more = serializers.BooleanField(help_text="More events are waiting beyond this page.")


class TableStatusOut(serializers.Serializer[Any]):
    schema = serializers.CharField()
    table = serializers.CharField()
    tier = serializers.CharField()
    rows = serializers.IntegerField()
    keys = serializers.IntegerField(help_text="Keys of key_source.")
    remaining = serializers.IntegerField(help_text="Keys not yet in the table.")
    jobs = serializers.DictField(child=serializers.IntegerField())
    errors_by_type = serializers.DictField(child=serializers.IntegerField())
    registered = serializers.BooleanField(help_text="Whether make code is registered.")
    active_runs = serializers.ListField(child=serializers.IntegerField())


class WorkerOut(serializers.Serializer[Any]):
    hostname = serializers.CharField()
    pid = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["working", "idle", "stale", "lost"])
    run = serializers.IntegerField(allow_null=True)
    table = serializers.CharField(allow_null=True)
    current_key = serializers.JSONField(allow_null=True)
    started_at = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()
    lost_at = serializers.DateTimeField(allow_null=True)
    seconds_since_seen = serializers.FloatField()


class TableCodeOut(serializers.Serializer[Any]):
    registered = serializers.BooleanField()
    module = serializers.CharField(allow_null=True)
    version = serializers.CharField(allow_null=True)
    skeleton = serializers.CharField(
        allow_null=True, help_text="Without registered code: the module to write."
    )


class JobErrorOut(serializers.Serializer[Any]):
    key = serializers.JSONField()
    error = serializers.CharField(help_text="The exception's type.")
    message = serializers.CharField()
    traceback = serializers.CharField(
        allow_blank=True, help_text="Where the make failed (empty if none was stored)."
    )
    time = serializers.DateTimeField(allow_null=True)
    worker = serializers.CharField()


class IgnoreIn(StrictSerializer):
    key = serializers.JSONField(help_text='The key\'s attributes, e.g. {"session_id": 3}.')


class ClearIn(StrictSerializer):
    error = serializers.CharField(
        max_length=255, required=False, help_text="Only errors of this exception type."
    )


class ClearedOut(serializers.Serializer[Any]):
    cleared = serializers.IntegerField()

"""Portal metadata about pipelines: definitions and their revisions, and the audit log.

The lab's own tables never get a Django model; they live in the data database and belong to the
engine (``pipelines.core``). Members and tokens are in ``accounts``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Pipeline(models.Model):
    """A lab pipeline: the data-database schemas it owns and the tables designed for them."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True, default="")
    #: Names of the data-database schemas (DataJoint schemas) this pipeline owns.
    schemas = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tier(models.TextChoices):
    MANUAL = "Manual"
    LOOKUP = "Lookup"
    IMPORTED = "Imported"
    COMPUTED = "Computed"
    PART = "Part"


class TableDefinition(models.Model):
    """One table of a pipeline as designed: its definition text, drafted or applied."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        APPLIED = "applied"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="tables")
    schema = models.CharField(max_length=64)
    class_name = models.CharField(max_length=64)
    tier = models.CharField(max_length=16, choices=Tier.choices)
    definition = models.TextField()
    master = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts"
    )
    #: Where the builder's canvas draws the table.
    position_x = models.FloatField(default=0)
    position_y = models.FloatField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    #: The definition text as last applied to the data database ("" before the first apply).
    applied_definition = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "schema", "class_name"], name="one_class_per_schema"
            )
        ]
        ordering = ["pipeline_id", "schema", "class_name"]

    def __str__(self) -> str:
        return f"{self.schema}.{self.class_name}"


class DefinitionRevision(models.Model):
    """What a pipeline's definitions were after one apply, and the DDL that apply ran."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    message = models.TextField(blank=True, default="")
    #: [{"schema", "class_name", "tier", "definition", "master", "position": [x, y]}, ...]
    snapshot = models.JSONField(default=list)
    ddl = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "number"], name="revision_numbers")
        ]
        ordering = ["pipeline_id", "-number"]

    def __str__(self) -> str:
        return f"{self.pipeline} r{self.number}"


class AuditEvent(models.Model):
    """Who did what, when: every change to portal metadata and every write the portal made to
    the data database (with the rows concerned)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pipeline = models.ForeignKey(
        Pipeline, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=255, blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["pipeline", "created_at"], name="audit_by_pipeline")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"


class PopulateRun(models.Model):
    """One request to populate a table from the portal, carried out by Celery workers."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="runs")
    schema = models.CharField(max_length=64)
    #: The table's class name (``Spikes``), as the tables service names it.
    table = models.CharField(max_length=128)
    #: A JSON condition tree limiting the keys (``pipelines.services.conditions``), or null.
    restriction = models.JSONField(null=True, blank=True)
    #: The exact keys to make (a retry of failed keys), as JSON objects; null: every key.
    keys = models.JSONField(null=True, blank=True)
    #: The run whose failed keys this run retries.
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workers_wanted = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    #: Set by a cancel; workers check it between keys and inside long makes.
    cancel_requested = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    #: The registered make code that ran: module and version (git describe when available).
    code_version = models.CharField(max_length=255, blank=True, default="")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["pipeline", "status"], name="runs_by_status")]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.schema}.{self.table} ({self.status})"


class RunEvent(models.Model):
    """What happened in a run, in order: the log a browser replays from its last seen id.

    The id increases; the Channels message that announces new events is only a doorbell.
    """

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(PopulateRun, on_delete=models.CASCADE, related_name="events")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    #: started, key_started, key_done, key_failed, key_progress, worker_lost, finished, ...
    kind = models.CharField(max_length=32)
    key = models.JSONField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["pipeline", "id"], name="events_by_pipeline"),
            models.Index(fields=["run", "id"], name="events_by_run"),
        ]

    def __str__(self) -> str:
        return f"event {self.pk} {self.kind} of run {self.run_id}"


class WorkerHeartbeat(models.Model):
    """A populate worker process: where it runs, what it is making, when it last reported."""

    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    run = models.ForeignKey(
        PopulateRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="workers"
    )
    current_key = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    #: When another worker found this one silent past the heartbeat timeout (its run was told).
    lost_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hostname", "pid"], name="one_row_per_worker")
        ]
        ordering = ["hostname", "pid"]

    def __str__(self) -> str:
        return f"worker {self.hostname}:{self.pid}"

"""The demo in the portal (``make run``): its tables and sample data, a pipeline, a demo user.

The tables and their rows go to the data database (``DATA_DATABASE_URL``); the portal gets a
``demo`` pipeline owning the schema and a ``demo`` user who owns the pipeline, with a fresh
password each time, printed by ``manage.py load_demo``. The compute code is this package's
``pipeline`` module, registered as ``pipelines.demo.pipeline@demo`` in
``JOINERY_PIPELINE_MODULES`` (``make run`` does it), so Recording and SpikeRate can be populated
from the browser.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.roles import Role
from pipelines.models import Pipeline, TableDefinition
from pipelines.services.data import data_connection
from pipelines.services.definition_import import definition_import
from pipelines.services.pipelines import membership_set, pipeline_create

from . import pipeline as demo

MODULE_ENTRY = "pipelines.demo.pipeline@{schema}"
#: The demo's place on the builder's canvas (the builder's own auto-layout of it; a part's place
#: is inside its master). A placed pipeline opens without fetching the layout engine.
CANVAS = {
    "Species": (12.0, 12.0),
    "Subject": (26.0, 136.0),
    "Session": (33.0, 277.0),
    "Recording": (19.0, 435.0),
    "SpikeRate": (21.0, 610.0),
    "SpikeRate.Unit": (12.0, 122.0),
}


@dataclass(frozen=True)
class DemoLogin:
    pipeline: Pipeline
    username: str
    password: str
    subjects: int
    sessions: int


def demo_load(*, schema: str = "demo", username: str = "demo") -> DemoLogin:
    """Declare and fill the demo schema, and give the portal its pipeline (with the tables'
    definitions, for the builder) and user."""
    demo.load_sample_data(data_connection(), schema)
    password = secrets.token_urlsafe(9)
    with transaction.atomic():
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(username=username)
        user.set_password(password)
        user.save()
        pipeline = Pipeline.objects.filter(slug="demo").first()
        if pipeline is None:
            pipeline = pipeline_create(
                actor=user,
                name="Demo",
                slug="demo",
                description="Subjects, sessions, recordings and spike rates (synthetic data).",
                schemas=[schema],
            )
        else:
            membership_set(actor=None, pipeline=pipeline, user=user, role=Role.OWNER)
        # The builder shows the demo's tables as applied definitions (read from the live schema).
        if not TableDefinition.objects.filter(pipeline=pipeline, schema=schema).exists():
            definition_import(actor=user, pipeline=pipeline, schema=schema)
            for class_name, (x, y) in CANVAS.items():
                TableDefinition.objects.filter(
                    pipeline=pipeline, schema=schema, class_name=class_name
                ).update(position_x=x, position_y=y)
    return DemoLogin(pipeline, username, password, len(demo.Subject()), len(demo.Session()))

# mypy: disable-error-code="attr-defined, call-arg, misc"
"""``manage.py load_demo`` (what ``make run`` runs): the demo's tables and data, a pipeline
owned by a demo user whose login is printed, and runs of its registered code from the portal."""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from django.core.management import call_command

import pipelines.demo.pipeline
from accounts.models import Membership, User
from pipelines.models import Pipeline, TableDefinition
from pipelines.services.runs import run_start
from pipelines.services.runs_worker import run_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(data_schema: str, settings: Any) -> Iterator[ModuleType]:
    """The demo module afresh (its schema is a module singleton), registered for the schema."""
    module = importlib.reload(pipelines.demo.pipeline)
    settings.JOINERY = {
        **settings.JOINERY,
        "PIPELINE_MODULES": [f"pipelines.demo.pipeline@{data_schema}"],
    }
    yield module
    importlib.reload(pipelines.demo.pipeline)  # unbound again for the next test


def test_load_demo_prints_a_working_login_and_the_demo_populates_from_the_portal(
    demo: ModuleType, data_schema: str, queued: list[Any]
) -> None:
    out = io.StringIO()
    call_command("load_demo", schema=data_schema, stdout=out)
    printed = out.getvalue()
    password = printed.rsplit("demo / ", 1)[1].split()[0]
    user = User.objects.get(username="demo")
    assert user.check_password(password)
    pipeline = Pipeline.objects.get(slug="demo")
    assert pipeline.schemas == [data_schema]
    assert Membership.objects.get(pipeline=pipeline, user=user).role == "owner"
    assert "3 subjects and 6 sessions" in printed
    definitions = TableDefinition.objects.filter(pipeline=pipeline).order_by("class_name")
    assert [(d.class_name, d.status) for d in definitions] == [
        (name, "applied")
        for name in ["Recording", "Session", "Species", "SpikeRate", "SpikeRate.Unit", "Subject"]
    ]  # the builder shows the demo's tables
    places = {(d.position_x, d.position_y) for d in definitions}
    assert len(places) == 6 and (0.0, 0.0) not in places  # placed: no layout needed to open
    call_command("load_demo", schema=data_schema, stdout=io.StringIO())  # again: same pipeline
    assert Pipeline.objects.count() == 1 and len(demo.Session()) == 6
    assert TableDefinition.objects.filter(pipeline=pipeline).count() == 6
    assert not User.objects.get(username="demo").check_password(password)  # a fresh password
    for table in ("Recording", "SpikeRate"):
        run = run_start(actor=user, pipeline=pipeline, schema=data_schema, table=table)
        run_work(run_id=run.pk, background=False)
        run.refresh_from_db()
        assert run.status == "succeeded" and run.done == 6, run.error
        assert run.code_version.startswith("pipelines.demo.pipeline")
    assert run.events.filter(kind="key_done").count() == 6
    assert len(demo.SpikeRate.Unit()) == 6 * demo.N_UNITS

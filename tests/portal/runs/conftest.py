"""Fixtures of the run tests: a compute-code module registered for a fresh data schema, and
a record of the Celery tasks a service queued (no broker in these tests: the test calls the
worker's service itself)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from celery import current_app

from pipelines.models import Pipeline
from pipelines.services.data import data_connection
from tests.portal.runs.code_module import bind, entry, write_module


@pytest.fixture
def code(tmp_path: Path, data_schema: str, settings: Any, pipeline: Pipeline) -> ModuleType:
    """The test's code module, bound to ``data_schema`` (its tables declared there), registered
    in JOINERY_PIPELINE_MODULES, the schema owned by ``pipeline``; short heartbeats."""
    module = write_module(tmp_path)
    bind(module, data_schema, data_connection())
    settings.JOINERY = {
        **settings.JOINERY,
        "PIPELINE_MODULES": [entry(module, data_schema)],
        "HEARTBEAT_INTERVAL": 1,
        "HEARTBEAT_TIMEOUT": 3,
    }
    pipeline.schemas = [data_schema]
    pipeline.save()
    return module


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """The tasks sent to Celery, as (name, args)."""
    sent: list[tuple[str, list[Any]]] = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args=None, **_: sent.append((name, list(args or [])))
    )
    return sent


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The personas' passwords hash in microseconds here (the default hasher takes ~0.5 s)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

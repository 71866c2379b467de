"""The settings of populate runs and live progress, read from the environment."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

import config.settings

VARIABLES = (
    "CELERY_BROKER_URL", "CELERY_BROKER_FOLDER", "CELERY_QUEUE", "CHANNEL_LAYER_URL",
    "CHANNEL_LAYER_PREFIX", "REDIS_URL", "JOINERY_HEARTBEAT_INTERVAL", "JOINERY_HEARTBEAT_TIMEOUT",
    "JOINERY_PIPELINE_MODULES",
)  # fmt: skip


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    monkeypatch.setenv("DATA_DATABASE_URL", f"sqlite:///{tmp_path / 'data.sqlite3'}")
    return monkeypatch


def load() -> dict[str, Any]:
    return runpy.run_path(config.settings.__file__)


def test_the_embedded_default(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("CELERY_BROKER_FOLDER", str(tmp_path / "broker"))
    loaded = load()
    assert loaded["CHANNEL_LAYERS"]["default"]["BACKEND"].endswith("InMemoryChannelLayer")
    assert loaded["JOINERY"]["TAIL_SECONDS"] == 0.1
    assert loaded["CELERY_TASK_DEFAULT_QUEUE"] == "joinery"
    assert loaded["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    assert loaded["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(
        tmp_path / "broker" / "queue"
    )
    assert (tmp_path / "broker" / "control").is_dir()
    assert (loaded["JOINERY"]["HEARTBEAT_INTERVAL"], loaded["JOINERY"]["HEARTBEAT_TIMEOUT"]) == (
        10,
        60,
    )


def test_redis_carries_the_doorbell(env: pytest.MonkeyPatch) -> None:
    env.setenv("CHANNEL_LAYER_URL", "redis://cache:6379/0")
    env.setenv("CHANNEL_LAYER_PREFIX", "lab1")
    env.setenv("CELERY_QUEUE", "lab1")
    loaded = load()
    layer = loaded["CHANNEL_LAYERS"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layer["CONFIG"] == {"hosts": ["redis://cache:6379/0"], "prefix": "lab1"}
    assert loaded["CELERY_TASK_DEFAULT_QUEUE"] == "lab1"
    assert loaded["JOINERY"]["TAIL_SECONDS"] == 2.0


def test_redis_url_is_the_channel_layer_when_channel_layer_url_is_unset(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("REDIS_URL", "redis://old:6379/0")
    assert load()["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"] == ["redis://old:6379/0"]


@pytest.mark.parametrize(
    ("interval", "timeout", "message"),
    [
        ("0", "60", "at least 1"),
        ("10", "15", "twice the interval"),
        ("ten", "60", "JOINERY_HEARTBEAT_INTERVAL must be an integer"),
    ],
)
def test_heartbeats_must_make_sense(
    env: pytest.MonkeyPatch, interval: str, timeout: str, message: str
) -> None:
    env.setenv("JOINERY_HEARTBEAT_INTERVAL", interval)
    env.setenv("JOINERY_HEARTBEAT_TIMEOUT", timeout)
    with pytest.raises(ImproperlyConfigured, match=message):
        load()

"""The process-wide ``dj.config``: its ``loglevel`` drives the engine's logger."""

from __future__ import annotations

import logging

import pytest

import pipelines.core as dj
from pipelines.core.schema import fetching
from pipelines.core.settings import Config


def test_loglevel_sets_the_engine_logger_and_override_restores_it() -> None:
    logger = logging.getLogger("pipelines.core")
    before = dj.config["loglevel"]
    try:
        dj.config["loglevel"] = "warning"
        assert logger.level == logging.WARNING
        with dj.config.override(loglevel="ERROR"):
            assert logger.level == logging.ERROR
        assert logger.level == logging.WARNING
    finally:
        dj.config["loglevel"] = before


def test_watch_calls_back_now_and_on_every_change() -> None:
    config = Config(environ={})
    seen: list[object] = []
    config.watch("display.limit", seen.append)
    config["display.limit"] = 5
    with config.override(display__limit=7):
        pass
    assert seen == [12, 5, 7, 5]


def test_optional_packages_are_named_with_their_install_command() -> None:
    with pytest.raises(ImportError, match="pip install joinery_missing_package"):
        fetching._optional("joinery_missing_package")

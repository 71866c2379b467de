"""Fixtures of the browser tests: one running portal per test process, one Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.web.harness import CHROMIUM, CHROMIUM_ARGS, DEMO_MODULE, WebStack


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[WebStack]:
    folder = tmp_path_factory.mktemp("web")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        "DATA_DATABASE_URL": f"sqlite:///{folder / 'data.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "CELERY_BROKER_FOLDER": str(folder / "broker"),
        "CHANNEL_LAYER_URL": "",
        "REDIS_URL": "",
        "JOINERY_PIPELINE_MODULES": DEMO_MODULE,
        "JOINERY_HEARTBEAT_INTERVAL": "1",
        "JOINERY_HEARTBEAT_TIMEOUT": "4",
        "JOINERY_LOGIN_RATE": "10000/min",  # every test signs in from 127.0.0.1
    }
    with WebStack(folder, env) as stack:
        stack.browser = browser
        stack.prepare_demo()
        stack.start_worker("worker")
        stack.start_server()
        yield stack


@pytest.fixture
def page(web: WebStack) -> Iterator[Page]:
    """A tab signed in as the demo pipeline's owner."""
    tab = web.page("demo")
    yield tab
    tab.context.close()

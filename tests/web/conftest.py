"""Fixtures of the browser tests: one running portal per test process, one Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.web.harness import CHROMIUM, CHROMIUM_ARGS, WebStack, embedded_env


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
        **embedded_env(folder),
        "JOINERY_HEARTBEAT_INTERVAL": "1",
        "JOINERY_HEARTBEAT_TIMEOUT": "4",
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

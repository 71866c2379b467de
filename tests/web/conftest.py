"""Fixtures of the browser tests: one running portal per test process, one Chromium per test
module.

Playwright's synchronous API runs an asyncio loop in the test thread while it is open; other
tests in the same process (Django's async-safety checks, ``asyncio.run``) must not see it, so the
browser closes at the end of each module, and only browser tests hold it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.web.harness import CHROMIUM, CHROMIUM_ARGS, WebStack, embedded_env


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStack]:
    folder = tmp_path_factory.mktemp("web")
    env = {
        **embedded_env(folder),
        "JOINERY_HEARTBEAT_INTERVAL": "1",
        "JOINERY_HEARTBEAT_TIMEOUT": "4",
    }
    with WebStack(folder, env) as stack:
        stack.prepare_demo()
        stack.start_worker("worker")
        stack.start_server()
        yield stack


@pytest.fixture
def web(web_stack: WebStack, browser: Browser) -> WebStack:
    """The running portal, opening its tabs in this module's browser."""
    web_stack.browser = browser
    return web_stack


@pytest.fixture
def page(web: WebStack) -> Iterator[Page]:
    """A tab signed in as the demo pipeline's owner."""
    tab = web.page("demo")
    yield tab
    tab.context.close()

"""The web app for real: daphne serving the built app and the API, a Celery worker on the
file-system broker, SQLite portal and data databases, the demo pipeline loaded, and Debian's
Chromium driven by Playwright.

Users (password ``pw-<name>``): ``demo`` owns the demo pipeline (``/p/demo/``); ``operator``,
``entry`` and ``viewer`` hold those roles on it; ``newcomer`` belongs to no pipeline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.realtime.stack import ROOT, Stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
SCREENSHOTS = ROOT / "var" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
DEMO_MODULE = "pipelines.demo.pipeline@demo"


def embedded_env(folder: Path) -> dict[str, str]:
    """The environment of a stack kept in files under ``folder`` (SQLite portal and data
    databases, the file-system broker, in-memory channels) running the demo pipeline's code, with
    a sign-in rate that every test or benchmark signing in from 127.0.0.1 stays under."""
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        "DATA_DATABASE_URL": f"sqlite:///{folder / 'data.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "CELERY_BROKER_FOLDER": str(folder / "broker"),
        "CHANNEL_LAYER_URL": "",
        "REDIS_URL": "",
        "JOINERY_PIPELINE_MODULES": DEMO_MODULE,
        "JOINERY_LOGIN_RATE": "10000/min",
    }


PERSONAS = """
import json, django
django.setup()
from accounts.models import Membership, User
from pipelines.models import Pipeline
demo = Pipeline.objects.get(slug="demo")
demo_user = User.objects.get(username="demo")
demo_user.set_password("pw-demo")
demo_user.save()
for name, role in [("operator", "operator"), ("entry", "entry"), ("viewer", "viewer"),
                   ("newcomer", None), ("walker", None)]:
    user = User.objects.create_user(username=name, password="pw-" + name)
    if role:
        Membership.objects.create(user=user, pipeline=demo, role=role)
print(json.dumps("ok"))
"""


class WebStack(Stack):
    """The running portal; ``page(user)`` opens a signed-in browser tab on it."""

    browser: Browser

    def prepare_demo(self) -> None:
        self.run("manage.py", "migrate", "--noinput")
        self.run("manage.py", "load_demo")
        self.run("-c", PERSONAS)

    def context(self) -> BrowserContext:
        context = self.browser.new_context(viewport=VIEWPORT, base_url=self.url)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        return context

    def page(self, username: str | None = None) -> Page:
        """A new tab (own cookies); signed in through the sign-in form when ``username`` is given."""
        page = self.context().new_page()
        if username is not None:
            sign_in(page, username, f"pw-{username}")
        return page

    def api_as(self, page: Page, method: str, path: str, body: Any = None) -> Any:
        """Call the API with the tab's session (and its CSRF cookie), as the app does."""
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        response = page.request.fetch(
            f"{self.url}{path}", method=method,
            headers={"X-CSRFToken": cookies.get("csrftoken", ""),
                     "Content-Type": "application/json"},
            data=json.dumps(body) if body is not None else None,
        )  # fmt: skip
        assert response.ok, f"{method} {path}: {response.status} {response.text()}"
        return response.json() if response.status != 204 else None


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Pipelines")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Save the page under var/screenshots/<name>.png (the README shows these)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=False)
    return path

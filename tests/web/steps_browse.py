"""Steps of the browse and visualize pages a test (or a person) takes, reusable across tests."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.web.harness import WebStack

DEMO = "/api/pipelines/demo"


def open_browse(page: Page, table: str, tier: str = "Manual") -> None:
    """The browse page of the demo pipeline with ``table``'s first rows shown."""
    page.goto("/p/demo/browse")
    page.get_by_label("Table").select_option(label=f"{table} ({tier})")
    expect(page.get_by_role("table", name="Rows")).to_be_visible()


def add_condition(page: Page, attribute: str, operator: str, value: str) -> None:
    """A new row at the end of the filter's top group."""
    filters = page.get_by_role("group", name="Filter")
    filters.get_by_role("button", name="Add condition").last.click()
    filters.get_by_label("Attribute").last.select_option(attribute)
    filters.get_by_label("Operator").last.select_option(operator)
    filters.get_by_label("Value").last.fill(value)


def join(page: Page, table: str) -> None:
    page.get_by_role("button", name=f"Join {table}").click()
    expect(page.get_by_role("button", name=f"Remove join {table}")).to_be_visible()


def run_query(page: Page) -> None:
    page.get_by_role("button", name="Run query").click()


def show_code(page: Page) -> str:
    """Open "Show the code", return the code, and close the dialog."""
    page.get_by_role("button", name="Show the code").click()
    dialog = page.get_by_role("dialog", name="Code")
    expect(dialog).to_be_visible()
    code = dialog.locator("pre").inner_text()
    dialog.get_by_role("button", name="Close").click()
    return code


def populate(web: WebStack, page: Page, table: str, timeout: float = 120.0) -> None:
    """Fill ``table`` of the demo pipeline through a run (as the tab's user), unless it has rows."""
    spec = {"table": {"schema": "demo", "name": table}, "limit": 1}
    if web.api_as(page, "POST", f"{DEMO}/query/", spec)["count"] > 0:
        return
    run = web.api_as(page, "POST", f"{DEMO}/runs/", {"schema": "demo", "table": table})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = web.api_as(page, "GET", f"{DEMO}/runs/{run['id']}/")["status"]
        if status == "succeeded":
            return
        assert status not in ("failed", "cancelled"), f"populating {table}: {status}"
        page.wait_for_timeout(500)  # the run is in the Celery worker: poll its status
    raise AssertionError(f"populating {table} took longer than {timeout} s")


def open_visualize(page: Page, table: str, tier: str = "Manual") -> None:
    page.goto("/p/demo/visualize")
    page.get_by_label("Table").select_option(label=f"{table} ({tier})")


def draw(page: Page) -> None:
    page.get_by_role("button", name="Draw").click()

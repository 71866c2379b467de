"""Reusable steps on the dashboard page (``/p/<slug>/dashboard``) for the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

#: A populate of the demo pipeline takes well under this on the test stack.
RUN_TIMEOUT_MS = 60_000


def open_dashboard(page: Page, slug: str = "demo") -> None:
    """Open the dashboard and wait until its event socket is live and its state is read (the
    populated tables and the runs arrive together)."""
    page.goto(f"/p/{slug}/dashboard")
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    expect(page.get_by_role("table", name="Populated tables")).to_be_visible()


def table_node(page: Page, table: str) -> Locator:
    """The table's node on the diagram (by its class name, e.g. ``Recording``)."""
    return page.locator(".react-flow__node").filter(
        has=page.locator(".table-node-name", has_text=re.compile(rf"^{re.escape(table)}"))
    )


def select_table(page: Page, table: str) -> Locator:
    """Click the table on the diagram; returns its details panel."""
    table_node(page, table).click()
    details = page.locator(".details")
    expect(details.get_by_role("heading", level=2)).to_contain_text(table)
    return details


def start_populate(page: Page, table: str, workers: int = 1) -> Locator:
    """Select the table, ask for ``workers`` workers and start; returns the new run's item."""
    details = select_table(page, table)
    runs = page.locator(f'li.run[data-table="{table}"]')
    before = runs.count()
    details.get_by_label("Workers").fill(str(workers))
    details.get_by_role("button", name="Start populate").click()
    expect(runs).to_have_count(before + 1)
    return runs.first


def wait_progress_complete(page: Page, table: str, status: str = "succeeded") -> Locator:
    """Wait until the newest run of the table shows 100% and has ended with ``status``."""
    run = page.locator(f'li.run[data-table="{table}"]').first
    expect(run.get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "100", timeout=RUN_TIMEOUT_MS
    )
    expect(run.get_by_test_id("run-status")).to_have_text(status, timeout=RUN_TIMEOUT_MS)
    expect(run.locator(".run-percent")).to_have_text("100%")
    return run


def expect_error_group(page: Page, exception: str, message: str | None = None) -> Locator:
    """The selected table's errors hold a group for ``exception`` (with ``message``)."""
    group = page.get_by_role("article", name=exception)
    expect(group.get_by_role("heading", name=exception)).to_be_visible()
    if message is not None:
        expect(group).to_contain_text(message)
    return group

"""The dashboard in a real browser: a populate started by clicking, its progress live over the
socket, a failing key grouped under its exception, the state back after a reload, and what a
viewer may not do."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.harness import WebStack, screenshot
from tests.web.steps_dashboard import (
    expect_error_group,
    open_dashboard,
    select_table,
    start_populate,
    table_node,
    wait_progress_complete,
)

#: A session with nothing recorded: the demo's Recording.make refuses it.
EMPTY_SESSION = {"subject_id": 1, "session_idx": 90, "session_date": "2026-09-01", "duration": 0}
MESSAGE = "Session has no recorded duration (duration=0.0)"


def watch_hidden_nodes(page: Page) -> None:
    """Record in ``window.hiddenNodes`` every diagram node the page hides from now on."""
    page.evaluate(
        """() => {
        window.hiddenNodes = [];
        const hidden = (node) => node.style.visibility === "hidden";
        new MutationObserver((changes) => {
          for (const change of changes) {
            const node = change.target;
            if (node.classList?.contains("react-flow__node") && hidden(node)) {
              window.hiddenNodes.push(node.dataset.id);
            }
          }
        }).observe(document.querySelector(".dashboard-diagram"),
                   { attributes: true, attributeFilter: ["style"], subtree: true });
      }"""
    )


def test_a_populate_runs_live_and_groups_its_failing_key(web: WebStack, page: Page) -> None:
    web.api_as(
        page, "POST", "/api/pipelines/demo/tables/demo/Session/rows/", {"rows": [EMPTY_SESSION]}
    )
    open_dashboard(page)
    expect(table_node(page, "Recording")).to_contain_text("to do")

    # A restriction that is not JSON is refused before anything is sent.
    details = select_table(page, "Recording")
    runs_before = page.locator("li.run").count()
    details.get_by_label("JSON").check()
    details.get_by_label("Restriction (JSON)").fill("{subject_id: 1}")
    details.get_by_role("button", name="Start populate").click()
    expect(details.get_by_role("alert")).to_contain_text("Not valid JSON")
    expect(page.locator("li.run")).to_have_count(runs_before)
    details.get_by_label("Restriction (JSON)").fill("")

    watch_hidden_nodes(page)
    run = start_populate(page, "Recording", workers=2)
    # One key fails, so the run ends failed once every key was tried.
    run = wait_progress_complete(page, "Recording", status="failed")
    # The diagram was redrawn with every update of the run, never hiding a table meanwhile.
    assert page.evaluate("window.hiddenNodes") == []
    expect(run).to_contain_text("1 failed")
    expect(run.get_by_role("button", name="Retry failed keys")).to_be_visible()
    group = expect_error_group(page, "ValueError", MESSAGE)
    expect(group).to_contain_text("subject_id=1, session_idx=90")
    expect(group.get_by_role("button", name="Retry ValueError")).to_be_visible()
    expect(table_node(page, "Recording")).to_contain_text("1 error")
    status_row = (
        page.get_by_role("table", name="Populated tables")
        .get_by_role("row")
        .filter(has_text="Recording")
    )
    expect(status_row.get_by_role("cell").nth(2)).to_have_text("1")  # only the failing key left
    expect(page.get_by_role("table").filter(has_text="Heartbeat")).to_contain_text("ago")
    screenshot(page, "dashboard")

    # A reload reconnects: the run, its figures and the error group are shown again.
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    run = wait_progress_complete(page, "Recording", status="failed")
    expect(run).to_contain_text("1 failed")
    expect(page.locator(".details h2")).to_contain_text("Recording")  # kept in the URL
    expect_error_group(page, "ValueError", MESSAGE)

    # Retrying the run makes only its failed key again (and it fails again).
    run.get_by_role("button", name="Retry failed keys").click()
    run = wait_progress_complete(page, "Recording", status="failed")
    expect(run).to_contain_text("0 done, 1 failed of 1")
    expect(run).to_contain_text("1 key retried from run")
    expect_error_group(page, "ValueError", MESSAGE)

    # Clearing the group lets the next run make the key again.
    page.get_by_role("button", name="Clear ValueError").click()
    expect(page.locator(".details")).to_contain_text("No failed keys.")
    expect(table_node(page, "Recording")).not_to_contain_text("error")


def test_a_viewer_watches_without_controls(web: WebStack) -> None:
    page = web.page("viewer")
    open_dashboard(page)
    details = select_table(page, "Recording")
    expect(details.get_by_text("Remaining")).to_be_visible()
    expect(page.get_by_role("button", name="Start populate")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0)
    expect(page.get_by_role("button", name="Retry failed keys")).to_have_count(0)
    expect(page.get_by_text("You watch this pipeline")).to_be_visible()
    page.context.close()

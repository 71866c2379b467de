"""The end-to-end walk of the web app, as a new lab member does it in a real browser: sign in,
create a pipeline, build four tables by clicking and dragging (a Lookup, a Manual table, a Manual
child whose foreign key renames its parent's key, a Computed table), apply them, enter rows
through the forms (a bad one shows its error and writes nothing), start a populate of the demo
pipeline and watch it reach 100% over the live socket, find the failing key under its exception,
and delete a row after reading the cascade preview."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from playwright.sync_api import Page, WebSocket, expect

from tests.web.harness import WebStack, screenshot, sign_in
from tests.web.steps_builder import build_four_table_pipeline
from tests.web.steps_dashboard import (
    expect_error_group,
    open_dashboard,
    start_populate,
    wait_progress_complete,
)
from tests.web.steps_data import (
    confirm_delete,
    delete_with_preview,
    enter_row,
    find_rows,
    grid_row,
    open_table,
    pick_parent,
    rows_api,
)


def _apply(page: Page) -> None:
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("table", name="Plan").locator("tbody tr")).to_have_count(4)
    page.get_by_label("Revision message").fill("first tables")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="Applied as revision 1")).to_be_visible()
    page.get_by_role("dialog").get_by_role("button", name="Close").click()


def _listen(page: Page) -> list[dict[str, Any]]:
    """Every event message the page's sockets receive."""
    received: list[dict[str, Any]] = []

    def on_socket(socket: WebSocket) -> None:
        def on_frame(payload: str | bytes) -> None:
            message = json.loads(payload)
            received.extend(message.get("events", [message]))

        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    return received


def test_a_new_member_builds_enters_populates_and_deletes(web: WebStack) -> None:
    page = web.page()
    sign_in(page, "walker", "pw-walker")

    # A new pipeline from the pipelines page lands in its builder.
    page.get_by_label("Name").fill("Walk")
    page.get_by_label("Schema in the data database").fill("walk")
    page.get_by_role("button", name="Create pipeline").click()
    expect(page).to_have_url(f"{web.url}/p/walk/builder")
    build_four_table_pipeline(page, "walk", "walk")
    _apply(page)

    # Rows through the forms; a bad one is marked on its field and nothing is written.
    open_table(page, "walk", "Species", slug="walk")
    enter_row(page, "Species", {"species_id": "1", "common_name": "house mouse"})
    open_table(page, "walk", "Subject", slug="walk")
    enter_row(
        page, "Subject", {"subject_id": "7", "born": "2026-02-01"},
        parents=[("species_id", "Species", "1", "house mouse")],
    )  # fmt: skip
    open_table(page, "walk", "Session", slug="walk")
    pick_parent(page, "animal_id", "Subject", "7", "7")
    page.get_by_label("session_id", exact=True).fill("99999999999")
    page.get_by_label("note", exact=True).fill("first session")
    page.get_by_role("button", name="Insert row").click()
    expect(page.get_by_label("session_id", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("form", name="New Session")).to_contain_text("Out of range for int32")
    sessions = rows_api("walk", "walk", "Session")
    assert web.api_as(page, "GET", sessions)["rows"] == []
    page.get_by_label("session_id", exact=True).fill("1")
    page.get_by_role("button", name="Insert row").click()
    expect(page.get_by_role("status").filter(has_text="Inserted Session")).to_be_visible()
    assert [r["animal_id"] for r in web.api_as(page, "GET", sessions)["rows"]] == [7]

    # The demo pipeline's owner makes the newcomer an operator there.
    owner = web.page("demo")
    web.api_as(owner, "PUT", "/api/pipelines/demo/members/walker/", {"role": "operator"})
    owner.context.close()

    # A session with no recorded duration, entered through the form: its recording will fail.
    session_idx = str(random.randint(1000, 30000))
    open_table(page, "demo", "Session")
    pick_parent(page, "subject_id", "Subject", "2", "2")
    enter_row(
        page, "Session",
        {"session_idx": session_idx, "session_date": "2026-07-01", "duration": "0"},
    )  # fmt: skip

    # Populate Recording from the dashboard: progress arrives over the socket and reaches 100%.
    received = _listen(page)
    open_dashboard(page, "demo")
    run = start_populate(page, "Recording", workers=2)
    run_id = int(run.get_attribute("data-run") or 0)
    finished = wait_progress_complete(page, "Recording", status="failed")
    expect(finished).to_contain_text(re.compile(r"\b[1-9]\d* failed"))  # other tests' too
    group = expect_error_group(page, "ValueError", "Session has no recorded duration")
    expect(group).to_contain_text(f"session_idx={session_idx}")
    screenshot(page, "walk-dashboard")
    kinds = {e.get("kind") for e in received if e.get("run") == run_id}
    assert {"started", "key_failed", "finished"} <= kinds, kinds

    # Delete the walk's subject after reading what the cascade takes with it.
    open_table(page, "walk", "Subject", slug="walk")
    find_rows(page, "7")
    row = grid_row(page, "subject_id", "7")
    delete_with_preview(
        page, [row], "This deletes 1 row of Subject, 1 row of Session (2 rows in all)."
    )
    confirm_delete(page)
    expect(row).to_have_count(0)
    assert web.api_as(page, "GET", sessions)["rows"] == []
    page.context.close()

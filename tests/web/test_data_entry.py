"""The data entry page in a real browser on the demo pipeline: entering rows through the generated
form (foreign keys picked from a search), bad rows refused with their reasons and nothing
written, spreadsheet paste with a dry run, inline correction, delete after the cascade preview,
read-only views by role and tier, and a 100,000-row grid that renders only what is on screen."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.web.harness import WebStack, screenshot
from tests.web.steps_data import (
    confirm_delete,
    delete_with_preview,
    edit_cell,
    enter_row,
    find_rows,
    grid_row,
    open_table,
    paste_rows,
    rows_api,
    rows_grid,
    upload_rows,
)

#: True once the species cells on screen are loaded rows around the middle of ``total``.
MIDDLE_SHOWN = """total => {
    const cells = [...document.querySelectorAll('[role=gridcell][data-column=species]')];
    const numbers = cells.map(cell => Number(cell.textContent.split(' ')[1]));
    return numbers.length > 0 && numbers.every(Number.isFinite)
        && Math.abs(numbers[Math.floor(numbers.length / 2)] - total / 2) < total / 1000;
}"""
SUBJECTS = rows_api("demo", "demo", "Subject")
SESSIONS = rows_api("demo", "demo", "Session")


def new_subject_id() -> int:
    """A subject id no other test of the shared demo data uses."""
    return random.randrange(100_000, 2_000_000_000)


def sessions_of(web: WebStack, page: Page, subject_id: int) -> list[dict[str, Any]]:
    where = {"attribute": "subject_id", "operator": "=", "value": subject_id}
    return web.api_as(page, "POST", SESSIONS + "search/", {"where": where})["rows"]  # type: ignore[no-any-return]


def test_entry_form_paste_and_inline_edit(web: WebStack) -> None:
    page = web.page("entry")
    subject_id = new_subject_id()

    # A Subject through the form, its species picked from a search of the Species table.
    open_table(page, "demo", "Subject")
    enter_row(
        page, "Subject", {"subject_id": str(subject_id), "date_of_birth": "2026-03-04"},
        parents=[("species", "Species", "rat", "Rattus norvegicus")],
    )  # fmt: skip
    find_rows(page, str(subject_id))
    row = grid_row(page, "subject_id", str(subject_id))
    expect(row).to_contain_text("Rattus norvegicus")
    expect(row).to_contain_text("2026-03-04")
    screenshot(page, "data-entry")

    # A Session whose session_idx is out of int16's range: marked on the field, nothing sent.
    open_table(page, "demo", "Session")
    enter_form = page.get_by_role("form", name="New Session")
    page.get_by_label("Search Subject").fill(str(subject_id))
    subject = page.get_by_label("subject_id", exact=True)
    expect(subject.locator("option", has_text=str(subject_id))).to_have_count(1)
    subject.select_option(value=json.dumps([subject_id], separators=(",", ":")))
    page.get_by_label("session_idx", exact=True).fill("99999")
    page.get_by_label("session_date", exact=True).fill("2026-06-01")
    page.get_by_role("button", name="Insert row").click()
    expect(page.get_by_label("session_idx", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(enter_form).to_contain_text("Out of range for int16: -32768 to 32767.")
    expect(enter_form).to_contain_text("Required.")  # duration, left empty
    assert sessions_of(web, page, subject_id) == []

    # Fixed, it goes in; the same key again is refused by the server, pinned to the key field.
    page.get_by_label("session_idx", exact=True).fill("0")
    page.get_by_label("duration", exact=True).fill("2.5")
    page.get_by_role("button", name="Insert row").click()
    expect(page.get_by_role("status").filter(has_text="Inserted Session")).to_be_visible()
    page.get_by_label("Search Subject").fill(str(subject_id))
    expect(subject.locator("option", has_text=str(subject_id))).to_have_count(1)
    subject.select_option(value=json.dumps([subject_id], separators=(",", ":")))
    fill = {"session_idx": "0", "session_date": "2026-06-02", "duration": "9"}
    for name, value in fill.items():
        page.get_by_label(name, exact=True).fill(value)
    page.get_by_role("button", name="Insert row").click()
    expect(page.get_by_label("session_idx", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(enter_form).to_contain_text("The table already has this key.")
    assert [s["duration"] for s in sessions_of(web, page, subject_id)] == [2.5]

    # Two pasted rows, one naming a subject that does not exist: the dry run marks it.
    missing = subject_id + 1
    paste_rows(
        page, f"{subject_id}\t1\t2026-06-08\t3.5\n{missing}\t1\t2026-06-08\t3.5\n"
    )  # fmt: skip
    report = page.get_by_role("table", name="Pasted rows")
    expect(page.get_by_text("1 of 2 rows cannot be inserted; nothing was written.")).to_be_visible()
    bad = report.locator("tr.bad-row")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text(str(missing))
    expect(bad).to_contain_text("No row of `demo`.`subject` has these values")
    expect(page.get_by_role("button", name="Insert 2 rows")).to_be_disabled()
    assert len(sessions_of(web, page, subject_id)) == 1

    # Without the bad line the dry run passes, and Insert writes the row.
    paste_rows(
        page, f"subject_id\tsession_idx\tsession_date\tduration\n{subject_id}\t1\t2026-06-08\t3.5"
    )
    expect(page.get_by_text("The row is good: nothing was written yet.")).to_be_visible()
    page.get_by_role("button", name="Insert 1 row", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Inserted 1 row.")).to_be_visible()
    assert len(sessions_of(web, page, subject_id)) == 2

    # A CSV file: the dry run names the bad line; a good file goes in.
    header = "subject_id,session_idx,session_date,duration\n"
    upload_rows(
        page, "bad.csv", f"{header}{subject_id},2,2026-06-15,1\n{subject_id},3,2026-02-30,1\n"
    )
    expect(page.get_by_text("1 of 2 rows cannot be inserted; nothing was written.")).to_be_visible()
    expect(page.get_by_role("list", name="File rows")).to_contain_text("Line 3: session_date:")
    expect(page.get_by_role("button", name="Insert 2 rows from file")).to_be_disabled()
    upload_rows(page, "good.csv", f"{header}{subject_id},2,2026-06-15,1\n")
    expect(page.get_by_text("The row is good: nothing was written yet.")).to_be_visible()
    page.get_by_role("button", name="Insert 1 row from file").click()
    expect(
        page.get_by_role("status").filter(has_text="Inserted 1 row from good.csv.")
    ).to_be_visible()
    assert len(sessions_of(web, page, subject_id)) == 3

    # Inline correction of a secondary attribute: a bad value is refused, a good one saved.
    find_rows(page, str(subject_id))
    session = grid_row(page, "session_date", "2026-06-08")
    edit_cell(page, session, "duration", "long")
    expect(page.get_by_role("alert").filter(has_text="duration: A number.")).to_be_visible()
    expect(page.get_by_label("Edit duration")).to_have_attribute("aria-invalid", "true")
    edit_cell_box = page.get_by_label("Edit duration")
    edit_cell_box.fill("4.25")
    edit_cell_box.press("Enter")
    expect(session.locator('[data-column="duration"]')).to_have_text("4.25")
    durations = sorted(s["duration"] for s in sessions_of(web, page, subject_id))
    assert durations == [1.0, 2.5, 4.25]
    page.context.close()


def test_delete_shows_the_cascade_then_deletes(web: WebStack) -> None:
    page = web.page("operator")
    subject_id = new_subject_id()
    web.api_as(
        page,
        "POST",
        SUBJECTS,
        {
            "rows": [
                {"subject_id": subject_id, "species": "Mus musculus", "date_of_birth": "2026-01-01"}
            ]
        },
    )
    web.api_as(page, "POST", SESSIONS, {"rows": [
        {"subject_id": subject_id, "session_idx": i, "session_date": "2026-06-01", "duration": 2.0}
        for i in range(3)]})  # fmt: skip

    open_table(page, "demo", "Subject")
    expect(page.get_by_role("button", name="Insert row")).to_have_count(1)
    find_rows(page, str(subject_id))
    row = grid_row(page, "subject_id", str(subject_id))
    delete_with_preview(
        page, [row], "This deletes 1 row of Subject, 3 rows of Session (4 rows in all)."
    )
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("row").filter(has_text="demo.Session")).to_contain_text("3")
    screenshot(page, "delete-preview")
    confirm_delete(page)
    expect(row).to_have_count(0)
    assert sessions_of(web, page, subject_id) == []
    where = {"attribute": "subject_id", "operator": "=", "value": subject_id}
    assert web.api_as(page, "POST", SUBJECTS + "search/", {"where": where})["rows"] == []

    # A refused delete (answered by a stand-in preview): the reason shows, nothing can be confirmed.
    refusal = "Deleting these rows would leave SpikeRate without its parts."
    preview = {
        "tables": [{"schema": "demo", "table": "Subject", "rows": 1}], "total": 1,
        "refusal": refusal, "token": None, "expires_at": None,
    }  # fmt: skip
    page.route(
        "**/tables/demo/Subject/rows/delete-preview/", lambda route: route.fulfill(json=preview)
    )
    find_rows(page, "")
    demo_subject = grid_row(page, "subject_id", "1")
    delete_with_preview(page, [demo_subject], "This deletes 1 row of Subject (1 row in all).")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("alert")).to_contain_text(refusal)
    expect(dialog.get_by_role("button", name="Delete 1 row")).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(demo_subject).to_have_count(1)
    page.context.close()


def test_viewers_and_computed_tables_are_read_only(web: WebStack) -> None:
    page = web.page("viewer")
    open_table(page, "demo", "Subject")
    expect(grid_row(page, "subject_id", "1")).to_contain_text("Mus musculus")
    expect(page.get_by_text("entering them needs the entry role")).to_be_visible()
    expect(page.get_by_role("button", name="Insert row")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Delete"))).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    grid_row(page, "subject_id", "1").locator('[data-column="date_of_birth"]').dblclick()
    expect(page.get_by_label("Edit date_of_birth")).to_have_count(0)
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute(
        "href", "/api/pipelines/demo/tables/demo/Subject/rows/export.csv"
    )
    page.context.close()

    page = web.page("entry")
    open_table(page, "demo", "SpikeRate")
    expect(
        page.get_by_text("its rows come from populate, so they are read-only here")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Insert row")).to_have_count(0)
    page.context.close()


@pytest.mark.parametrize("total", [100_000, 10_000_000])
def test_grid_scrolls_a_hundred_thousand_rows_rendering_only_the_visible_ones(
    web: WebStack, total: int
) -> None:
    """The Species rows answered by a stand-in server of many rows: the grid asks only for the
    pages on screen and keeps a few dozen rows in the page. Ten million rows are taller than a
    browser lets an element be: the scroll is compressed and the last row still reachable."""
    page = web.page("viewer")
    asked: list[int] = []

    def rows(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        offset, limit = body["offset"], body["limit"]
        asked.append(offset)
        page_rows = [
            {"species": f"species {i:08d}", "common_name": f"name {i}"}
            for i in range(offset, min(total, offset + limit))
        ]
        route.fulfill(json={
            "count": total if body.get("count") else None, "limit": limit, "offset": offset,
            "order_by": ["species"], "attributes": ["species", "common_name"], "rows": page_rows,
            "next_after": None,
        })  # fmt: skip

    page.route("**/tables/demo/Species/rows/search/", rows)
    last = f"species {total - 1:08d}"
    open_table(page, "demo", "Species")
    grid = rows_grid(page)
    expect(grid_row(page, "species", "species 00000000")).to_be_visible()
    expect(page.get_by_text(f"{total:,} rows")).to_be_visible()
    rendered = grid.get_by_role("row")
    assert rendered.count() < 60

    grid.focus()
    page.keyboard.press("End")
    expect(grid_row(page, "species", last)).to_be_visible()
    assert rendered.count() < 60
    grid.evaluate("element => { element.scrollTop = 0; }")
    expect(grid_row(page, "species", "species 00000000")).to_be_visible()
    grid.evaluate("element => { element.scrollTop = element.scrollHeight; }")
    expect(grid_row(page, "species", last)).to_be_visible()
    assert rendered.count() < 60
    grid.evaluate("element => { element.scrollTop = element.scrollHeight / 2; }")
    page.wait_for_function(MIDDLE_SHOWN, arg=total)  # the rows in the middle, loaded
    shown = grid.locator('[role="gridcell"][data-column="species"]').all_inner_texts()
    numbers = [int(text.split()[1]) for text in shown]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # contiguous rows
    assert rendered.count() < 60
    assert len(asked) <= 10, asked  # the first page, and the pages under each stop
    page.context.close()

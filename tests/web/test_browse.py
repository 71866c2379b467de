"""Browse & query in a real browser: a filter built by clicking, a join, the rows, the code."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.harness import screenshot
from tests.web.steps_browse import add_condition, join, open_browse, run_query, show_code


def test_browse_sessions_filtered_and_joined_with_their_subject(page: Page) -> None:
    open_browse(page, "Session")
    expect(page.get_by_text("Rows 1–6 of 6")).to_be_visible()

    add_condition(page, "duration", ">", "2.5")
    add_condition(page, "subject_id", "in", "1, 3")
    join(page, "Subject")
    run_query(page)

    rows = page.get_by_role("table", name="Rows")
    expect(page.get_by_text("Rows 1–2 of 2")).to_be_visible()
    expect(rows.get_by_role("columnheader", name="species")).to_be_visible()
    expect(rows.get_by_role("row").filter(has_text="Rattus norvegicus")).to_have_count(1)
    expect(rows.get_by_role("row").filter(has_text="Mus musculus")).to_have_count(1)
    screenshot(page, "browse")

    code = show_code(page)
    assert "query = query * demo.Subject" in code
    assert 'Compare("duration", ">", 2.5)' in code
    assert '[{"subject_id": 1}, {"subject_id": 3}]' in code


def test_an_incomplete_condition_is_pointed_out_and_nothing_runs(page: Page) -> None:
    open_browse(page, "Session")
    add_condition(page, "duration", ">", "long")
    run_query(page)
    expect(page.get_by_text("long is not a number.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Complete or remove the highlighted conditions"
    )
    expect(page.get_by_text("Rows 1–6 of 6")).to_be_visible()  # the last result stays

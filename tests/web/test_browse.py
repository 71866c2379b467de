"""Browse & query in a real browser: a filter built by clicking, a join, the rows, the code."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.web.harness import WebStack, screenshot
from tests.web.steps_browse import add_condition, join, open_browse, run_query, show_code
from tests.web.steps_data import rows_api

# Other browser tests of the same portal add sessions to the demo: counts come from the API.
SESSIONS = rows_api("demo", "demo", "Session")
PAGE_SIZE = 50


def subjects_with(web: WebStack, page: Page, where: Any = None) -> list[int]:
    """The subject of each of the demo's sessions matching ``where``, now."""
    rows = web.api_as(page, "POST", SESSIONS + "search/", {"where": where, "limit": 1000})["rows"]
    return [row["subject_id"] for row in rows]


def counted(sessions: list[int]) -> str:
    """The page's "Rows 1–n of m" for these sessions."""
    return f"Rows 1–{min(len(sessions), PAGE_SIZE)} of {len(sessions)}"


def test_browse_sessions_filtered_and_joined_with_their_subject(web: WebStack, page: Page) -> None:
    open_browse(page, "Session")
    expect(page.get_by_text(counted(subjects_with(web, page)))).to_be_visible()

    add_condition(page, "duration", ">", "2.5")
    add_condition(page, "subject_id", "in", "1, 3")
    join(page, "Subject")
    run_query(page)

    where = {"and": [
        {"attribute": "duration", "operator": ">", "value": 2.5},
        {"attribute": "subject_id", "operator": "in", "value": [1, 3]},
    ]}  # fmt: skip
    matching = subjects_with(web, page, where)
    assert matching.count(1) >= 1 and matching.count(3) >= 1  # the demo's own sessions
    rows = page.get_by_role("table", name="Rows")
    expect(page.get_by_text(counted(matching))).to_be_visible()
    expect(rows.get_by_role("columnheader", name="species")).to_be_visible()
    shown = rows.get_by_role("row")
    expect(shown.filter(has_text="Rattus norvegicus")).to_have_count(matching.count(3))
    expect(shown.filter(has_text="Mus musculus")).to_have_count(matching.count(1))
    screenshot(page, "browse")

    code = show_code(page)
    assert "query = query * demo.Subject" in code
    assert 'Compare("duration", ">", 2.5)' in code
    assert '[{"subject_id": 1}, {"subject_id": 3}]' in code


def test_an_incomplete_condition_is_pointed_out_and_nothing_runs(web: WebStack, page: Page) -> None:
    open_browse(page, "Session")
    shown = counted(subjects_with(web, page))
    add_condition(page, "duration", ">", "long")
    run_query(page)
    expect(page.get_by_text("long is not a number.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Complete or remove the highlighted conditions"
    )
    expect(page.get_by_text(shown)).to_be_visible()  # the last result stays

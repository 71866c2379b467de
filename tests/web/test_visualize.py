"""Visualize in a real browser: a histogram of session durations, a recording's traces as a heat
map (Recording populated first through a run), each with its code."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.harness import WebStack, screenshot
from tests.web.steps_browse import draw, open_visualize, populate, show_code


def _number(value: float) -> str:
    return f"{value:g}"


def test_a_histogram_of_session_durations(web: WebStack, page: Page) -> None:
    # Other browser tests add sessions to the shared demo data: the expected figures are read
    # from the API at the time of the test.
    rows = web.api_as(page, "GET", "/api/pipelines/demo/tables/demo/Session/rows/?limit=1000")
    durations = [float(r["duration"]) for r in rows["rows"] if r["duration"] is not None]
    open_visualize(page, "Session")
    page.get_by_label("Histogram").check()
    page.get_by_label("Column", exact=True).select_option("duration")
    page.get_by_label("Bins").fill("4")
    draw(page)
    expect(page.get_by_role("img", name="Session.duration")).to_be_visible()
    facts = page.get_by_label("Summary")
    expect(facts).to_contain_text(f"{len(durations)} rows")
    expect(facts).to_contain_text(f"min {_number(min(durations))}")
    expect(facts).to_contain_text(f"max {_number(max(durations))}")
    assert "plt.hist(values, bins=4)" in show_code(page)


def test_the_heat_map_of_a_recordings_traces(web: WebStack, page: Page) -> None:
    populate(web, page, "Recording")
    open_visualize(page, "Recording", "Imported")
    expect(page.get_by_label("Array of one row")).to_be_checked()
    page.get_by_label("Row", exact=True).select_option(label="subject_id=1, session_idx=1")
    page.get_by_label("Show as", exact=True).select_option("image")
    draw(page)
    heat_map = page.get_by_role("img", name="Recording.traces (1, 1)")
    expect(heat_map).to_be_visible()
    facts = page.get_by_label("Summary")
    expect(facts).to_contain_text("shape (4, 30000)")
    expect(facts).to_contain_text("dtype float64")
    expect(page.get_by_text("4 × 255 cells, each the mean of 1 × 118 values")).to_be_visible()
    # The canvas was painted: its middle pixel is opaque.
    alpha = heat_map.evaluate(
        "c => c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data[3]"
    )
    assert alpha == 255
    screenshot(page, "visualize")
    assert "plt.imshow(" in show_code(page)

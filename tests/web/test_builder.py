"""The builder in a real browser: a new pipeline built by clicking and dragging only, reviewed
and applied; a bad type typed in the side panel pinned to its table; undo; the code; a
viewer's read-only canvas; a 150-table diagram laid out within a second."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.web.harness import WebStack, screenshot
from tests.web.steps_builder import (
    build_four_table_pipeline,
    node,
    open_builder,
    panel,
    select_table,
    settled_box,
    wait_valid,
)


def new_pipeline(web: WebStack, page: Page, prefix: str) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:6]
    slug, schema = f"{prefix}-{tag}", f"{prefix}_{tag}"
    web.api_as(page, "POST", "/api/pipelines/", {"name": f"{prefix} {tag}", "slug": slug, "schemas": [schema]})  # fmt: skip
    return slug, schema


def test_build_review_apply_and_errors_on_the_canvas(web: WebStack, page: Page) -> None:
    slug, schema = new_pipeline(web, page, "built")
    build_four_table_pipeline(page, slug, schema)

    # dragging a table saves its position
    def position() -> tuple[float, float]:
        rows = web.api_as(page, "GET", f"/api/pipelines/{slug}/definitions/")
        found = next(d for d in rows if d["class_name"] == "Species")
        return found["position_x"], found["position_y"]

    before = position()
    box = settled_box(page, node(page, schema, "Species").locator(".table-node-name"))
    page.mouse.move(box["x"] + 20, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] - 140, box["y"] + 8, steps=8)
    page.mouse.up()
    wait_valid(page)
    after = position()
    assert after[0] < before[0] - 30 and after[1] == before[1], (before, after)

    page.get_by_role("button", name="Review").click()
    plan = page.get_by_role("table", name="Plan")
    rows = plan.locator("tbody tr")
    expect(rows).to_have_count(4)
    for i, name in enumerate(["Species", "Subject", "Session", "SessionStats"]):  # parents first
        expect(rows.nth(i).locator("td").nth(0)).to_have_text("create")
        expect(rows.nth(i).locator("td").nth(1)).to_have_text(f"{schema}.{name}")
    page.get_by_label("Revision message").fill("four tables")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="Applied as revision 1")).to_be_visible()
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    tables = web.api_as(page, "GET", f"/api/pipelines/{slug}/tables/")
    assert {t["name"] for t in tables} >= {"Species", "Subject", "Session", "SessionStats"}

    # a bad type typed in the side panel: the API's error is pinned to the table and its line
    side = select_table(page, schema, "Subject")
    side.get_by_label("Type of born").fill("int24")
    expect(node(page, schema, "Subject").locator(".node-errors")).to_contain_text(
        "Unsupported attribute type int24"
    )
    expect(side.locator(".gutter .line-error")).to_have_text("4")
    expect(side.get_by_label("Type of born")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "builder")

    errors = node(page, schema, "Subject").locator(".node-errors")
    page.get_by_role("button", name="Undo").click()
    expect(side.get_by_label("Type of born")).to_have_value("date")
    expect(errors).to_have_count(0)
    wait_valid(page)
    page.locator(".react-flow__pane").click(position={"x": 8, "y": 8})  # leave the text fields
    page.keyboard.press("Control+Shift+Z")
    expect(errors).to_contain_text("int24")
    page.keyboard.press("Control+z")
    expect(errors).to_have_count(0)
    wait_valid(page)

    page.get_by_role("button", name="Show the code").click()
    expect(page.get_by_label("Python module")).to_contain_text("class SessionStats(dj.Computed):")
    expect(page.get_by_label("Python module")).to_contain_text("def make(self, key")


def test_history_diff_and_a_viewer_reads_only(web: WebStack, page: Page) -> None:
    slug, schema = new_pipeline(web, page, "hist")
    base = f"/api/pipelines/{slug}/definitions/"
    web.api_as(page, "POST", base, {"schema": schema, "class_name": "Rig", "tier": "Lookup", "definition": "rig : varchar(8)\n"})  # fmt: skip
    web.api_as(page, "POST", f"{base}apply/", {"message": "first"})
    rig = web.api_as(page, "GET", base)[0]
    web.api_as(page, "PATCH", f"{base}{rig['id']}/", {"definition": "rig : varchar(8)\n---\nroom : varchar(16)\n"})  # fmt: skip

    open_builder(page, slug)
    page.get_by_role("button", name="History").click()
    dialog = page.get_by_role("dialog", name="Revision history")
    expect(dialog.get_by_role("table", name="Revisions")).to_contain_text("first")
    diff = dialog.get_by_label("Differences")
    expect(diff.locator(".diff-added")).to_have_text(["+ ---", "+ room : varchar(16)"])
    dialog.get_by_role("button", name="Restore revision 1 as draft").click()
    select_table(page, schema, "Rig")
    expect(page.get_by_label("Definition text")).to_have_value("rig : varchar(8)\n")

    web.api_as(page, "PUT", f"/api/pipelines/{slug}/members/viewer/", {"role": "viewer"})
    viewer = web.page("viewer")
    open_builder(viewer, slug)
    expect(node(viewer, schema, "Rig")).to_be_visible()
    expect(viewer.get_by_role("button", name="Add table")).to_have_count(0)
    expect(viewer.get_by_role("button", name="Review")).to_have_count(0)
    select_table(viewer, schema, "Rig")
    expect(panel(viewer, "Rig").get_by_label("Definition text")).to_have_attribute("readonly", "")
    viewer.context.close()


def test_a_never_placed_pipeline_is_laid_out_and_a_drag_saves_every_place(
    web: WebStack, page: Page
) -> None:
    slug, schema = new_pipeline(web, page, "placed")
    base = f"/api/pipelines/{slug}/definitions/"
    for name, text in (
        ("Rig", "rig : varchar(8)\n"),
        ("Box", "-> Rig\nbox : int32\n"),
        ("Run", "-> Box\nrun : int32\n"),
    ):
        web.api_as(page, "POST", base, {"schema": schema, "class_name": name, "tier": "Manual", "definition": text})  # fmt: skip

    def places() -> dict[str, tuple[float, float]]:
        rows = web.api_as(page, "GET", base)
        return {d["class_name"]: (d["position_x"], d["position_y"]) for d in rows}

    open_builder(page, slug)
    expect(page.locator(".builder-canvas")).to_have_attribute("data-layouts", "1")
    assert set(places().values()) == {(0.0, 0.0)}  # opening the builder writes nothing

    box = settled_box(page, node(page, schema, "Run").locator(".table-node-name"))
    page.mouse.move(box["x"] + 20, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + 8, steps=8)
    page.mouse.up()
    wait_valid(page)
    saved = places()
    assert len(set(saved.values())) == 3 and (0.0, 0.0) not in saved.values(), saved
    assert saved["Rig"][1] < saved["Box"][1] < saved["Run"][1]  # parents above children

    page.reload()  # the saved places are drawn as they are, not laid out again
    expect(node(page, schema, "Run")).to_be_visible()
    expect(page.locator(".builder-canvas")).to_have_attribute("data-layouts", "0")
    assert places() == saved

"""Steps of the builder done as a person does them: clicks, typing and drags on the canvas.

Reusable by any browser test (an end-to-end walk builds its pipeline with
``build_four_table_pipeline``).
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def open_builder(page: Page, slug: str) -> None:
    page.goto(f"/p/{slug}/builder")
    expect(page.get_by_role("toolbar", name="Builder")).to_be_visible()


def node(page: Page, schema: str, class_name: str) -> Locator:
    """The table's node on the canvas."""
    return page.locator(f'.react-flow__node[data-id="{schema}.{class_name}"]')


def panel(page: Page, class_name: str) -> Locator:
    return page.get_by_role("complementary", name=f"Table {class_name}")


def add_table(page: Page, schema: str, name: str, tier: str) -> Locator:
    page.get_by_role("button", name="Add table").click()
    page.get_by_label("New table name").fill(name)
    page.get_by_label("New table tier").select_option(tier)
    page.get_by_role("button", name="Add", exact=True).click()
    added = node(page, schema, name)
    expect(added).to_be_visible()
    expect(panel(page, name)).to_be_visible()
    return added


def select_table(page: Page, schema: str, class_name: str) -> Locator:
    node(page, schema, class_name).locator(".table-node-name").click()
    found = panel(page, class_name)
    expect(found).to_be_visible()
    return found


def add_attribute(page: Page, name: str, type_: str, *, key: bool = False) -> None:
    """Add an attribute to the selected table in its side panel."""
    page.get_by_role("button", name="Add key attribute" if key else "Add attribute").click()
    page.get_by_label("Name of new attribute").fill(name)
    page.get_by_label(f"Type of {name}").fill(type_)


def settled_box(page: Page, target: Locator) -> dict[str, float]:
    """The element's box once the canvas has stopped moving it: adding a table fits the view
    on the next animation frame, so a box read at once can be where the handle no longer is."""
    last = None
    for _ in range(50):
        box = target.bounding_box()
        if box is not None and box == last:
            return box
        last = box
        page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
    raise AssertionError(f"{target} kept moving on the canvas")


def drag_foreign_key(page: Page, parent: Locator, child: Locator) -> None:
    """Drag from the parent's bottom handle to the child's top handle."""
    start = settled_box(page, parent.locator(".react-flow__handle-bottom"))
    end = settled_box(page, child.locator(".react-flow__handle-top"))
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2 - 20, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=4)
    page.mouse.up()


def auto_layout(page: Page) -> None:
    """Click "Auto-layout" and wait until the new positions are on the canvas."""
    canvas = page.locator(".builder-canvas")
    done = int(canvas.get_attribute("data-layouts") or "0")
    page.get_by_role("button", name="Auto-layout").click()
    expect(canvas).to_have_attribute("data-layouts", str(done + 1))


def wait_valid(page: Page) -> None:
    """Every edit saved and the API found no error."""
    expect(page.get_by_role("status").filter(has_text="Valid")).to_be_visible()


def build_four_table_pipeline(page: Page, slug: str, schema: str) -> None:
    """A Lookup, a Manual table, a Manual child whose foreign key renames its parent's key,
    and a Computed table, built on the canvas by clicking and dragging only."""
    open_builder(page, slug)
    species = add_table(page, schema, "Species", "Lookup")
    add_attribute(page, "common_name", "varchar(64)")

    subject = add_table(page, schema, "Subject", "Manual")
    add_attribute(page, "born", "date")
    drag_foreign_key(page, species, subject)
    subject_panel = panel(page, "Subject")
    expect(subject_panel.get_by_text("→ Species")).to_be_visible()
    subject_panel.get_by_label("-> Species in primary key").uncheck()  # a secondary reference

    session = add_table(page, schema, "Session", "Manual")
    add_attribute(page, "note", "varchar(255)")
    drag_foreign_key(page, subject, session)
    rename = panel(page, "Session").get_by_label("Rename subject_id from Subject")
    expect(rename).to_be_focused()
    rename.fill("animal_id")
    expect(page.get_by_label("Definition text")).to_have_value(
        "-> Subject.proj(animal_id='subject_id')\nsession_id : int32\n---\nnote : varchar(255)\n"
    )

    stats = add_table(page, schema, "SessionStats", "Computed")
    drag_foreign_key(page, session, stats)
    add_attribute(page, "duration", "float64")
    expect(stats).to_contain_text("animal_id")  # the renamed key, inherited through Session
    auto_layout(page)  # parents above children
    wait_valid(page)

"""Every page at 1280x800: each control has an accessible name (a label, its text or an aria
label), the page does not scroll sideways, and the keyboard reaches the page's controls."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.harness import WebStack

#: Roles a person operates; each needs a name a screen reader can say.
CONTROLS = ("button", "link", "textbox", "combobox", "checkbox", "radio", "spinbutton", "slider")
UNNAMED = re.compile(rf"^\s*- ({'|'.join(CONTROLS)})(?: \[[^\]]*\])?:?\s*$", re.M)

#: Each page, and a control that shows it is drawn.
PAGES = {
    "pipelines": ("/", "button", "Create pipeline"),
    "dashboard": ("/p/demo/dashboard?table=demo.Recording", "button", "Start populate"),
    "builder": ("/p/demo/builder", "button", "Add table"),
    "data entry": ("/p/demo/data/demo/Session", "button", "Insert row"),
    "browse": ("/p/demo/browse", "combobox", "Table"),
    "visualize": ("/p/demo/visualize", "combobox", "Table"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_controls_are_named_and_fit_the_screen(page: Page, name: str) -> None:
    path, role, control = PAGES[name]
    page.goto(path)
    expect(page.get_by_role(role, name=control, exact=True)).to_be_visible()  # type: ignore[arg-type]
    page.wait_for_load_state("networkidle")

    tree = page.locator("body").aria_snapshot()
    unnamed = UNNAMED.findall(tree)
    assert not unnamed, f"{name}: controls without a name: {unnamed}\n{tree}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 1280x800"


def test_the_keyboard_reaches_the_tabs_and_the_form(web: WebStack, page: Page) -> None:
    page.goto("/p/demo/data/demo/Subject")
    expect(page.get_by_role("heading", name="demo.Subject")).to_be_visible()
    reached: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                """() => {
                  const el = document.activeElement;
                  return (el.getAttribute('aria-label') || el.labels?.[0]?.textContent
                          || el.textContent || '').trim().slice(0, 40);
                }"""
            )
        )
    assert "Builder" in reached and "Dashboard" in reached
    assert any(text.startswith("subject_id") for text in reached), reached
    assert "Insert row" in reached, reached

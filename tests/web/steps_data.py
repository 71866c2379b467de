"""Steps on the data entry page (``/p/<slug>/data/<schema>/<Table>``), shared by the browser tests
of the page and by walks through the whole app."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect


def open_table(page: Page, schema: str, table: str, slug: str = "demo") -> None:
    page.goto(f"/p/{slug}/data/{schema}/{table}")
    expect(page.get_by_role("heading", name=f"{schema}.{table}")).to_be_visible()


def rows_grid(page: Page) -> Locator:
    return page.get_by_role("grid", name=re.compile(r"^Rows of "))


def grid_row(page: Page, column: str, value: str) -> Locator:
    """The grid's row whose ``column`` cell reads exactly ``value``."""
    cell = page.locator(f'[data-column="{column}"]', has_text=re.compile(f"^{re.escape(value)}$"))
    return rows_grid(page).get_by_role("row").filter(has=cell)


def find_rows(page: Page, text: str) -> None:
    """Narrow the grid to rows matching ``text`` (and wait until it has); "" shows every row."""
    page.get_by_label("Find rows").fill(text)
    if text:
        expect(page.get_by_text(re.compile(r"\d+ matching"))).to_be_visible()
    else:
        expect(page.get_by_text(re.compile(r"^[\d,]+ rows$"))).to_be_visible()


def pick_parent(page: Page, label: str, parent: str, search: str, shows: str) -> None:
    """In the foreign-key select ``label``, search the ``parent`` table's rows for ``search`` and
    pick the option that shows ``shows``."""
    page.get_by_label(f"Search {parent}").fill(search)
    select = page.get_by_label(label, exact=True)
    option = select.locator("option", has_text=shows)
    expect(option).to_have_count(1)
    select.select_option(value=option.get_attribute("value"))


def fill_form(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.get_by_label(name, exact=True).fill(value)


def enter_row(
    page: Page,
    table: str,
    values: dict[str, str],
    parents: Sequence[tuple[str, str, str, str]] = (),
) -> None:
    """Fill the form of ``table`` (``parents``: ``(label, parent, search, shows)`` per foreign
    key), insert the row and wait for the confirmation."""
    for label, parent, search, shows in parents:
        pick_parent(page, label, parent, search, shows)
    fill_form(page, values)
    page.get_by_role("button", name="Insert row").click()
    expect(page.get_by_role("status").filter(has_text=f"Inserted {table}")).to_be_visible()


def paste_rows(page: Page, text: str) -> None:
    """Paste tab-separated rows and run the dry run (the report shows below)."""
    summary = page.get_by_text("Paste rows from a spreadsheet")
    if page.get_by_label("Paste rows", exact=True).is_hidden():
        summary.click()
    page.get_by_label("Paste rows", exact=True).fill(text)
    page.get_by_role("button", name="Check rows (dry run)").click()


def upload_rows(page: Page, filename: str, content: str) -> None:
    """Choose a CSV or JSON file of rows and run the dry run (the report shows below)."""
    if page.get_by_label("CSV or JSON file").is_hidden():
        page.get_by_text("Upload a CSV or JSON file").click()
    page.get_by_label("CSV or JSON file").set_input_files(
        files=[{"name": filename, "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Check file (dry run)").click()


def edit_cell(page: Page, row: Locator, column: str, text: str) -> None:
    """Double-click a cell, type ``text`` and press Enter."""
    row.locator(f'[data-column="{column}"]').dblclick()
    box = page.get_by_label(f"Edit {column}")
    box.fill(text)
    box.press("Enter")


def delete_with_preview(page: Page, rows: list[Locator], cascade: str) -> None:
    """Select ``rows``, open the delete preview, check it says ``cascade`` and confirm."""
    for row in rows:
        row.get_by_role("checkbox").check()
    page.get_by_role("button", name=re.compile(r"^Delete \d+…$")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(cascade)


def confirm_delete(page: Page) -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name=re.compile(r"^Delete \d+ rows?$")).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="Deleted")).to_be_visible()


def rows_api(slug: str, schema: str, table: str) -> str:
    return f"/api/pipelines/{slug}/tables/{quote(schema)}/{quote(table)}/rows/"

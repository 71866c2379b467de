"""Rows from an uploaded file (CSV with a header row, or JSON), checked and inserted.

CSV cells are text: an empty cell is NULL (the attribute's default), ``json`` and ``<blob>``
cells hold JSON text, ``bool`` cells ``true``/``false``; files cannot travel in a CSV. A JSON
file is a list of row objects, or ``{"rows": [...]}``, with values as the API takes them.
Row ``index`` in reports counts data rows from 0 (the CSV header is not a row).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pipelines.services.errors import Invalid
from pipelines.services.row_tables import RowTable
from pipelines.services.rows_write import MAX_ROWS, InsertReport, rows_insert
from pipelines.services.values import ENTRY_FILE, Kind

_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def rows_upload(
    *, actor: Any, target: RowTable, filename: str, content: bytes, dry_run: bool
) -> InsertReport:
    """Insert the file's rows, all or nothing (``dry_run``: only report what is wrong)."""
    rows, refused = rows_from_file(target=target, filename=filename, content=content)
    return rows_insert(
        actor=actor, target=target, rows=rows, dry_run=dry_run, source=f"upload:{filename}",
        refused=refused,
    )  # fmt: skip


def rows_from_file(
    *, target: RowTable, filename: str, content: bytes
) -> tuple[list[Any], dict[int, dict[str, str]]]:
    """The rows of a CSV or JSON file, and the cells that could not be read, per row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text.") from None
    if filename.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{"):
        return _json_rows(text), {}
    return _csv_rows(target, text)


def _json_rows(text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise Invalid(f"The file is not valid JSON: {error}.") from None
    if isinstance(data, dict) and set(data) == {"rows"}:
        data = data["rows"]
    if not isinstance(data, list):
        raise Invalid('A JSON upload is a list of rows or {"rows": [...]}.')
    return data


def _csv_rows(target: RowTable, text: str) -> tuple[list[Any], dict[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="\0extra")
    header = reader.fieldnames
    if not header:
        raise Invalid("The CSV file is empty: its first line names the attributes.")
    unknown = [name for name in header if name not in target.kinds]
    if unknown or len(set(header)) != len(header):
        raise Invalid(
            "The CSV header names attributes the table does not have, or one twice.",
            details={"columns": unknown, "attributes": target.heading.names},
        )
    rows: list[Any] = []
    refused: dict[int, dict[str, str]] = {}
    try:
        for index, record in enumerate(reader):
            if index >= MAX_ROWS:
                raise Invalid(f"An upload holds at most {MAX_ROWS} rows.")
            row: dict[str, Any] = {}
            for name, cell in record.items():
                if name == "\0extra":
                    refused.setdefault(index, {})["*"] = "The line has more cells than the header."
                    continue
                try:
                    row[name] = _cell(target.kinds[name], cell)
                except ValueError as error:
                    refused.setdefault(index, {})[name] = str(error)
            rows.append(row)
    except csv.Error as error:
        raise Invalid(f"The CSV file cannot be read: {error}.") from None
    return rows, refused


def _cell(kind: Kind, cell: str | None) -> Any:
    if cell is None or cell == "":
        return None
    if kind.entry == ENTRY_FILE:
        raise ValueError("Files cannot be given in a CSV: upload them to the row afterwards.")
    if kind.name in ("json", "blob"):
        try:
            return json.loads(cell)
        except ValueError:
            raise ValueError("Expected JSON text.") from None
    if kind.name == "bool":
        word = cell.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    return cell

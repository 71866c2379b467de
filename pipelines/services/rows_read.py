"""Reading a table's rows: its heading, a page of rows, a CSV export, one stored file.

Bytes are never fetched for a page: a blob, attachment or bytes column is fetched as its size,
an object-store column as its stored metadata (SQL expressions over the column, built here from
heading names), so a page costs the same whatever the rows hold and nothing is decoded.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from pipelines.core.query.conditions import And, Compare, Or
from pipelines.core.query.heading import Attribute
from pipelines.core.query.values import enum_values
from pipelines.models import Pipeline
from pipelines.services.errors import Invalid, NotFound
from pipelines.services.row_tables import ENTRY_TIERS, RowTable, key_of, one_row, restricted
from pipelines.services.tables import table_list, table_query
from pipelines.services.values import BYTES, RAW, STORE, VALUE, plain_out, value_out

MAX_PAGE = 1000
#: Rows fetched per query while exporting (the export reads the table in key order).
EXPORT_CHUNK = 5000


@dataclass(frozen=True)
class RowsPage:
    count: int | None
    limit: int
    offset: int
    order_by: list[str]
    rows: list[dict[str, Any]]
    #: The key of the last row when the page is full (pass as ``after`` for the next page).
    next_after: dict[str, Any] | None = None


def tables_described(*, pipeline: Pipeline) -> list[dict[str, Any]]:
    """Every table of the pipeline with its heading, parents first."""
    return [
        table_described(RowTable(pipeline, named, table_query(named)))
        for named in table_list(pipeline=pipeline)
    ]


def table_described(target: RowTable, *, count: bool = False) -> dict[str, Any]:
    described = {
        "schema": target.name.schema,
        "name": target.name.name,
        "tier": target.name.tier,
        "table_name": target.name.table_name,
        "entry": target.entry_tier in ENTRY_TIERS,
        "primary_key": target.heading.primary_key,
        "attributes": table_heading(target),
    }
    if count:
        described["count"] = len(target.table)
    return described


def table_heading(target: RowTable) -> list[dict[str, Any]]:
    """The attributes as a form and a grid need them."""
    result = []
    for attribute in target.heading:
        kind = target.kinds[attribute.name]
        result.append(
            {
                "name": attribute.name,
                "type": attribute.original_type or attribute.type,
                "sql_type": attribute.storage_type,
                "kind": kind.name,
                "storage": kind.storage,
                "entry": kind.entry,
                "in_key": attribute.in_key,
                "nullable": attribute.nullable,
                "default": _default(attribute),
                "autoincrement": attribute.autoincrement,
                "comment": attribute.comment,
                "enum": list(enum_values(attribute.storage_type) or []) or None,
            }
        )
    return result


def _default(attribute: Attribute) -> str | None:
    """The default as text (None: NULL or no default); string defaults without their quotes."""
    default = attribute.default
    if attribute.nullable or default is None:
        return None
    quoted = len(default) >= 2 and default[0] == default[-1] == '"'
    return default[1:-1] if quoted else default


def rows_page(
    *,
    target: RowTable,
    where: Any = None,
    order_by: list[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    count: bool = True,
    after: Any = None,
) -> RowsPage:
    """A page of rows: ``limit`` rows from ``offset`` in ``order_by`` order (then the key).

    ``after`` (a key) starts the page after that row in key order: a deep page then costs what
    the first does, where a large ``offset`` makes the database step over every earlier row.
    ``count=False`` skips counting the matching rows (a scan of the table on MariaDB).
    """
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise Invalid(f"limit is 1 to {MAX_PAGE}, offset 0 or more.")
    order = order_items(target, order_by or [])
    query = restricted(target, where)
    page = query
    if after is not None:
        if order_by:
            raise Invalid("after pages in key order: give no order_by with it.")
        page = query & after_key(target.heading.primary_key, key_of(target, after, at="after"))
    rows = browsed(target, page).to_dicts(order_by=order, limit=limit, offset=offset)
    key = target.heading.primary_key
    return RowsPage(
        count=len(query) if count else None,
        limit=limit,
        offset=offset,
        order_by=order,
        rows=rows_out(target, rows),
        next_after={k: plain_out(rows[-1][k]) for k in key} if len(rows) == limit else None,
    )


def order_items(target: RowTable, order_by: list[str]) -> list[str]:
    """``["a", "-b"]`` -> ``["a", "b DESC", <the rest of the key>]``: names checked against the
    heading, the key appended so pages never overlap."""
    items, named = [], set()
    for item in order_by:
        name = item[1:] if item.startswith("-") else item
        kind = target.kinds.get(name)
        if kind is None:
            raise Invalid(f"order_by: the table has no attribute {name!r}.")
        if not kind.sortable:
            raise Invalid(f"order_by: rows cannot be ordered by {name!r} ({kind.name}).")
        if name not in named:
            named.add(name)
            items.append(f"{name} DESC" if item.startswith("-") else name)
    items += [name for name in target.heading.primary_key if name not in named]
    return items


def browsed(target: RowTable, query: Any) -> Any:
    """``query`` with stored bytes replaced by their size and codec columns by what they
    store (nothing is decoded)."""
    dialect = target.table.connection.dialect
    special = {n: k for n, k in target.kinds.items() if k.storage != VALUE}
    if not special:
        return query
    computed = {}
    for name, kind in special.items():
        column = dialect.quote(name)
        computed[name] = f"length({column})" if kind.storage == BYTES else column
    return query.proj(*[f"-{name}" for name in special], **computed)


def rows_out(target: RowTable, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fetched rows as JSON objects, attributes in heading order."""
    outputs = []
    for attribute in target.heading:
        kind = target.kinds[attribute.name]
        as_is = kind.name == "plain" and (attribute.is_integer or attribute.string)
        outputs.append((attribute.name, None if as_is else partial(value_out, kind)))
    return [
        {name: row[name] if out is None else out(row[name]) for name, out in outputs}
        for row in rows
    ]


# --- export ---------------------------------------------------------------------------------------
def export_columns(target: RowTable) -> list[str]:
    """What a CSV can hold: every attribute but stored bytes and object-store values."""
    return [n for n, k in target.kinds.items() if k.storage in (VALUE, RAW)]


def rows_export_csv(*, target: RowTable, where: Any = None) -> Iterator[str]:
    """The rows as CSV text, in chunks, read in key order a chunk at a time (each chunk its own
    query after the last key, so no cursor stays open between chunks). NULL is an empty cell;
    json values are JSON text."""
    query = restricted(target, where)  # checked now, before the response starts
    columns = export_columns(target)
    key = target.heading.primary_key
    return _export(target, query, columns, key)


def _export(target: RowTable, query: Any, columns: list[str], key: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    yield _drain(buffer)
    last: dict[str, Any] | None = None
    while True:
        page = query if last is None else query & after_key(key, last)
        rows = browsed(target, page).to_dicts(order_by=key or None, limit=EXPORT_CHUNK)
        for row in rows:
            writer.writerow([_cell(target, name, row[name]) for name in columns])
        yield _drain(buffer)
        if len(rows) < EXPORT_CHUNK or not key:
            return
        last = rows[-1]


def after_key(key: list[str], last: dict[str, Any]) -> Any:
    """Rows whose key sorts after ``last`` (``k1 > v1 OR (k1 = v1 AND k2 > v2) …``)."""
    branches = []
    for position, name in enumerate(key):
        equal = [Compare(k, "=", last[k]) for k in key[:position]]
        branches.append(And((*equal, Compare(name, ">", last[name]))))
    return Or(tuple(branches))


def _cell(target: RowTable, name: str, value: Any) -> Any:
    if value is None:
        return ""
    out = value_out(target.kinds[name], value)
    if isinstance(out, bool):
        return "true" if out else "false"
    if isinstance(out, dict | list) or target.kinds[name].name == "json":
        return json.dumps(out)
    return out


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# --- one stored file ------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredFile:
    filename: str
    data: bytes


def row_file(*, target: RowTable, key: Any, attribute: str) -> StoredFile:
    """The bytes one row holds in ``attribute`` (a bytes, ``<blob>`` or ``<attach>`` column):
    the attachment's own name and content, or the stored bytes (a ``<blob>``'s are DataJoint's
    blob format, which DataJoint can read)."""
    kind = target.kinds.get(attribute)
    if kind is None:
        raise Invalid(f"The table has no attribute {attribute!r}.")
    if kind.storage != BYTES:
        where = "an object store" if kind.storage == STORE else "no file"
        raise Invalid(f"{attribute!r} ({kind.name}) holds {where}: nothing to download here.")
    found = one_row(target, key_of(target, key))
    column = target.table.connection.dialect.quote(attribute)
    stored = found.proj(**{attribute: column}).fetch1(attribute)
    if stored is None:
        raise NotFound(f"{attribute!r} is empty in this row.")
    data = bytes(stored)
    if kind.name == "attach":
        name, _, content = data.partition(b"\0")
        return StoredFile(name.decode("utf-8", errors="replace") or attribute, content)
    if kind.name == "blob":
        return StoredFile(f"{attribute}.blob", data)
    return StoredFile(f"{attribute}.bin", data)

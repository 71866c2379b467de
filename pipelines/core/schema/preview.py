"""Text and HTML previews of a query, as DataJoint shows them in a notebook."""

from __future__ import annotations

import html
from typing import Any


def _rows(query: Any) -> tuple[list[str], list[dict[str, Any]], bool]:
    limit = int(query.connection.config["display.limit"])
    rows = query.to_dicts(order_by="KEY", limit=limit + 1)
    return query.heading.names, rows[:limit], len(rows) > limit


def _cell(query: Any, name: str, value: Any) -> str:
    attribute = query.heading[name]
    if attribute.codec is not None or attribute.type.startswith("<") or attribute.is_blob:
        return "=BLOB=" if value is not None else "None"
    if attribute.json:
        return "json"
    return str(value)


def preview_text(query: Any) -> str:
    names, rows, more = _rows(query)
    width = int(query.connection.config["display.width"])
    key = set(query.heading.primary_key)
    header = [("*" if n in key else "") + n for n in names]

    def fit(text: str) -> str:
        return text[:width].ljust(width)

    lines = [" ".join(fit(h) for h in header), " ".join("+" + "-" * (width - 1) for _ in names)]
    lines += [" ".join(fit(_cell(query, n, row[n])) for n in names) for row in rows]
    if more:
        lines.append("   ...")
    if query.connection.config["display.show_tuple_count"]:
        lines.append(f" (Total: {len(query)})")
    return "\n".join(lines) + "\n"


def preview_html(query: Any) -> str:
    names, rows, more = _rows(query)
    key = set(query.heading.primary_key)
    head = "".join(f"<th{' class=key' if n in key else ''}>{html.escape(n)}</th>" for n in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(query, n, r[n]))}</td>" for n in names) + "</tr>"
        for r in rows
    )
    more_text = "<p>...</p>" if more else ""
    total = (
        f"<p>Total: {len(query)}</p>" if query.connection.config["display.show_tuple_count"] else ""
    )
    return (
        "<style>.dj-preview th.key{font-weight:bold}</style>"
        f"<table class='dj-preview'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"{more_text}{total}"
    )

# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, union-attr"
"""Browsing: tables with headings, pages of rows (paging, ordering, conditions), value encoding,
CSV export; bad input is a clear 400. On both data backends."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pipelines.services import rows_read
from tests.portal.rows.conftest import ClientFor, Lab, where

pytestmark = pytest.mark.django_db


def test_tables_are_listed_with_tier_heading_and_entry_rule(
    lab: Lab, client_for: ClientFor
) -> None:
    response = client_for("viewer").get("/api/pipelines/lab/tables/")
    assert response.status_code == 200, response.content
    tables = {t["name"]: t for t in response.json()}
    order = list(tables)
    assert sorted(order) == ["Rig", "Session", "Session.Trial", "Subject", "Summary"]
    assert order.index("Rig") < order.index("Session") < order.index("Session.Trial")
    assert order.index("Subject") < order.index("Session") < order.index("Summary")
    assert {n: (t["tier"], t["entry"]) for n, t in tables.items()} == {
        "Rig": ("Lookup", True), "Subject": ("Manual", True), "Session": ("Manual", True),
        "Session.Trial": ("Part", True), "Summary": ("Computed", False),
    }  # fmt: skip
    subject = {a["name"]: a for a in tables["Subject"]["attributes"]}
    assert subject["subject_id"]["in_key"] and subject["subject_id"]["type"] == "int32"
    assert subject["born"]["nullable"] and subject["born"]["default"] is None
    assert subject["sex"]["enum"] == ["f", "m", "u"] and subject["sex"]["default"] == "u"
    assert subject["meta"]["kind"] == "json" and subject["active"]["kind"] == "bool"
    session = {a["name"]: a for a in tables["Session"]["attributes"]}
    kinds = [(session[n]["kind"], session[n]["storage"], session[n]["entry"]) for n in session]
    assert kinds[-3:] == [
        ("blob", "bytes", "value"), ("bytes", "bytes", "file"), ("attach", "bytes", "file"),
    ]  # fmt: skip
    detail = client_for("viewer").get(lab.url("Session.Trial", "")).json()
    assert detail["count"] == 3 and detail["primary_key"] == ["subject_id", "session", "trial"]


def test_page_encodes_every_kind_of_value(lab: Lab, client_for: ClientFor) -> None:
    body = client_for("viewer").get(lab.url("Subject")).json()
    assert body["count"] == 3 and body["attributes"][0] == "subject_id"
    ann, bob, _ = body["rows"]
    assert ann == {
        "subject_id": 1, "name": "ann", "born": "2024-01-02", "weight": "20.50", "sex": "f",
        "meta": None, "active": True,
    }  # fmt: skip
    assert bob["meta"] == {"cage": 7, "tags": ["x"]} and bob["active"] is False
    sessions = client_for("viewer").get(lab.url("Session")).json()["rows"]
    first, second, third = sessions
    assert first["started"] == "2024-05-01T13:45:00" and first["raw"] is None
    assert second["raw"]["blob"] is True and second["raw"]["size"] == 3
    assert "/rows/blob/?key=" in second["raw"]["download"]
    assert third["signal"]["blob"] is True and third["signal"]["size"] > 0


def test_paging_and_ordering(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("viewer")
    page = client.get(lab.url("Subject") + "?order_by=-name&limit=2&offset=0").json()
    assert [r["name"] for r in page["rows"]] == ["o'hara; DROP TABLE x", "bob"]
    assert page["order_by"] == ["name DESC", "subject_id"] and page["count"] == 3
    rest = client.get(lab.url("Subject") + "?order_by=-name&limit=2&offset=2").json()
    assert [r["name"] for r in rest["rows"]] == ["ann"]
    uncounted = client.get(lab.url("Subject") + "?count=0&limit=1").json()
    assert uncounted["count"] is None and len(uncounted["rows"]) == 1


def test_conditions_in_the_url_and_in_a_search_body(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("viewer")
    tree: Any = {"or": [{"attribute": "weight", "operator": ">", "value": 25},
                        {"attribute": "name", "value": "ann"}]}  # fmt: skip
    page = client.get(lab.url("Subject") + "?where=" + where(tree)).json()
    assert [r["subject_id"] for r in page["rows"]] == [1, 3] and page["count"] == 2
    by_table = {"table": {"schema": lab.schema, "name": "Session"},
                "where": {"attribute": "rig", "operator": "is not null"}}  # fmt: skip
    found = client.post(lab.url("Subject", "rows/search/"), {"where": by_table}, format="json")
    assert found.status_code == 200 and [r["subject_id"] for r in found.json()["rows"]] == [1]
    sql = {"attribute": "name", "value": "o'hara; DROP TABLE x"}
    page = client.post(
        lab.url("Subject", "rows/search/"), {"where": sql, "limit": 5}, format="json"
    )
    assert [r["subject_id"] for r in page.json()["rows"]] == [3]
    assert lab.count("Subject") == 3


BAD_PAGES = [
    ("?where=%7Bnot-json", "where is not valid JSON"),
    ("?where=" + where({"attribute": "nope", "value": 1}), "no attribute 'nope'"),
    ("?where=" + where({"attribute": "name", "operator": "; DROP", "value": 1}), "operator"),
    ("?where=" + where({"attribute": "name", "value": {"$ne": 1}}), "values are strings"),
    ("?where=" + where({"table": {"schema": "other", "name": "Rig"}}), "not part of"),
    ("?where=" + where({"table": {"schema": "S", "name": "x`; DROP"}}), "not part of"),
    ("?order_by=nope", "no attribute 'nope'"),
    ("?order_by=name;DROP TABLE x", "no attribute"),
    ("?limit=0", "limit"),
    ("?limit=5000", "limit"),
    ("?limit=x", "limit"),
    ("?offset=-1", "offset"),
]


def test_bad_page_requests_are_clear_400s(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("viewer")
    for query, expected in BAD_PAGES:
        response = client.get(lab.url("Subject") + query)
        assert response.status_code == 400, (query, response.content)
        error = response.json()["error"]
        assert expected in error["message"], (query, error)
    search = client.post(lab.url("Subject", "rows/search/"), {"limit": "many"}, format="json")
    assert search.status_code == 400 and "limit" in search.json()["error"]["details"]
    assert lab.count("Subject") == 3


def test_unknown_tables_and_blob_ordering(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("viewer")
    assert client.get(lab.url("Nope")).status_code == 404
    assert client.get(lab.url("session")).status_code == 404
    assert client.get("/api/pipelines/lab/tables/other/Rig/rows/").status_code == 404
    response = client.get(lab.url("Session") + "?order_by=signal")
    assert (
        response.status_code == 400 and "cannot be ordered" in response.json()["error"]["message"]
    )


def test_export_streams_csv_in_key_order_across_chunks(
    lab: Lab, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_read, "EXPORT_CHUNK", 2)
    lab.tables["Session.Trial"].insert(
        [{"subject_id": 2, "session": 1, "trial": t} for t in range(1, 4)]
    )
    response = client_for("viewer").get(lab.url("Session.Trial", "rows/export.csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    chunks = list(response.streaming_content)
    assert len(chunks) >= 4  # header, then one chunk per query
    lines = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert lines[0] == ["subject_id", "session", "trial", "outcome"]
    assert [tuple(line[:3]) for line in lines[1:]] == [
        ("1", "1", "1"), ("1", "1", "2"), ("1", "1", "3"),
        ("2", "1", "1"), ("2", "1", "2"), ("2", "1", "3"),
    ]  # fmt: skip
    assert lines[4][3] == ""  # NULL is an empty cell


def test_export_with_a_condition_leaves_out_stored_bytes(lab: Lab, client_for: ClientFor) -> None:
    tree = {"attribute": "session", "value": 2}
    response = client_for("viewer").get(lab.url("Session", "rows/export.csv?where=") + where(tree))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines == [
        ["subject_id", "session", "rig", "started", "token"],
        ["1", "2", "B", "", ""],
    ]
    subjects = client_for("viewer").get(lab.url("Subject", "rows/export.csv"))
    lines = list(csv.reader(io.StringIO(b"".join(subjects.streaming_content).decode())))
    assert lines[2][5] == '{"cage": 7, "tags": ["x"]}' and lines[2][6] == "false"
    bad = client_for("viewer").get(lab.url("Subject", "rows/export.csv?where=") + where({"x": 1}))
    assert bad.status_code == 400


def test_pages_after_a_key(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("viewer")
    first = client.get(lab.url("Session.Trial") + "?limit=2&count=0").json()
    assert [r["trial"] for r in first["rows"]] == [1, 2]
    assert first["next_after"] == {"subject_id": 1, "session": 1, "trial": 2}
    second = client.get(lab.url("Session.Trial") + "?limit=2&after=" + where(first["next_after"]))
    body = second.json()
    assert [r["trial"] for r in body["rows"]] == [3] and body["next_after"] is None
    assert body["count"] == 3
    search = client.post(
        lab.url("Session.Trial", "rows/search/"),
        {"after": {"subject_id": 1, "session": 1, "trial": 1}, "limit": 5}, format="json",
    )  # fmt: skip
    assert [r["trial"] for r in search.json()["rows"]] == [2, 3]
    for query in (
        "?after=" + where({"trial": 1}),
        "?after=" + where({"subject_id": 1, "session": 1, "trial": 1}) + "&order_by=outcome",
        "?after=" + where({"subject_id": 1, "session": 1, "trial": "1; DROP TABLE t"}),
    ):
        response = client.get(lab.url("Session.Trial") + query)
        assert response.status_code == 400, (query, response.content)


def test_under_asgi_the_export_is_an_async_stream_read_chunk_by_chunk() -> None:
    import asyncio

    from pipelines.api.rows import async_chunks

    read: list[str] = []

    def chunks() -> Any:
        for text in ("a\n", "b\n", "c\n"):
            read.append(text)
            yield text

    async def consume() -> list[tuple[str, int]]:
        return [(chunk, len(read)) async for chunk in async_chunks(chunks())]

    assert asyncio.run(consume()) == [("a\n", 1), ("b\n", 2), ("c\n", 3)]

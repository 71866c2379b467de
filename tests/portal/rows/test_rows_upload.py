# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, union-attr"
"""Uploading CSV and JSON files of rows: a dry run reports, a real run is all or nothing; an
exported CSV uploads again. On both data backends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pipelines.models import AuditEvent
from tests.portal.rows.conftest import ClientFor, Lab, audit_count

pytestmark = pytest.mark.django_db

CSV = (
    "subject_id,name,born,weight,sex,meta,active\n"
    '10,"Smith, J.",2024-02-03,12.5,m,"{""cage"": 1}",true\n'
    "11,zed,,,,,\n"
)


def upload(client: Any, lab: Lab, table: str, name: str, data: bytes, dry_run: bool) -> Any:
    url = lab.url(table, "rows/upload/") + ("?dry_run=1" if dry_run else "")
    return client.post(url, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def test_csv_dry_run_then_upload(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("entry")
    dry = upload(client, lab, "Subject", "subjects.csv", CSV.encode(), dry_run=True)
    assert dry.status_code == 200, dry.content
    assert dry.json() == {"count": 2, "inserted": 0, "dry_run": True, "errors": []}
    assert lab.count("Subject") == 3 and audit_count() == 0
    real = upload(client, lab, "Subject", "subjects.csv", CSV.encode(), dry_run=False)
    assert real.status_code == 201, real.content
    stored = {r["subject_id"]: r for r in lab.rows("Subject")}
    assert stored[10]["name"] == "Smith, J." and stored[10]["meta"] == {"cage": 1}
    assert stored[10]["active"] == 1 and stored[11]["sex"] == "u" and stored[11]["born"] is None
    event = AuditEvent.objects.get(action="rows.insert")
    assert event.payload["source"] == "upload:subjects.csv" and event.payload["count"] == 2


def test_csv_with_bad_rows_reports_them_all_and_writes_nothing(
    lab: Lab, client_for: ClientFor
) -> None:
    text = (
        "subject_id,name,meta\n"
        "1,dup,\n"  # key exists
        "12,ok,\n"
        "x,bad id,\n"
        "13,bad json,{nope\n"
        "14,too,many,cells\n"
        "12,again,\n"
    )
    for dry_run in (True, False):
        response = upload(client_for("entry"), lab, "Subject", "s.csv", text.encode(), dry_run)
        body = response.json()
        errors = body["errors"] if dry_run else body["error"]["details"]["rows"]
        assert response.status_code == (200 if dry_run else 400), body
        reported = {e["index"]: sorted(e["errors"]) for e in errors}
        assert reported == {
            0: ["subject_id"], 2: ["subject_id"], 3: ["meta"], 4: ["*", "meta"], 5: ["subject_id"],
        }  # fmt: skip
    assert lab.count("Subject") == 3 and audit_count() == 0


def test_json_upload_and_export_round_trip(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("entry")
    rows = {"rows": [{"subject_id": 1, "session": 1, "trial": 9, "outcome": "miss"}]}
    response = upload(client, lab, "Session.Trial", "t.json", json.dumps(rows).encode(), False)
    assert response.status_code == 201, response.content
    exported = client.get(lab.url("Session.Trial", "rows/export.csv"))
    text = b"".join(exported.streaming_content)
    lab.tables["Session.Trial"].delete_quick()
    again = upload(client, lab, "Session.Trial", "export.csv", text, dry_run=False)
    assert again.status_code == 201, again.content
    assert [(r["trial"], r["outcome"]) for r in lab.rows("Session.Trial")] == [
        (1, "hit"), (2, "hit"), (3, "hit"), (9, "miss"),
    ]  # fmt: skip


def test_unreadable_files_are_refused(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("entry")
    for name, data, message in [
        ("s.csv", b"\xff\xfe\x00bad", "UTF-8"),
        ("s.csv", b"", "empty"),
        ("s.csv", b"subject_id,color\n1,red\n", "does not have"),
        ("s.csv", b"subject_id,subject_id\n1,1\n", "twice"),
        ("s.json", b"[{", "not valid JSON"),
        ("s.json", b'{"data": []}', "list of rows"),
        ("s.json", b"[]", "rows"),
        ("s.csv", b"subject_id,name\n", "rows"),
    ]:
        response = upload(client, lab, "Subject", name, data, dry_run=False)
        assert response.status_code == 400, (name, data, response.content)
        assert message in response.json()["error"]["message"], (data, response.json())
    files = upload(client, lab, "Session", "s.csv", b"subject_id,session,raw\n3,1,abc\n", False)
    assert "Files cannot" in files.json()["error"]["details"]["rows"][0]["errors"]["raw"]
    missing = client.post(lab.url("Subject", "rows/upload/"), {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["error"]["message"]
    computed = upload(client_for("owner"), lab, "Summary", "s.csv", b"subject_id\n1\n", False)
    assert computed.status_code == 409
    assert lab.count("Subject") == 3 and audit_count() == 0

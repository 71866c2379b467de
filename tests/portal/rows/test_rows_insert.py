# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, union-attr"
"""Inserting rows through the API: all or nothing, every bad row reported with its reasons,
tier rules, file objects, dry runs, and one audit event per write. On both data backends."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pipelines.models import AuditEvent
from tests.portal.rows.conftest import ClientFor, Lab, audit_count

pytestmark = pytest.mark.django_db


def test_insert_one_and_many_is_audited_with_the_keys(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("entry")
    rows = [
        {"subject_id": 10, "name": "cy", "born": "2023-12-31", "weight": 1.5, "meta": [1, {"a": None}]},
        {"subject_id": 11, "name": 'o\'neil"; DROP TABLE subject; --', "active": False},
    ]  # fmt: skip
    response = client.post(lab.url("Subject"), {"rows": rows}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"count": 2, "inserted": 2, "dry_run": False, "errors": []}
    stored = {r["subject_id"]: r for r in lab.rows("Subject")}
    assert stored[11]["name"] == "o'neil\"; DROP TABLE subject; --" and stored[11]["active"] == 0
    assert stored[10]["meta"] == [1, {"a": None}] and str(stored[10]["weight"]) == "1.50"
    assert stored[10]["sex"] == "u"  # the default
    event = AuditEvent.objects.get(action="rows.insert")
    assert event.target == f"{lab.schema}.Subject" and event.actor.username == "entry"
    assert event.payload == {
        "source": "json", "count": 2, "keys": [{"subject_id": 10}, {"subject_id": 11}],
        "keys_truncated": False,
    }  # fmt: skip


def test_a_bad_batch_lists_every_bad_row_and_writes_nothing(
    lab: Lab, client_for: ClientFor
) -> None:
    before = (lab.rows("Session"), audit_count())
    rows: list[Any] = [
        {"subject_id": 1, "session": 3},  # fine
        {"subject_id": 1, "session": 1},  # already there
        {"subject_id": 9, "session": 1},  # no such subject
        {"subject_id": 2, "session": "x", "rig": "Z"},  # not a number; no such rig
        {"subject_id": 1, "session": 3},  # repeats row 0
        {"subject_id": 2, "session": 5, "color": "red"},  # unknown attribute
        {"subject_id": 2, "session": 70000},  # out of int16 range
        {"subject_id": 2, "session": 6, "started": "yesterday", "token": "not-a-uuid"},
        {"subject_id": 2, "session": 7, "signal": [1, 2], "raw": "text", "photo": {"x": 1}},
        {"session": 8},  # subject_id missing
        "not a row",
    ]
    response = lab_post(client_for("entry"), lab, "Session", rows)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_rows" and "nothing was written" in error["message"]
    reported = {item["index"]: item["errors"] for item in error["details"]["rows"]}
    assert sorted(reported) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert reported[1] == {
        "subject_id": "The table already has this key.", "session": "The table already has this key.",
    }  # fmt: skip
    assert set(reported[2]) == {"subject_id"} and "No row of" in reported[2]["subject_id"]
    assert "expected an integer" in reported[3]["session"] and "No row of" in reported[3]["rig"]
    assert reported[4]["session"] == "The key repeats row 0's."
    assert reported[5] == {"color": "The table has no such attribute."}
    assert "out of range" in reported[6]["session"]
    assert set(reported[7]) == {"started", "token"}
    assert set(reported[8]) == {"raw", "photo"} and "base64" in reported[8]["raw"]
    assert set(reported[9]) == {"subject_id"} and "required" in reported[9]["subject_id"]
    assert set(reported[10]) == {"*"}
    assert (lab.rows("Session"), audit_count()) == before


def test_missing_parent_through_a_renamed_or_nullable_reference(
    lab: Lab, client_for: ClientFor
) -> None:
    response = lab_post(client_for("entry"), lab, "Session", [
        {"subject_id": 3, "session": 1, "rig": "Z"}, {"subject_id": 3, "session": 2, "rig": None},
    ])  # fmt: skip
    assert response.status_code == 400
    reported = response.json()["error"]["details"]["rows"]
    assert [(r["index"], sorted(r["errors"])) for r in reported] == [(0, ["rig"])]
    assert lab.count("Session") == 3


def test_tier_rules(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("owner")
    refused = lab_post(client, lab, "Summary", [{"subject_id": 1, "session": 2, "trials": 0}])
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "tier_refused" and "Computed" in error["message"]
    assert error["details"]["tier"] == "Computed"
    part = lab_post(client, lab, "Session.Trial", [{"subject_id": 1, "session": 2, "trial": 1}])
    assert part.status_code == 201, part.content
    lookup = lab_post(client, lab, "Rig", [{"rig": "C"}])
    assert lookup.status_code == 201
    assert lab.count("Summary") == 3 and lab.count("Rig") == 3


def test_files_and_blobs_in_json_rows(lab: Lab, client_for: ClientFor) -> None:
    photo = {"base64": base64.b64encode(b"\x89PNG data").decode(), "filename": "../../etc/a.png"}
    raw = {"base64": base64.b64encode(b"\x00\xff").decode()}
    response = lab_post(client_for("entry"), lab, "Session", [
        {"subject_id": 3, "session": 1, "photo": photo, "raw": raw, "signal": {"a": [1.5, 2]}},
    ])  # fmt: skip
    assert response.status_code == 201, response.content
    row = (lab.tables["Session"]() & {"subject_id": 3}).proj("raw", "signal").fetch1()
    assert row["raw"] == b"\x00\xff" and list(row["signal"]["a"]) == [1.5, 2]
    page = client_for("viewer").get(lab.url("Session") + "?where=" + _where_subject(3)).json()
    assert page["rows"][0]["photo"]["size"] == len(b"a.png\x00\x89PNG data")


def test_dry_run_reports_without_writing(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("entry")
    before = (lab.count("Rig"), audit_count())
    good = client.post(lab.url("Rig") + "?dry_run=1", {"rows": [{"rig": "C"}]}, format="json")
    assert good.status_code == 200
    assert good.json() == {"count": 1, "inserted": 0, "dry_run": True, "errors": []}
    bad = client.post(
        lab.url("Rig") + "?dry_run=1", {"rows": [{"rig": "C"}, {"rig": "A"}]}, format="json"
    )
    assert bad.status_code == 200
    assert [e["index"] for e in bad.json()["errors"]] == [1]
    assert (lab.count("Rig"), audit_count()) == before


def test_malformed_requests(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("entry")
    before = (lab.count("Rig"), audit_count())
    for body in ({}, {"rows": []}, {"rows": "x"}, {"rows": {"rig": "C"}}, [{"rig": "C"}]):
        response = client.post(lab.url("Rig"), body, format="json")
        assert response.status_code == 400, (body, response.content)
    broken = client.post(lab.url("Rig"), "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "malformed"
    assert client.post(lab.url("Nope"), {"rows": [{}]}, format="json").status_code == 404
    assert (lab.count("Rig"), audit_count()) == before


def lab_post(client: Any, lab: Lab, table: str, rows: list[Any]) -> Any:
    return client.post(lab.url(table), {"rows": rows}, format="json")


def _where_subject(subject_id: int) -> str:
    from tests.portal.rows.conftest import where

    return where({"attribute": "subject_id", "value": subject_id})


def test_keys_only_the_database_finds_equal_refuse_the_batch(
    lab: Lab, client_for: ClientFor, data_backend: str
) -> None:
    """MariaDB's default collation takes 'C' and 'c' as one key: the checks (Python's) pass
    them, the insert refuses the batch, nothing is written; SQLite keeps both."""
    before = audit_count()
    response = lab_post(client_for("entry"), lab, "Rig", [{"rig": "C"}, {"rig": "c"}])
    if data_backend == "mysql":
        assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate"
        assert lab.count("Rig") == 2 and audit_count() == before
    else:
        assert response.status_code == 201 and lab.count("Rig") == 4


def test_a_failed_audit_write_undoes_the_data_write(
    lab: Lab, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.services import rows_write
    from pipelines.services.row_tables import row_table

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("portal database down")

    monkeypatch.setattr(rows_write, "audit_record", broken)
    target = row_table(pipeline=lab.pipeline, schema=lab.schema, name="Rig")
    with pytest.raises(RuntimeError):
        rows_write.rows_insert(actor=personas["entry"], target=target, rows=[{"rig": "Q"}])
    assert lab.count("Rig") == 2
    assert not target.table.connection.in_transaction


def test_files_above_the_limit_are_refused(lab: Lab, client_for: ClientFor, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.JOINERY = {**settings.JOINERY, "ROWS_UPLOAD_MAX_BYTES": 10}
    response = client_for("entry").post(
        lab.url("Rig", "rows/upload/"),
        {"file": SimpleUploadedFile("r.csv", b"rig\nAAAAAAAAAAAAAAAA\n")}, format="multipart",
    )  # fmt: skip
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert lab.count("Rig") == 2

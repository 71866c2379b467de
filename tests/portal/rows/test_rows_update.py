# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, union-attr"
"""Correcting one row and its files through the API, audited with before and after; refusals
leave the row as it was. On both data backends."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pipelines.core import blob
from pipelines.models import AuditEvent
from tests.portal.rows.conftest import ClientFor, Lab, audit_count

pytestmark = pytest.mark.django_db


def test_update_sets_secondary_attributes_and_audits_before_and_after(
    lab: Lab, client_for: ClientFor
) -> None:
    body = {
        "key": {"subject_id": 2},
        "values": {"name": "bo; DROP", "weight": "7.25", "born": None},
    }
    response = client_for("entry").patch(lab.url("Subject"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "bo; DROP" and response.json()["weight"] == "7.25"
    stored = (lab.tables["Subject"]() & {"subject_id": 2}).fetch1()
    assert stored["name"] == "bo; DROP" and stored["born"] is None
    event = AuditEvent.objects.get(action="row.update")
    assert event.payload == {
        "key": {"subject_id": 2},
        "before": {"name": "bob", "weight": None, "born": None},
        "after": {"name": "bo; DROP", "weight": "7.25", "born": None},
    }


def test_bad_updates_change_nothing(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("entry")
    before = (lab.rows("Subject"), audit_count())
    cases: list[tuple[Any, int, str]] = [
        ({"key": {"subject_id": 2}, "values": {"subject_id": 5}}, 400, "Key attributes"),
        ({"key": {"subject_id": 2}, "values": {"nope": 1}}, 400, "not changed"),
        ({"key": {"subject_id": 2}, "values": {"name": None}}, 400, "not changed"),
        ({"key": {"subject_id": 2}, "values": {"born": "soon"}}, 400, "not changed"),
        ({"key": {"subject_id": 2}, "values": {}}, 400, "values"),
        ({"key": {"name": "bob"}, "values": {"name": "x"}}, 400, "primary key"),
        ({"key": {"subject_id": {"$gt": 0}}, "values": {"name": "x"}}, 400, "key value"),
        ({"key": {"subject_id": 99}, "values": {"name": "x"}}, 404, "has no row"),
        ({"key": {"subject_id": "1 OR 1=1"}, "values": {"name": "x"}}, 400, "integer"),
        ({"values": {"name": "x"}}, 400, "invalid fields"),
    ]
    for body, status, message in cases:
        response = client.patch(lab.url("Subject"), body, format="json")
        assert response.status_code == status, (body, response.content)
        assert message in response.json()["error"]["message"], (body, response.json())
    errors = client.patch(
        lab.url("Subject"), {"key": {"subject_id": 2}, "values": {"born": "soon", "x": 1}},
        format="json",
    ).json()["error"]["details"]["errors"]  # fmt: skip
    assert set(errors) == {"born", "x"}
    assert (lab.rows("Subject"), audit_count()) == before


def test_update_is_refused_for_computed_tables(lab: Lab, client_for: ClientFor) -> None:
    body = {"key": {"subject_id": 1, "session": 1}, "values": {"trials": 9}}
    response = client_for("owner").patch(lab.url("Summary"), body, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "tier_refused"
    assert (lab.tables["Summary"]() & body["key"]).fetch1("trials") == 3


def test_files_download_and_upload(lab: Lab, client_for: ClientFor) -> None:
    viewer, entry = client_for("viewer"), client_for("entry")
    key = '{"subject_id":1,"session":2}'
    raw = viewer.get(lab.url("Session", "rows/blob/"), {"key": key, "attribute": "raw"})
    assert raw.status_code == 200 and raw.content == b"\x00\x01\x02"
    assert raw["Content-Type"] == "application/octet-stream"
    assert 'filename="raw.bin"' in raw["Content-Disposition"]
    # an attachment: upload, then download under its own name
    put = entry.put(
        lab.url("Session", "rows/blob/") + f"?key={key}&attribute=photo",
        {"file": _upload("scan 1.png", b"\x89PNG\x00bytes")}, format="multipart",
    )  # fmt: skip
    assert put.status_code == 204, put.content
    photo = viewer.get(lab.url("Session", "rows/blob/"), {"key": key, "attribute": "photo"})
    assert photo.content == b"\x89PNG\x00bytes"
    assert "scan 1.png" in photo["Content-Disposition"]
    event = AuditEvent.objects.get(action="row.file")
    assert event.payload["key"] == {"subject_id": 1, "session": 2}
    assert event.payload["filename"] == "scan 1.png"
    assert event.payload["after"]["photo"]["size"] == len(b"scan 1.png\x00\x89PNG\x00bytes")
    # a blob: the download is DataJoint's blob format, which the upload takes back
    signal_key = '{"subject_id":2,"session":1}'
    signal = viewer.get(
        lab.url("Session", "rows/blob/"), {"key": signal_key, "attribute": "signal"}
    )
    assert list(blob.unpack(signal.content)) == [1, 2, 3]
    packed = blob.pack({"x": [4.0, 5.0]})
    put = entry.put(
        lab.url("Session", "rows/blob/") + f"?key={signal_key}&attribute=signal",
        {"file": _upload("s.blob", packed)}, format="multipart",
    )  # fmt: skip
    assert put.status_code == 204, put.content
    stored = (lab.tables["Session"]() & {"subject_id": 2, "session": 1}).fetch1("signal")
    assert list(stored["x"]) == [4.0, 5.0]


def test_bad_file_requests(lab: Lab, client_for: ClientFor) -> None:
    viewer, entry = client_for("viewer"), client_for("entry")
    url = lab.url("Session", "rows/blob/")
    key = '{"subject_id":1,"session":1}'
    for params, status in [
        ({"key": key, "attribute": "raw"}, 404),  # empty in this row
        ({"key": key, "attribute": "rig"}, 400),  # not a file
        ({"key": key, "attribute": "nope"}, 400),
        ({"key": '{"subject_id":1}', "attribute": "raw"}, 400),
        ({"key": "{bad", "attribute": "raw"}, 400),
        ({"key": '{"subject_id":1,"session":9}', "attribute": "raw"}, 404),
        ({"attribute": "raw"}, 400),
    ]:
        response = viewer.get(url, params)
        assert response.status_code == status, (params, response.content)
    before = (lab.rows("Session.Trial"), audit_count())
    sig = f"{url}?key={key}&attribute=signal"
    for target, files, status in [
        (sig, {"file": _upload("x.blob", b"not a blob")}, 400),
        (sig, {}, 400),
        (f"{url}?key={key}&attribute=rig", {"file": _upload("x", b"A")}, 400),
        (f"{url}?key={key}&attribute=session", {"file": _upload("x", b"1")}, 400),
    ]:
        response = entry.put(target, files, format="multipart")
        assert response.status_code == status, (target, response.content)
    assert (lab.rows("Session.Trial"), audit_count()) == before
    assert (lab.tables["Session"]() & {"subject_id": 1, "session": 1}).fetch1("signal") is None


def test_file_object_in_an_update(lab: Lab, client_for: ClientFor) -> None:
    values = {"raw": {"base64": base64.b64encode(b"new").decode()}}
    response = client_for("entry").patch(
        lab.url("Session"), {"key": {"subject_id": 1, "session": 2}, "values": values},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["raw"]["size"] == 3 and response.json()["raw"]["download"]
    stored = (lab.tables["Session"]() & {"subject_id": 1, "session": 2}).fetch1("raw")
    assert stored == b"new"


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)

# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc, union-attr"
"""Deleting rows: a preview with per-table counts and a signed token, then the delete it
describes, refused when the rows changed, the token expired or was forged. On both backends."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing

from accounts.models import User
from pipelines.models import AuditEvent
from pipelines.services import rows_delete as service
from tests.portal.rows.conftest import ClientFor, Lab, audit_count

pytestmark = pytest.mark.django_db

SUBJECT_1 = {"attribute": "subject_id", "value": 1}


def preview(client: Any, lab: Lab, table: str, body: dict[str, Any]) -> Any:
    return client.post(lab.url(table, "rows/delete-preview/"), body, format="json")


def delete(client: Any, lab: Lab, table: str, token: str) -> Any:
    return client.post(lab.url(table, "rows/delete/"), {"token": token}, format="json")


def test_preview_then_delete_cascades_and_is_audited(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("operator")
    shown = preview(client, lab, "Subject", {"where": SUBJECT_1})
    assert shown.status_code == 200, shown.content
    body = shown.json()
    counts = {entry["table"]: entry["rows"] for entry in body["tables"]}
    assert counts == {"Subject": 1, "Session": 2, "Session.Trial": 3, "Summary": 2}
    assert body["total"] == 8 and body["refusal"] is None and body["expires_at"]
    assert {entry["schema"] for entry in body["tables"]} == {lab.schema}
    assert lab.count("Subject") == 3  # a preview deletes nothing
    done = delete(client, lab, "Subject", body["token"])
    assert done.status_code == 200, done.content
    assert done.json() == {"tables": body["tables"], "total": 8}
    assert [r["subject_id"] for r in lab.rows("Subject")] == [2, 3]
    assert (lab.count("Session"), lab.count("Session.Trial"), lab.count("Summary")) == (1, 0, 1)
    event = AuditEvent.objects.get(action="rows.delete")
    assert event.actor.username == "operator" and event.target == f"{lab.schema}.Subject"
    assert event.payload["tables"] == body["tables"] and event.payload["total"] == 8
    assert event.payload["keys"] == [{"subject_id": 1}] and event.payload["count"] == 1
    again = delete(client, lab, "Subject", body["token"])
    assert again.status_code == 409  # the rows are gone: counts changed


def test_delete_by_keys(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("operator")
    keys = [
        {"subject_id": 1, "session": 1, "trial": 2},
        {"subject_id": 1, "session": 1, "trial": 3},
    ]
    shown = preview(client, lab, "Session.Trial", {"keys": keys}).json()
    assert shown["token"] is None and "part table" in shown["refusal"]
    cascade = preview(client, lab, "Session.Trial", {"keys": keys, "part_integrity": "cascade"})
    body = cascade.json()
    assert {e["table"]: e["rows"] for e in body["tables"]} == {
        "Session": 1, "Session.Trial": 3, "Summary": 1,
    }  # fmt: skip
    assert delete(client, lab, "Session.Trial", body["token"]).status_code == 200
    assert lab.count("Session.Trial") == 0 and lab.count("Session") == 2
    rigs = preview(client, lab, "Rig", {"keys": [{"rig": "B"}]}).json()
    assert delete(client, lab, "Rig", rigs["token"]).status_code == 200
    assert [r["rig"] for r in lab.rows("Rig")] == ["A"] and lab.count("Session") == 1


def test_changed_rows_expired_or_forged_tokens_are_refused(
    lab: Lab, client_for: ClientFor, personas: dict[str, User | None], monkeypatch: Any
) -> None:
    operator, owner = client_for("operator"), client_for("owner")
    token = preview(operator, lab, "Session", {"where": SUBJECT_1}).json()["token"]
    lab.tables["Session.Trial"].insert1({"subject_id": 1, "session": 2, "trial": 1})
    before = (lab.count("Session"), audit_count())
    changed = delete(operator, lab, "Session", token)
    assert changed.status_code == 409, changed.content
    details = changed.json()["error"]["details"]
    assert details["previewed"] != details["now"]
    token = preview(operator, lab, "Session", {"where": SUBJECT_1}).json()["token"]
    assert delete(owner, lab, "Session", token).status_code == 400  # another user's token
    assert delete(operator, lab, "Subject", token).status_code == 400  # another table's
    assert delete(operator, lab, "Session", token + "x").status_code == 400
    forged = signing.dumps({"pipeline": lab.pipeline.pk}, salt="other")
    assert delete(operator, lab, "Session", forged).status_code == 400
    monkeypatch.setattr(service, "token_minutes", lambda: -1)
    expired = delete(operator, lab, "Session", token)
    assert expired.status_code == 409 and "expired" in expired.json()["error"]["message"]
    assert (lab.count("Session"), audit_count()) == before


def test_bad_previews(lab: Lab, client_for: ClientFor) -> None:
    client = client_for("operator")
    for body in [
        {},
        {"where": SUBJECT_1, "keys": [{"subject_id": 1}]},
        {"keys": []},
        {"keys": [{"subject_id": 1, "extra": 2}]},
        {"keys": [{"name": "ann"}]},
        {"keys": [{"subject_id": 1}] * 1001},
        {"where": {"attribute": "name", "operator": "drop", "value": 1}},
        {"where": SUBJECT_1, "part_integrity": "ignore"},
    ]:
        response = preview(client, lab, "Subject", body)
        assert response.status_code == 400, (str(body)[:80], response.content)
    nothing = preview(client, lab, "Subject", {"where": {"attribute": "subject_id", "value": 99}})
    assert nothing.json()["total"] == 0 and nothing.json()["token"] is None
    assert lab.count("Subject") == 3

"""Rows through the ASGI application a server runs (not the test client): a page with a token,
a pipeline the token's user is not a member of, and the CSV export streamed chunk by chunk.
On both data backends."""

from __future__ import annotations

import csv
import io

import pytest

from accounts.models import User
from config.asgi import application
from pipelines.services import rows_read
from tests.portal.asgi import asgi_get
from tests.portal.conftest import bearer_client
from tests.portal.rows.conftest import Lab

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_page_of_rows_with_a_token(lab: Lab, personas: dict[str, User | None]) -> None:
    viewer = personas["viewer"]
    assert viewer is not None
    _, token = bearer_client(viewer)

    response = asgi_get(application, lab.url("Subject"), "limit=2", token)

    assert response.status == 200, response.body
    assert b'"count":3' in response.body.replace(b" ", b"")
    assert response.thread_trips.count("get_response") == 1


def test_a_pipeline_the_caller_is_not_a_member_of_answers_404(
    lab: Lab, personas: dict[str, User | None]
) -> None:
    outsider = personas["outsider"]
    assert outsider is not None
    _, token = bearer_client(outsider)

    response = asgi_get(application, lab.url("Subject"), "", token)

    assert response.status == 404
    assert b'"code"' in response.body and lab.schema.encode() not in response.body


def test_the_csv_export_streams_in_chunks(
    lab: Lab, personas: dict[str, User | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_read, "EXPORT_CHUNK", 1)
    viewer = personas["viewer"]
    assert viewer is not None
    _, token = bearer_client(viewer)

    response = asgi_get(application, lab.url("Session.Trial", "rows/export.csv"), "", token)

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert [row["trial"] for row in table] == ["1", "2", "3"]
    assert response.body_messages > 2

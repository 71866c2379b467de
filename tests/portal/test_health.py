"""The plumbing endpoints every deployment relies on: health check, landing page, API schema."""

import json
from pathlib import Path
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test import Client
from django.test.utils import override_settings


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_portal_database_answers(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_is_never_cached(client: Client) -> None:
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_with_the_error_when_the_portal_database_fails(
    client: Client,
) -> None:
    portal_db = connections[DEFAULT_DB_ALIAS]
    failure = OperationalError("unable to open database file")

    with mock.patch.object(portal_db, "cursor", side_effect=failure):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "error": "portal database: OperationalError: unable to open database file",
    }


def test_healthz_refuses_writes(client: Client) -> None:
    response = client.post("/healthz")

    assert response.status_code == 405


def test_landing_page_says_what_joinery_is_and_links_admin_and_health(
    client: Client, tmp_path: Path
) -> None:
    with override_settings(FRONTEND_DIST=tmp_path / "not-built"):
        response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Joinery</title>" in page
    assert "relational data pipelines" in page.lower()
    assert 'href="/admin/"' in page
    assert 'href="/healthz"' in page


def test_api_schema_is_served_as_openapi(client: Client) -> None:
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Joinery API"

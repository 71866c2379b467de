"""The web app's page: the built index.html on every browser route, a fallback before the build."""

from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings


@pytest.fixture
def built_app(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>Joinery</title><div id="root"></div>'
        '<script type="module" src="/static/assets/index-abc12345.js"></script>'
    )
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/login", "/p/lab/builder", "/p/lab/data/lab/Session"])
def test_every_browser_route_gets_the_built_app(client: Client, built_app: Path, path: str) -> None:
    with override_settings(FRONTEND_DIST=built_app):
        response = client.get(path)

    assert response.status_code == 200
    assert '<div id="root"></div>' in response.content.decode()
    assert response["Cache-Control"] == "no-cache"
    assert "csrftoken" in response.cookies


def test_api_paths_are_not_swallowed_by_the_app_route(client: Client, built_app: Path) -> None:
    with override_settings(FRONTEND_DIST=built_app):
        response = client.get("/api/no-such-endpoint/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_before_the_build_a_page_says_how_to_build_the_app(client: Client, tmp_path: Path) -> None:
    with override_settings(FRONTEND_DIST=tmp_path / "missing"):
        response = client.get("/p/lab/builder")

    assert response.status_code == 200
    page = response.content.decode()
    assert "make install" in page
    assert 'href="/admin/"' in page

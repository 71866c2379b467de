"""The web app's files middleware: static files served, every other request passed on without
leaving the event loop (no thread switch per API request under ASGI)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import override_settings

from config.static_files import AppFilesMiddleware


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-abcdef12.js").write_text("console.log('joinery')")
    return tmp_path


def _middleware(static_root: Path, downstream: object) -> AppFilesMiddleware:
    with override_settings(
        STATIC_ROOT=static_root, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False
    ):
        return AppFilesMiddleware(downstream)


def test_under_asgi_a_static_file_is_served_with_a_long_cache(static_root: Path) -> None:
    async def downstream(request: HttpRequest) -> HttpResponse:
        raise AssertionError("a static file must not reach the views")

    middleware = _middleware(static_root, downstream)
    request = RequestFactory().get("/static/assets/index-abcdef12.js")

    response = asyncio.run(middleware(request))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"console.log('joinery')"  # type: ignore[attr-defined]
    assert "immutable" in response["Cache-Control"]


def test_under_asgi_other_requests_go_on_in_the_event_loop_thread(static_root: Path) -> None:
    threads: list[int] = []

    async def downstream(request: HttpRequest) -> HttpResponse:
        threads.append(threading.get_ident())
        return HttpResponse("api")

    middleware = _middleware(static_root, downstream)
    assert iscoroutinefunction(middleware)

    async def call() -> HttpResponse:
        threads.append(threading.get_ident())
        return await middleware(RequestFactory().get("/api/pipelines/"))  # type: ignore[no-any-return]

    response = asyncio.run(call())

    assert response.content == b"api"
    assert threads[0] == threads[1]


def test_a_missing_static_file_falls_through_to_the_views(static_root: Path) -> None:
    async def downstream(request: HttpRequest) -> HttpResponse:
        return HttpResponse("not found here", status=404)

    middleware = _middleware(static_root, downstream)

    response = asyncio.run(middleware(RequestFactory().get("/static/assets/missing.js")))

    assert response.status_code == 404


def test_in_a_wsgi_chain_it_stays_synchronous(static_root: Path) -> None:
    middleware = _middleware(static_root, lambda request: HttpResponse("api"))

    assert not iscoroutinefunction(middleware)
    assert middleware(RequestFactory().get("/api/")).content == b"api"
    assert middleware(RequestFactory().get("/static/assets/index-abcdef12.js")).status_code == 200

"""The portal's ASGI handler: a request's middleware and view make one trip to a worker thread
(Django's own handler makes one per middleware method, about sixteen), and what a server sends
through it is served as before: static files with their cache headers, views with the request
signals around them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.test.utils import override_settings

from config.asgi import application
from config.asgi_handler import OneHopASGIHandler
from tests.portal.asgi import asgi_get


def test_the_deployed_application_uses_the_one_hop_handler() -> None:
    assert isinstance(application.application_mapping["http"], OneHopASGIHandler)


@pytest.mark.django_db(transaction=True)
def test_middleware_and_view_run_in_one_trip_between_the_request_signals() -> None:
    signals: list[str] = []

    def started(**_: object) -> None:
        signals.append("started")

    def finished(**_: object) -> None:
        signals.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        response = asgi_get(application, "/healthz")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert response.status == 200 and response.body == b'{"status": "ok"}'
    assert response.headers["x-frame-options"] == "DENY"  # the middleware ran
    assert response.thread_trips.count("get_response") == 1
    assert len(response.thread_trips) <= 3, response.thread_trips
    assert signals == ["started", "finished"]


def test_a_static_file_is_served_with_a_long_cache_and_a_missing_one_falls_through(
    tmp_path: Path,
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-abcdef12.js").write_text("console.log('joinery')")
    with override_settings(
        STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False
    ):
        handler = OneHopASGIHandler()

    served = asgi_get(handler, "/static/assets/index-abcdef12.js")
    missing = asgi_get(handler, "/static/assets/missing.js")

    assert served.status == 200 and served.body == b"console.log('joinery')"
    assert "immutable" in served.headers["cache-control"]
    assert missing.status == 404

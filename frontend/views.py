"""The web app's page: Vite's built ``index.html`` for every browser route (the app routes itself).

Before the app is built (a checkout where ``make install`` has not run), a server-rendered page
says what Joinery is and how to build the app.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@cache
def _built_page(dist: Path) -> str | None:
    index = dist / "index.html"
    return index.read_text(encoding="utf-8") if index.is_file() else None


@ensure_csrf_cookie
def index(request: HttpRequest) -> HttpResponse:
    page = _built_page(Path(settings.FRONTEND_DIST))
    if page is None:
        return render(request, "frontend/index.html")
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response

"""The landing page, rendered on the server until the single-page app takes over `/`."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/index.html")

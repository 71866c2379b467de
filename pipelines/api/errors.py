"""One error shape for every API failure: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pipelines.core.errors import (
    DataJointError,
    DuplicateError,
    IntegrityError,
    LockTimeoutError,
    LostConnectionError,
)
from pipelines.services.errors import ServiceError

#: DRF exception classes -> our codes (the status comes from the exception).
_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "invalid"),
    (exceptions.ParseError, "malformed"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


def error_response(code: str, message: str, details: Any, status_code: int) -> Response:
    return Response(
        {"error": {"code": code, "message": message, "details": details or {}}},
        status=status_code,
    )


def _engine_error(error: DataJointError) -> Response:
    """The engine's errors describe bad input (a wrong value, a duplicate key); a lost or
    locked data database is the server's trouble, reported as unavailable."""
    if isinstance(error, LostConnectionError | LockTimeoutError):
        return error_response(
            "data_database_unavailable", str(error), {}, status.HTTP_503_SERVICE_UNAVAILABLE
        )
    if isinstance(error, DuplicateError):
        return error_response("duplicate", str(error), {}, status.HTTP_409_CONFLICT)
    if isinstance(error, IntegrityError):
        return error_response("integrity", str(error), {}, status.HTTP_409_CONFLICT)
    return error_response("engine_error", str(error), {}, status.HTTP_400_BAD_REQUEST)


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, ServiceError):
        return error_response(error.code, error.message, error.details, error.status)
    if isinstance(error, DataJointError):
        return _engine_error(error)
    if isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied()
    response = drf_exception_handler(error, context)
    if response is None or not isinstance(error, exceptions.APIException):
        return response
    code = next((c for cls, c in _DRF_CODES if isinstance(error, cls)), "error")
    details: Any = {}
    if isinstance(error, exceptions.ValidationError):
        message = "The request has invalid fields."
        details = error.detail
    else:
        message = str(error.detail)
    result = error_response(code, message, details, response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for URLs no route matches: the API's error shape under ``/api/``."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": "No such API path.", "details": {}}}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """An unexpected failure: the API's error shape under ``/api/`` (details stay in the log)."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "server_error", "message": "Internal error.", "details": {}}}
        return JsonResponse(body, status=500)
    return django_server_error(request)

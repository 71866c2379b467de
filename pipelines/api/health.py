"""Liveness and readiness probe for load balancers, compose health checks and monitoring."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 `{"status": "ok"}` when the portal DB answers a query, else 503 with the error."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "error": f"portal database: {type(exc).__name__}: {exc}"},
            status=503,
        )
    return JsonResponse({"status": "ok"})

"""Errors services raise for the caller to show: what was wrong, and where.

The API turns them into its one error shape (``{"error": {"code", "message", "details"}}``);
other callers (the admin, tasks, scripts) read ``message`` and ``details`` directly.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details if details is not None else {}


class Invalid(ServiceError):
    """The request is malformed or names something that does not exist in it."""

    code = "invalid"
    status = 400


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class Forbidden(ServiceError):
    """The caller may see the pipeline but their role does not allow this."""

    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """The request is valid but clashes with the current state (a duplicate, the last owner)."""

    code = "conflict"
    status = 409

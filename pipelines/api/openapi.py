"""OpenAPI additions: every operation documents the one error shape and the statuses it uses."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "examples": ["invalid", "not_found"]},
                "message": {"type": "string"},
                "details": {},
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}

#: Statuses any endpoint may answer with the error shape (bad input, no or bad credentials,
#: too weak a role, a pipeline the caller cannot see, a clash with the current state, a body
#: too large or of the wrong type, throttling, the data database unavailable).
ERROR_STATUSES = {
    "400": "The request is malformed or invalid; `details` says where.",
    "401": "No credentials, or an invalid, expired or revoked token.",
    "403": "The caller's role on the pipeline does not allow this.",
    "404": "No such pipeline (for this caller), table or object.",
    "405": "The method is not allowed here.",
    "409": "The request clashes with the current state (a duplicate, a changed preview).",
    "413": "The uploaded body is too large.",
    "415": "The body's media type is not accepted.",
    "429": "Too many requests (sign-in attempts are throttled).",
    "503": "The data database is unavailable or busy.",
}


def add_error_responses(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result

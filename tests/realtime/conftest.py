"""The socket tests reuse the portal's personas (one user per role on pipeline ``lab``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.conftest import client_for, personas, pipeline  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The personas' passwords hash in microseconds here (the default hasher takes ~0.5 s)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Typed readers for the environment variables that configure Joinery.

Every setting comes from the environment through one of these helpers, so a bad value stops the
process at start-up with a message naming the variable, instead of failing later far from its
cause. A variable that is unset or set to the empty string counts as unset: compose files and
`.env` files often carry `NAME=` lines for optional values.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, overload
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "REQUIRED",
    "env_bool",
    "env_db_url",
    "env_int",
    "env_list",
    "env_str",
    "env_url",
    "parse_db_url",
]


class _Required(enum.Enum):
    """Marker type for "no default": the variable must be set."""

    TOKEN = enum.auto()


REQUIRED = _Required.TOKEN

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

_DB_ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "mysql": "django.db.backends.mysql",
    "mariadb": "django.db.backends.mysql",
    "postgresql": "django.db.backends.postgresql",
    "postgres": "django.db.backends.postgresql",
}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None


def _missing(name: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Set the environment variable {name}: it has no default.")


@overload
def env_str(
    name: str,
    default: str | _Required = REQUIRED,
    *,
    choices: Collection[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str: ...
@overload
def env_str(
    name: str,
    default: None,
    *,
    choices: Collection[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None: ...
def env_str(
    name: str,
    default: str | _Required | None = REQUIRED,
    *,
    choices: Collection[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The variable's text (stripped); `default` when unset; one of `choices` when given."""
    value = _raw(name, environ)
    if value is None:
        if default is REQUIRED:
            raise _missing(name)
        return default
    if choices is not None and value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}; got {value!r}.")
    return value


def env_bool(
    name: str, default: bool | _Required = REQUIRED, *, environ: Mapping[str, str] | None = None
) -> bool:
    """true/false, 1/0, yes/no or on/off, in any letter case."""
    value = _raw(name, environ)
    if value is None:
        if default is REQUIRED:
            raise _missing(name)
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (true/false, 1/0, yes/no, on/off); got {value!r}."
    )


def env_int(
    name: str, default: int | _Required = REQUIRED, *, environ: Mapping[str, str] | None = None
) -> int:
    """A base-10 integer."""
    value = _raw(name, environ)
    if value is None:
        if default is REQUIRED:
            raise _missing(name)
        return default
    try:
        return int(value, 10)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {value!r}.") from None


def env_list(
    name: str, default: Sequence[str] = (), *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Comma-separated items, each stripped; empty items are dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(
    name: str,
    default: str | _Required = REQUIRED,
    *,
    schemes: Collection[str],
    environ: Mapping[str, str] | None = None,
) -> str:
    """A URL whose scheme is one of `schemes`, returned as written (its reader parses it)."""
    value = env_str(name, default, environ=environ)
    if _split(value, name).scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in sorted(schemes))
        raise ImproperlyConfigured(
            f"{name} must start with one of {allowed}; got {_redacted(value)!r}."
        )
    return value


def env_db_url(
    name: str, default: str | _Required = REQUIRED, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A database URL turned into one entry of Django's DATABASES (see `parse_db_url`)."""
    return parse_db_url(env_str(name, default, environ=environ), source=name)


def parse_db_url(url: str, *, source: str = "database URL") -> dict[str, Any]:
    """Turn a database URL into a Django DATABASES entry.

    Forms: `sqlite:///relative/path`, `sqlite:////absolute/path`, `sqlite://:memory:`,
    `mysql://user:pass@host:port/name` (or `mariadb://`), `postgresql://...` (or `postgres://`).
    User and password may be percent-encoded; query parameters become OPTIONS (all-digit values
    as integers, e.g. `?connect_timeout=10`). `source` names the variable in error messages.
    """
    parts = _split(url, source)
    engine = _DB_ENGINES.get(parts.scheme)
    if engine is None:
        allowed = ", ".join(f"{s}://" for s in _DB_ENGINES)
        raise ImproperlyConfigured(
            f"{source} must start with one of {allowed}; got {_redacted(url)!r}."
        )
    options = {key: _option_value(value) for key, value in parse_qsl(parts.query)}
    if parts.scheme == "sqlite":
        fields = {"NAME": _sqlite_name(parts, source)}
    else:
        fields = _server_fields(parts, source)
    return {"ENGINE": engine, **fields, "OPTIONS": options}


def _split(url: str, source: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{source} is not a valid URL: {exc}.") from None


def _redacted(url: str) -> str:
    """The URL with its password masked, so error messages can be logged safely."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return parts._replace(netloc=f"{user}:***@{hostport}").geturl()


def _sqlite_name(parts: SplitResult, source: str) -> str:
    if parts.netloc == ":memory:" or parts.path in {"", "/", "/:memory:"}:
        return ":memory:"
    if parts.netloc:
        raise ImproperlyConfigured(
            f"{source}: a sqlite URL has no host; write sqlite:///relative/path or "
            f"sqlite:////absolute/path; got {_redacted(parts.geturl())!r}."
        )
    # The slash after "sqlite://" separates the (empty) host from the path, as in any URL.
    return str(Path(unquote(parts.path[1:])))


def _server_fields(parts: SplitResult, source: str) -> dict[str, str]:
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(
            f"{source} has an invalid port: {_redacted(parts.geturl())!r}."
        ) from None
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise ImproperlyConfigured(
            f"{source} must name one database after the host, as in "
            f"{parts.scheme}://user:pass@host:port/name; got {_redacted(parts.geturl())!r}."
        )
    return {
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": "" if port is None else str(port),
    }


def _option_value(value: str) -> str | int:
    return int(value) if value.isdigit() else value

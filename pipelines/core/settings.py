"""``dj.config``: DataJoint's configuration keys, validated on every assignment.

Values come, from lowest to highest precedence, from defaults, environment variables and runtime
assignment. ``database.url`` (``mysql://user:pass@host:port`` or ``sqlite:///path``) is Joinery's
addition; when set it wins over the separate ``database.*`` keys.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import DataJointError

Validator = Callable[[Any], Any]


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    if isinstance(value, int):
        return bool(value)
    raise ValueError(f"expected a boolean, got {value!r}")


def _optional_bool(value: Any) -> bool | None:
    return None if value is None or value == "" else _bool(value)


def _int_between(low: int, high: int | None) -> Validator:
    def check(value: Any) -> int:
        number = int(value)
        if number < low or (high is not None and number > high):
            raise ValueError(f"expected an integer in [{low}, {high if high is not None else '∞'}]")
        return number

    return check


def _optional_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _choice(*options: str) -> Validator:
    def check(value: Any) -> str:
        text = str(value)
        if text not in options:
            raise ValueError(f"expected one of {', '.join(options)}, got {value!r}")
        return text

    return check


def _loglevel(value: Any) -> str:
    return str(_choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")(str(value).upper()))


def _database_url(value: Any) -> str | None:
    if value is None or value == "":
        return None
    parse_database_url(_str(value))
    return str(value)


def _json_dict(value: Any) -> dict[str, Any]:
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, dict):
        raise ValueError("expected a JSON object")
    return dict(parsed)


@dataclass(frozen=True)
class _Key:
    default: Any
    validate: Validator
    env: str | None = None


_KEYS: dict[str, _Key] = {
    "database.url": _Key(None, _database_url, "DJ_DATABASE_URL"),
    "database.host": _Key("localhost", _str, "DJ_HOST"),
    "database.port": _Key(None, _optional_int, "DJ_PORT"),
    "database.user": _Key(None, _optional_str, "DJ_USER"),
    "database.password": _Key(None, _optional_str, "DJ_PASS"),
    "database.backend": _Key("mysql", _choice("mysql", "sqlite"), "DJ_BACKEND"),
    "database.reconnect": _Key(True, _bool, "DJ_RECONNECT"),
    "database.use_tls": _Key(None, _optional_bool, "DJ_USE_TLS"),
    "database.create_tables": _Key(True, _bool, "DJ_CREATE_TABLES"),
    "database.database_prefix": _Key("", _str, "DJ_DATABASE_PREFIX"),
    # Joinery: seconds a statement waits for a lock another session holds before it fails
    # (MySQL's lock_wait_timeout and innodb_lock_wait_timeout, SQLite's busy timeout).
    # None keeps the server's defaults on MySQL (a day for table locks) and 30 s on SQLite.
    "database.lock_wait_timeout": _Key(None, _optional_int, "DJ_LOCK_WAIT_TIMEOUT"),
    "connection.charset": _Key("", _str, "DJ_CHARSET"),
    "safemode": _Key(True, _bool, "DJ_SAFEMODE"),
    "loglevel": _Key("INFO", _loglevel, "DJ_LOG_LEVEL"),
    "display.limit": _Key(12, _int_between(1, None), "DJ_DISPLAY_LIMIT"),
    "display.width": _Key(14, _int_between(1, None), "DJ_DISPLAY_WIDTH"),
    "display.show_tuple_count": _Key(True, _bool, "DJ_DISPLAY_SHOW_TUPLE_COUNT"),
    "display.diagram_direction": _Key("LR", _choice("LR", "TB"), "DJ_DIAGRAM_DIRECTION"),
    "display.diagram_theme": _Key("auto", _choice("auto", "light", "dark"), "DJ_DIAGRAM_THEME"),
    "stores": _Key({}, _json_dict, "DJ_STORES"),
    "download_path": _Key(".", _str, "DJ_DOWNLOAD_PATH"),
    "query_cache": _Key(None, _optional_str, "DJ_QUERY_CACHE"),
    "jobs.auto_refresh": _Key(True, _bool, "DJ_JOBS_AUTO_REFRESH"),
    "jobs.keep_completed": _Key(False, _bool, "DJ_JOBS_KEEP_COMPLETED"),
    "jobs.stale_timeout": _Key(3600, _int_between(0, None), "DJ_JOBS_STALE_TIMEOUT"),
    "jobs.default_priority": _Key(5, _int_between(0, 255), "DJ_JOBS_DEFAULT_PRIORITY"),
    "jobs.version_method": _Key(None, _optional_str, "DJ_JOBS_VERSION_METHOD"),
    "jobs.allow_new_pk_fields_in_computed_tables": _Key(
        False, _bool, "DJ_JOBS_ALLOW_NEW_PK_FIELDS_IN_COMPUTED_TABLES"
    ),
    "jobs.add_job_metadata": _Key(False, _bool, "DJ_JOBS_ADD_JOB_METADATA"),
    # Joinery: reserved jobs carry a heartbeat; a job whose worker stopped beating for
    # heartbeat_timeout seconds is reclaimed (made pending again).
    "jobs.heartbeat_interval": _Key(10, _int_between(1, None), "DJ_JOBS_HEARTBEAT_INTERVAL"),
    "jobs.heartbeat_timeout": _Key(60, _int_between(2, None), "DJ_JOBS_HEARTBEAT_TIMEOUT"),
}


def valid_keys() -> list[str]:
    return sorted(_KEYS)


@dataclass(frozen=True)
class DatabaseAddress:
    """Where a connection goes: a MySQL/MariaDB server or an SQLite file."""

    backend: str  # "mysql" | "sqlite"
    host: str = "localhost"
    port: int = 3306
    user: str | None = None
    password: str | None = None
    path: str = ""  # SQLite file path (":memory:" allowed)


def parse_database_url(url: str) -> DatabaseAddress:
    """Parse ``mysql://user:pass@host:port`` or ``sqlite:///path/to/file.sqlite3``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost"):
            raise DataJointError(
                f"Invalid SQLite URL {url!r}: use sqlite:///absolute/or/relative/path"
            )
        path = path[
            1:
        ]  # sqlite:///relative/path, sqlite:////absolute/path (as SQLAlchemy reads them)
        if not path:
            raise DataJointError(f"Invalid SQLite URL {url!r}: the file path is missing")
        return DatabaseAddress(backend="sqlite", path=path)
    if parts.scheme in ("mysql", "mariadb"):
        if not parts.hostname:
            raise DataJointError(f"Invalid MySQL URL {url!r}: the host is missing")
        return DatabaseAddress(
            backend="mysql",
            host=parts.hostname,
            port=_port(parts, url),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )
    raise DataJointError(
        f"Unsupported database URL {url!r}: use mysql://user:pass@host:port or sqlite:///path"
    )


def _port(parts: Any, url: str) -> int:
    try:
        return int(parts.port or 3306)
    except ValueError:
        raise DataJointError(
            f"Invalid MySQL URL {url!r}: the port must be a number from 1 to 65535"
        ) from None


class _Group:
    """Attribute access to one key group: ``dj.config.database.host``."""

    def __init__(self, config: Config, prefix: str) -> None:
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        return self._config[f"{self._prefix}.{name}"]

    def __setattr__(self, name: str, value: Any) -> None:
        self._config[f"{self._prefix}.{name}"] = value


class Config:
    """DataJoint's settings object: ``config["database.host"]`` or ``config.database.host``."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_watchers", {})
        env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
        for key, spec in _KEYS.items():
            raw = env.get(spec.env) if spec.env else None
            # A dict default (``stores``) is copied: ``config.stores["x"] = {...}`` changes the
            # stores of this config only, never the default every other config starts from.
            default = (
                copy.deepcopy(spec.default) if isinstance(spec.default, dict) else spec.default
            )
            self._values[key] = default if raw is None else self._checked(key, raw)

    @staticmethod
    def _checked(key: str, value: Any) -> Any:
        if key not in _KEYS:
            raise DataJointError(
                f"Unknown configuration key {key!r}. Valid keys: {', '.join(valid_keys())}"
            )
        try:
            return _KEYS[key].validate(value)
        except (ValueError, TypeError, DataJointError) as error:
            reason = error.args[0] if error.args else error
            raise DataJointError(f"Invalid value {value!r} for {key!r}: {reason}") from None

    def __getitem__(self, key: str) -> Any:
        if key not in _KEYS:
            raise DataJointError(
                f"Unknown configuration key {key!r}. Valid keys: {', '.join(valid_keys())}"
            )
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._values[key] = self._checked(key, value)
        for callback in self._watchers.get(key, ()):
            callback(self._values[key])

    def watch(self, key: str, callback: Callable[[Any], None]) -> None:
        """Call ``callback(value)`` now and whenever ``key`` changes."""
        self._watchers.setdefault(key, []).append(callback)
        callback(self[key])

    def __contains__(self, key: object) -> bool:
        return key in _KEYS

    def __getattr__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if any(key.startswith(name + ".") for key in _KEYS):
            return _Group(self, name)
        raise AttributeError(
            f"Unknown configuration key {name!r}. Valid keys: {', '.join(valid_keys())}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def keys(self) -> list[str]:
        return valid_keys()

    def items(self) -> list[tuple[str, Any]]:
        return [(key, self._values[key]) for key in valid_keys()]

    def __repr__(self) -> str:
        shown = {k: ("***" if k == "database.password" and v else v) for k, v in self.items()}
        return f"Config({shown})"

    @contextlib.contextmanager
    def override(self, **changes: Any) -> Iterator[Config]:
        """Temporarily change settings: ``override(safemode=False, display__limit=7)``."""
        flat: dict[str, Any] = {}
        for name, value in changes.items():
            key = name.replace("__", ".")
            if isinstance(value, dict) and key != "stores":
                flat.update({f"{key}.{sub}": v for sub, v in value.items()})
            else:
                flat[key] = value
        saved = {key: self[key] for key in flat}
        try:
            for key, value in flat.items():
                self[key] = value
            yield self
        finally:
            for key, value in saved.items():
                self[key] = value

    def database_address(self) -> DatabaseAddress:
        """The server or file the default connection goes to."""
        url = self["database.url"]
        if url:
            return parse_database_url(url)
        if self["database.backend"] == "sqlite":
            raise DataJointError("Set database.url to sqlite:///path to use the SQLite backend.")
        host = self["database.host"]
        port = self["database.port"] or 3306
        if ":" in host:
            host, port_text = host.rsplit(":", 1)
            port = int(port_text)
        return DatabaseAddress(
            backend="mysql",
            host=host,
            port=port,
            user=self["database.user"],
            password=self["database.password"],
        )

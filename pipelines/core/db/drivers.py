"""The two database drivers: how to connect, set a session up, and translate their errors.

mysqlclient (``MySQLdb``) for MySQL/MariaDB, the standard library's ``sqlite3`` for SQLite. Driver
errors become DataJoint's error classes here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import sqlite3
from collections.abc import Callable
from typing import Any

import MySQLdb
import MySQLdb.converters
import MySQLdb.cursors
import MySQLdb.times
from MySQLdb.constants import FIELD_TYPE

from ..errors import (
    AccessError,
    DataJointError,
    DuplicateError,
    IntegrityError,
    LockTimeoutError,
    LostConnectionError,
    MissingAttributeError,
    MissingTableError,
    QuerySyntaxError,
    UnknownAttributeError,
)
from ..settings import DatabaseAddress
from ..sql.dialects import Dialect, MySQLDialect, SQLiteDialect
from .catalog import Catalog
from .catalog_mysql import MySQLCatalog
from .catalog_sqlite import SQLiteCatalog

MYSQL_SQL_MODE = (
    "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"
)


def _date_or_none(text: Any) -> Any:
    try:
        return dt.date.fromisoformat(text.decode() if isinstance(text, bytes) else text)
    except ValueError:
        return MySQLdb.times.Date_or_None(text)


def _datetime_or_none(text: Any) -> Any:
    try:
        return dt.datetime.fromisoformat(text.decode() if isinstance(text, bytes) else text)
    except ValueError:
        return MySQLdb.times.DateTime_or_None(text)


class HexBytes:
    """Bytes sent to MySQL as an ``X'…'`` literal: the server parses hex several times faster
    than an escaped string, which doubles large-blob write speed. Still a bound parameter: the
    driver renders it, and hex digits cannot break out of the literal."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def _hex_literal(value: HexBytes, encoders: Any = None) -> bytes:
    return b"X'" + value.data.hex().encode("ascii") + b"'"


#: Byte strings at least this long go as hex literals on MySQL.
HEX_THRESHOLD = 16384


class Driver:
    """One backend's connect / begin / translate-error behaviour."""

    def bytes_parameter(self, value: bytes) -> Any:
        """How a (large) byte string is passed as a parameter."""
        return value

    def cursor(self, raw: Any, stream: bool) -> Any:
        return raw.cursor()

    def connection_id(self, raw: Any) -> int:
        return 0

    dialect: Dialect
    lost_connection_errors: tuple[type[BaseException], ...] = ()
    begin_statement = "START TRANSACTION"
    catalog_class: type[Catalog] = Catalog

    def connect(self, address: DatabaseAddress, charset: str, lock_wait: int | None) -> Any:
        """A new driver connection; ``lock_wait`` bounds lock waits in seconds (None: default)."""
        raise NotImplementedError

    def translate(self, error: BaseException) -> BaseException:
        raise NotImplementedError

    def ping(self, raw: Any) -> None:
        raise NotImplementedError

    def transaction_open(self, raw: Any) -> bool:
        """Whether the session still has a transaction open (the database may have ended one
        itself after an error); True when the driver cannot tell."""
        return True


def _mysql_session_setup(lock_wait: int | None) -> str:
    settings = f"sql_mode='{MYSQL_SQL_MODE}'"
    if lock_wait is not None:
        seconds = int(lock_wait)
        settings += f", lock_wait_timeout={seconds}, innodb_lock_wait_timeout={seconds}"
    return f"SET SESSION {settings}"


class MySQLDriver(Driver):
    dialect = MySQLDialect()
    begin_statement = "START TRANSACTION WITH CONSISTENT SNAPSHOT"
    catalog_class = MySQLCatalog

    def connect(self, address: DatabaseAddress, charset: str, lock_wait: int | None) -> Any:
        conversions = dict(MySQLdb.converters.conversions)
        # The C-level ISO parsers are several times faster than the driver's pure-Python ones
        # (the session's sql_mode forbids the zero dates they would reject).
        conversions[FIELD_TYPE.DATE] = _date_or_none
        conversions[FIELD_TYPE.DATETIME] = _datetime_or_none
        conversions[FIELD_TYPE.TIMESTAMP] = _datetime_or_none
        kwargs: dict[str, Any] = {
            "conv": conversions,
            "host": address.host,
            "port": address.port,
            "user": address.user or "",
            "password": address.password or "",
            "charset": charset or "utf8mb4",
            "autocommit": True,
            "local_infile": True,
            "init_command": _mysql_session_setup(lock_wait),
        }
        try:
            raw = MySQLdb.connect(**kwargs)
        except MySQLdb.OperationalError as error:
            raise LostConnectionError(
                f"Connection failed {address.user}@{address.host}:{address.port}: {error.args[-1]}"
            ) from error
        raw.encoders[HexBytes] = _hex_literal
        return raw

    def bytes_parameter(self, value: bytes) -> Any:
        return HexBytes(value) if len(value) >= HEX_THRESHOLD else value

    def cursor(self, raw: Any, stream: bool) -> Any:
        return raw.cursor(MySQLdb.cursors.SSCursor) if stream else raw.cursor()

    def connection_id(self, raw: Any) -> int:
        return int(raw.thread_id())  # the server's connection_id(), known without a query

    def ping(self, raw: Any) -> None:
        raw.ping()

    def translate(self, error: BaseException) -> BaseException:
        if isinstance(error, MySQLdb.InterfaceError):
            return LostConnectionError(
                "Server connection lost due to an interface error.", *error.args
            )
        if not isinstance(error, MySQLdb.Error) or not error.args:
            return error
        code, message = error.args[0], str(error.args[-1])
        mapping: dict[int, Callable[[], BaseException]] = {
            2006: lambda: LostConnectionError("Server connection lost", message),
            2013: lambda: LostConnectionError("Server connection lost", message),
            1044: lambda: AccessError("Insufficient privileges.", message, message),
            1142: lambda: AccessError("Insufficient privileges.", message, message),
            1143: lambda: AccessError("Insufficient privileges.", message, message),
            1062: lambda: DuplicateError(message),
            1217: lambda: IntegrityError(message),
            1451: lambda: IntegrityError(message),
            1452: lambda: IntegrityError(message),
            3730: lambda: IntegrityError(message),
            1064: lambda: QuerySyntaxError(message, message),
            1146: lambda: MissingTableError(message, message),
            1364: lambda: MissingAttributeError(message),
            1054: lambda: UnknownAttributeError(message),
            1205: lambda: LockTimeoutError(message, message),
            1213: lambda: LockTimeoutError(message, message),
        }
        factory = mapping.get(code) if isinstance(code, int) else None
        return factory() if factory else error


_SQLITE_PATTERNS: list[tuple[re.Pattern[str], type[DataJointError]]] = [
    (re.compile(r"UNIQUE constraint failed|PRIMARY KEY must be unique"), DuplicateError),
    (re.compile(r"FOREIGN KEY constraint failed"), IntegrityError),
    (re.compile(r"NOT NULL constraint failed"), MissingAttributeError),
    (re.compile(r"no such table"), MissingTableError),
    (re.compile(r"database is locked|database table is locked"), LockTimeoutError),
    (re.compile(r"has no column named|no such column"), UnknownAttributeError),
    (re.compile(r"syntax error|incomplete input"), QuerySyntaxError),
]


class _SQLiteSession(sqlite3.Connection):
    """An SQLite connection numbered within its process, standing in for a server's
    connection id (job reservations record it, with the host and the process id)."""

    _numbers = itertools.count(1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_number = next(self._numbers)


class SQLiteDriver(Driver):
    dialect = SQLiteDialect()
    begin_statement = "BEGIN IMMEDIATE"
    catalog_class = SQLiteCatalog

    def connect(self, address: DatabaseAddress, charset: str, lock_wait: int | None) -> Any:
        path = address.path
        if path != ":memory:":
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
        seconds = 30 if lock_wait is None else int(lock_wait)
        raw = sqlite3.connect(
            path,
            isolation_level=None,
            check_same_thread=False,
            timeout=seconds,
            factory=_SQLiteSession,
        )
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute(f"PRAGMA busy_timeout = {seconds * 1000}")
        if path != ":memory:":
            raw.execute("PRAGMA journal_mode = WAL")
            raw.execute("PRAGMA synchronous = NORMAL")
        return raw

    def ping(self, raw: Any) -> None:
        raw.execute("SELECT 1")

    def connection_id(self, raw: Any) -> int:
        return int(raw.session_number)

    def transaction_open(self, raw: Any) -> bool:
        # SQLite rolls a transaction back by itself after some errors (SQLITE_BUSY, _FULL,
        # _IOERR, _NOMEM); a ROLLBACK then fails with "no transaction is active".
        return bool(raw.in_transaction)

    def translate(self, error: BaseException) -> BaseException:
        if not isinstance(error, sqlite3.Error):
            return error
        message = str(error)
        if isinstance(error, sqlite3.ProgrammingError) and "closed" in message:
            return LostConnectionError("Connection is closed.", message)
        for pattern, error_class in _SQLITE_PATTERNS:
            if pattern.search(message):
                if error_class in (QuerySyntaxError, MissingTableError):
                    return error_class(message, message)
                return error_class(message)
        return error


def driver_for(backend: str) -> Driver:
    if backend == "mysql":
        return MySQLDriver()
    if backend == "sqlite":
        return SQLiteDriver()
    raise DataJointError(f"Unsupported database backend {backend!r}: use mysql or sqlite")

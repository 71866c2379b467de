"""A database session: the only module that touches a driver cursor.

Autocommit is on; ``with conn.transaction:`` groups statements into one transaction (nesting is
refused, as DataJoint does, because MySQL DDL would silently commit an outer one).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import DataJointError, LostConnectionError
from ..settings import Config, DatabaseAddress, parse_database_url
from ..sql.dialects import Dialect
from .drivers import Driver, driver_for

logger = logging.getLogger("pipelines.core")


class Connection:
    """One session with a MySQL/MariaDB server or an SQLite file."""

    def __init__(
        self,
        host: str | None = None,
        user: str | None = None,
        password: str | None = None,
        port: int | None = None,
        *,
        url: str | None = None,
        config: Config | None = None,
        address: DatabaseAddress | None = None,
    ) -> None:
        self.config = config if config is not None else Config()
        self.address = address or _address(host, user, password, port, url, self.config)
        self._driver: Driver = driver_for(self.address.backend)
        self.dialect: Dialect = self._driver.dialect
        self._raw: Any = None
        self._in_transaction = False
        self._lock = threading.RLock()
        self.schemas: dict[str, Any] = {}
        #: Per-connection caches of table metadata, cleared by every DDL statement.
        self.metadata_cache: dict[Any, Any] = {}
        #: Bumped whenever the cache is cleared, so objects holding metadata know it is stale.
        self.metadata_generation = 0
        self.connect()
        self.catalog = self._driver.catalog_class(self)
        self.catalog.prepare()

    # --- session -------------------------------------------------------------------------------
    def connect(self) -> None:
        self._raw = self._driver.connect(
            self.address,
            self.config["connection.charset"],
            self.config["database.lock_wait_timeout"],
        )
        self._in_transaction = False
        logger.debug("Joinery connected to %s", self.describe_target())

    @property
    def backend(self) -> str:
        return self.address.backend

    @property
    def raw(self) -> Any:
        """The driver connection, for bulk paths that need driver-specific calls."""
        return self._raw

    def describe_target(self) -> str:
        if self.address.backend == "sqlite":
            return f"sqlite:///{self.address.path}"
        return f"{self.address.user}@{self.address.host}:{self.address.port}"

    @property
    def conn_info(self) -> dict[str, Any]:
        a = self.address
        return {
            "backend": a.backend,
            "host": a.host,
            "port": a.port,
            "user": a.user,
            "path": a.path,
        }

    def __repr__(self) -> str:
        state = "connected" if self.is_connected else "disconnected"
        return f"Joinery connection ({state}) {self.describe_target()}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Connection) and other.conn_info == self.conn_info

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.conn_info.items())))

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._raw is not None:
            with contextlib.suppress(Exception):
                self._raw.close()
        self._raw = None
        self._in_transaction = False

    def ping(self) -> None:
        if self._raw is None:
            raise LostConnectionError("Connection is closed.")
        try:
            self._driver.ping(self._raw)
        except Exception as error:
            raise self._driver.translate(error) from error

    @property
    def is_connected(self) -> bool:
        try:
            self.ping()
        except Exception:
            return False
        return True

    def get_user(self) -> str:
        if self.backend == "sqlite":
            return "sqlite"
        return str(self.query("SELECT user()").fetchone()[0])

    # --- statements ----------------------------------------------------------------------------
    def query(self, sql: str, args: Sequence[Any] = (), *, stream: bool = False) -> Any:
        """Execute one statement with bound parameters and return the driver cursor.

        ``stream=True`` asks for an unbuffered cursor (rows arrive as they are read), which
        keeps large results from being held twice; read it to the end before the next query.
        """
        with self._lock:
            try:
                return self._execute(sql, args, stream)
            except LostConnectionError:
                if self._in_transaction or not self.config["database.reconnect"]:
                    self._in_transaction = False
                    raise LostConnectionError("Connection was lost during a transaction.") from None
                logger.warning("Reconnecting to database server.")
                self.connect()
                return self._execute(sql, args, stream)

    def _execute(self, sql: str, args: Sequence[Any], stream: bool = False) -> Any:
        if self._raw is None:
            self.connect()
        cursor = self._driver.cursor(self._raw, stream)
        try:
            cursor.execute(sql, tuple(args))
        except Exception as error:
            translated = self._driver.translate(error)
            if translated is error:
                raise
            raise translated from error
        return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run one parameterized statement for many rows; returns the affected row count."""
        with self._lock:
            cursor = self._raw.cursor()
            try:
                cursor.executemany(sql, rows)
            except Exception as error:
                translated = self._driver.translate(error)
                if translated is error:
                    raise
                raise translated from error
            return int(cursor.rowcount)

    def new_session(self) -> Connection:
        """A second, independent session to the same database with the same settings."""
        return Connection(address=self.address, config=self.config)

    def server_connection_id(self) -> int:
        """The server's id of this session (0 where there is no server)."""
        if self._raw is None:
            self.connect()
        return self._driver.connection_id(self._raw)

    def invalidate_metadata(self) -> None:
        """Forget cached table metadata (after any DDL)."""
        self.metadata_cache.clear()
        self.metadata_generation += 1

    def bytes_parameter(self, value: bytes) -> Any:
        """A byte string as the driver sends it fastest (hex literals for large MySQL blobs)."""
        return self._driver.bytes_parameter(value)

    def translate_error(self, error: BaseException) -> BaseException:
        return self._driver.translate(error)

    # --- transactions --------------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    def start_transaction(self) -> None:
        if self._in_transaction:
            raise DataJointError("Nested connections are not supported.")
        self.query(self._driver.begin_statement)
        self._in_transaction = True

    def commit_transaction(self) -> None:
        self.query("COMMIT")
        self._in_transaction = False

    def cancel_transaction(self) -> None:
        """Roll back (nothing to do when the database already ended the transaction, so the
        error that ended it is the one the caller sees)."""
        try:
            if self._raw is not None and self._driver.transaction_open(self._raw):
                self.query("ROLLBACK")
        finally:
            self._in_transaction = False

    @property
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """``with conn.transaction:`` commits on success and rolls back on any exception."""
        self.start_transaction()
        try:
            yield self
        except BaseException:
            self.cancel_transaction()
            raise
        self.commit_transaction()


def _address(
    host: str | None,
    user: str | None,
    password: str | None,
    port: int | None,
    url: str | None,
    config: Config,
) -> DatabaseAddress:
    if host and "://" in host:
        url = host
    if url:
        return parse_database_url(url)
    if host is None and user is None:
        return config.database_address()
    host = host or config["database.host"]
    resolved_port = port or config["database.port"] or 3306
    if host and ":" in host:
        host, port_text = host.rsplit(":", 1)
        resolved_port = int(port_text)
    return DatabaseAddress(
        backend="mysql",
        host=host or "localhost",
        port=resolved_port,
        user=user if user is not None else config["database.user"],
        password=password if password is not None else config["database.password"],
    )

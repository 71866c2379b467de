"""What the benchmark scripts share: the two backends (a Joinery connection beside a raw driver
connection to the same database), timing, and the report table.

Scripts run as ``.venv/bin/python bench/<name>.py`` from the repository root; this module puts the
root on ``sys.path`` so ``pipelines`` imports.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import MySQLdb  # noqa: E402

import pipelines.core as dj  # noqa: E402
from pipelines.core.settings import Config, parse_database_url  # noqa: E402

MYSQL_URL = os.environ.get("JOINERY_BENCH_MYSQL_URL", "mysql://root:@127.0.0.1:3306")
REPEATS = 3


@dataclass(frozen=True)
class Figure:
    """One line of the report. ``ratio`` is Joinery's cost over the floor's (1.0 = equal)."""

    backend: str
    name: str
    joinery: str
    floor: str
    ratio: float | None
    target: str
    reference: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "info"
        return "PASS" if self.passed else "MISS"


def median_time(work: Callable[[], Any], setup: Callable[[], Any] | None = None) -> float:
    """Median wall time of ``work`` over REPEATS runs; ``setup`` and result freeing are untimed."""
    times = []
    for _ in range(REPEATS):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
        del result
    return statistics.median(times)


# --- backends -------------------------------------------------------------------------------------
class Backend:
    """A Joinery connection and an independent raw driver connection to the same database."""

    name = ""
    mark = ""

    def __init__(self, url: str, prefix: str) -> None:
        config = Config(environ={})
        config["safemode"] = False
        self.url = url
        self.conn = dj.Connection(url=url, config=config)
        self.raw = self.connect_raw()
        self.schema_name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.schema = dj.Schema(self.schema_name, connection=self.conn)

    def connect_raw(self) -> Any:
        raise NotImplementedError

    def table(self, name: str) -> str:
        return self.conn.dialect.table_ref(self.schema_name, name)

    def begin(self) -> None:
        raise NotImplementedError

    def date_value(self, value: dt.date) -> Any:
        return value

    def run(self, sql: str, args: Sequence[Any] = ()) -> Any:
        cursor = self.raw.cursor()
        cursor.execute(sql, tuple(args))
        return cursor

    def fetch_all(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        rows: list[Any] = self.run(sql, args).fetchall()
        return rows

    def insert_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """The floor's bulk insert: one ``executemany`` in one transaction."""
        cursor = self.raw.cursor()
        self.begin()
        cursor.executemany(sql, rows)
        self.raw.commit()

    def clear(self, table: str) -> None:
        self.run(f"DELETE FROM {self.table(table)}")

    def close(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.cancel_transaction()
            self.schema.drop(prompt=False)
        finally:
            self.raw.close()
            self.conn.close()


class MySQLBackend(Backend):
    name = "mysql"
    mark = "%s"

    def connect_raw(self) -> Any:
        address = parse_database_url(self.url)
        raw = MySQLdb.connect(
            host=address.host,
            port=address.port,
            user=address.user or "",
            password=address.password or "",
            charset="utf8mb4",
        )
        raw.autocommit(True)
        return raw

    def begin(self) -> None:
        self.raw.cursor().execute("START TRANSACTION")

    def clear(self, table: str) -> None:
        self.run(f"TRUNCATE TABLE {self.table(table)}")


class SQLiteBackend(Backend):
    name = "sqlite"
    mark = "?"

    def __init__(self, directory: str, prefix: str) -> None:
        self.path = os.path.join(directory, "bench.sqlite3")
        super().__init__(f"sqlite:///{self.path}", prefix)

    def connect_raw(self) -> Any:
        raw = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        raw.execute("PRAGMA synchronous = NORMAL")  # as Joinery's own session sets it
        return raw

    def begin(self) -> None:
        self.raw.execute("BEGIN IMMEDIATE")

    def date_value(self, value: dt.date) -> Any:
        # SQLite stores dates as ISO text; the conversion is part of the floor's work.
        return value.isoformat()


@contextmanager
def open_backend(name: str, prefix: str) -> Iterator[Backend]:
    if name == "mysql":
        backend: Backend = MySQLBackend(MYSQL_URL, prefix)
        try:
            yield backend
        finally:
            backend.close()
        return
    directory = tempfile.mkdtemp(prefix="joinery-bench-")
    try:
        backend = SQLiteBackend(directory, prefix)
        try:
            yield backend
        finally:
            backend.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


HEADER = ("backend", "figure", "joinery", "floor", "ratio", "target", "DJ 2.3.5", "result")


def print_table(figures: list[Figure]) -> None:
    lines = [
        (
            f.backend,
            f.name,
            f.joinery,
            f.floor,
            "-" if f.ratio is None else f"{f.ratio:.2f}x",
            f.target,
            f.reference,
            f.verdict,
        )
        for f in figures
    ]
    widths = [max(len(str(row[i])) for row in [HEADER, *lines]) for i in range(len(HEADER))]
    for number, row in enumerate([HEADER, *lines]):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


@contextmanager
def datajoint_schema(prefix: str) -> Iterator[tuple[Any, Any, Any]]:
    """DataJoint 2.3.5 (the reference, a dev dependency) on the bench's MariaDB: ``(datajoint
    module, connection, a fresh schema)``, the schema dropped afterwards."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DataJoint warns about a missing datajoint.json
        import datajoint as reference

        address = Config(environ={"DJ_DATABASE_URL": MYSQL_URL}).database_address()
        reference.config["database.host"] = address.host
        reference.config["database.port"] = address.port
        reference.config["database.user"] = address.user or "root"
        reference.config["database.password"] = address.password or ""
        reference.config["database.use_tls"] = False
        reference.config["safemode"] = False
        connection = reference.conn(reset=True)
    name = f"{prefix}_dj_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    schema = reference.Schema(name, connection=connection)
    try:
        yield reference, connection, schema
    finally:
        schema.drop(prompt=False)

"""Engine I/O benchmark: Joinery's insert / fetch / fetch1 / blob paths beside the raw driver.

Every figure is printed next to a *floor*: the raw driver (``MySQLdb`` for MariaDB, ``sqlite3``
for SQLite) doing the same work in the same run, so the ratio isolates Joinery's own overhead
from the machine's speed. Timings are the median of 3 repeats (``time.perf_counter``, with
``gc.collect()`` before each). Peak memory is measured in a fresh subprocess per measurement so
earlier steps cannot raise the high-water mark.

Usage (from the repository root)::

    .venv/bin/python bench/engine_io.py [--quick] [--backend mysql|sqlite|both]

MariaDB comes from ``JOINERY_BENCH_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from common import (
    REPEATS,
    Backend,
    Figure,
    median_time,
    open_backend,
    print_table,
)

import pipelines.core as dj
from pipelines.core import blob
from pipelines.core.settings import Config

MIB = 1024 * 1024
COLUMNS = ("id", "x", "name", "day", "n")

ROWS_DEFINITION = """
id : int32
---
x : float64
name : varchar(32)
day : date
n : int16
"""

BLOB_DEFINITION = """
id : int32
---
data : <blob>
"""


# --- sizes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sizes:
    rows: int = 100_000
    fetch1_calls: int = 2_000
    blob_rows: int = 20
    blob_mib: int = 1
    peak_rows: int = 40
    peak_mib: int = 5

    def quick(self) -> Sizes:
        return Sizes(
            rows=self.rows // 10,
            fetch1_calls=self.fetch1_calls // 10,
            blob_rows=self.blob_rows // 10,
            blob_mib=self.blob_mib,
            peak_rows=self.peak_rows // 10,
            peak_mib=self.peak_mib,
        )


# --- results --------------------------------------------------------------------------------------
def rate_figure(
    backend: str, name: str, amount: float, unit: str, times: tuple[float, float], target: float
) -> tuple[str, str, float, bool]:
    """Throughput (``amount`` per second) of Joinery and floor, cost ratio, target check."""
    joinery_rate, floor_rate = amount / times[0], amount / times[1]
    return (
        _rate(joinery_rate, unit),
        _rate(floor_rate, unit),
        times[0] / times[1],
        joinery_rate >= target,
    )


def _rate(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value / 1000:,.1f}k rows/s"
    return f"{value:,.0f} {unit}"


# --- 1-3: rows --------------------------------------------------------------------------------------
def make_rows(count: int) -> list[dict[str, Any]]:
    rng = random.Random(1)
    start = dt.date(2000, 1, 1)
    return [
        {
            "id": i,
            "x": rng.random(),
            "name": f"name-{i:08d}",
            "day": start + dt.timedelta(days=i % 9000),
            "n": i % 30000,
        }
        for i in range(count)
    ]


def declare(backend: Backend, class_name: str, definition: str) -> Any:
    cls = type(class_name, (dj.Manual,), {"definition": definition})
    backend.schema(cls, context={})
    return cls()


def bench_insert(backend: Backend, table: Any, rows: list[dict[str, Any]]) -> list[Figure]:
    name = table.table_name
    columns = ",".join(backend.conn.dialect.quote(c) for c in COLUMNS)
    marks = ",".join([backend.mark] * len(COLUMNS))
    sql = f"INSERT INTO {backend.table(name)} ({columns}) VALUES ({marks})"
    date = backend.date_value

    def floor() -> None:
        tuples = [(r["id"], r["x"], r["name"], date(r["day"]), r["n"]) for r in rows]
        backend.insert_many(sql, tuples)

    joinery_time = median_time(lambda: table.insert(rows), lambda: backend.clear(name))
    floor_time = median_time(floor, lambda: backend.clear(name))
    shown = rate_figure(
        backend.name, "insert", len(rows), "rows/s", (joinery_time, floor_time), 150_000
    )
    return [
        Figure(backend.name, f"insert {len(rows):,} rows", *shown[:3], ">=150k rows/s",
               "48.6k rows/s", shown[3])
    ]  # fmt: skip


def bench_fetch(backend: Backend, table: Any, count: int) -> list[Figure]:
    columns = ",".join(backend.conn.dialect.quote(c) for c in COLUMNS)
    sql = f"SELECT {columns} FROM {backend.table(table.table_name)}"
    floor_time = median_time(lambda: backend.run(sql).fetchall())
    scale = count / 100_000
    cases = [
        ("fetch -> numpy (to_arrays)", table.to_arrays, 1.3, 0.60),
        ("fetch -> dicts (to_dicts)", table.to_dicts, None, 0.96),
        ("fetch -> pandas (to_pandas)", table.to_pandas, 2.0, 0.96),
    ]
    figures = []
    for label, method, limit, reference in cases:
        joinery_time = median_time(method)
        ratio = joinery_time / floor_time
        figures.append(
            Figure(
                backend.name,
                f"{label} {count:,}",
                f"{joinery_time:.3f} s",
                f"{floor_time:.3f} s",
                ratio,
                f"<={limit}x floor" if limit else "-",
                f"{reference * scale:.2f} s",
                None if limit is None else ratio <= limit,
            )
        )
    return figures


def bench_fetch1(backend: Backend, table: Any, count: int, calls: int) -> list[Figure]:
    quote = backend.conn.dialect.quote
    columns = ",".join(quote(c) for c in COLUMNS)
    where = f"{quote('id')}={backend.mark}"
    sql = f"SELECT {columns} FROM {backend.table(table.table_name)} WHERE {where}"
    keys = random.Random(2).sample(range(count), calls)

    def joinery() -> None:
        for k in keys:
            (table & {"id": k}).fetch1()

    def floor() -> None:
        cursor = backend.raw.cursor()
        for k in keys:
            cursor.execute(sql, (k,))
            cursor.fetchone()

    joinery_time, floor_time = median_time(joinery), median_time(floor)
    ratio = joinery_time / floor_time
    return [
        Figure(backend.name, f"fetch1 by key ({calls:,} calls)",
               f"{joinery_time / calls * 1000:.3f} ms/call", f"{floor_time / calls * 1000:.3f} ms/call",
               ratio, "<=1.2x floor", "0.153 ms/call", ratio <= 1.2)
    ]  # fmt: skip


# --- 4: blobs ---------------------------------------------------------------------------------------
def make_arrays(count: int, mib: int, seed: int) -> Iterator[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return (rng.random(mib * MIB // 8) for _ in range(count))


def bench_blobs(backend: Backend, table: Any, count: int, mib: int) -> list[Figure]:
    arrays = list(make_arrays(count, mib, 3))
    rows = [{"id": i, "data": a} for i, a in enumerate(arrays)]
    name = table.table_name
    target = backend.table(name)
    mark = backend.mark
    data_col, id_col = (backend.conn.dialect.quote(c) for c in ("data", "id"))

    def floor_write() -> None:
        packed = [(i, blob.pack(a)) for i, a in enumerate(arrays)]
        backend.insert_many(
            f"INSERT INTO {target} ({id_col},{data_col}) VALUES ({mark},{mark})", packed
        )

    def joinery_fetch1() -> list[Any]:
        return [(table & {"id": i}).fetch1("data") for i in range(count)]

    def floor_fetch1() -> list[Any]:
        cursor = backend.raw.cursor()
        select = f"SELECT {data_col} FROM {target} WHERE {id_col}={mark}"
        result = []
        for i in range(count):
            cursor.execute(select, (i,))
            result.append(blob.unpack(cursor.fetchone()[0]))
        return result

    def floor_read() -> list[Any]:
        return [
            blob.unpack(r[0]) for r in backend.run(f"SELECT {data_col} FROM {target}").fetchall()
        ]

    total = count * mib
    write = (
        median_time(lambda: table.insert(rows), lambda: backend.clear(name)),
        median_time(floor_write, lambda: backend.clear(name)),
    )
    read_all = (median_time(lambda: table.to_arrays("data")), median_time(floor_read))
    read_one = (median_time(joinery_fetch1), median_time(floor_fetch1))
    label = f"{count} x {mib} MiB"
    return [
        _blob_figure(backend, f"blob write {label}", total, write, 60, ">=60 MiB/s", "26 MiB/s"),
        _blob_figure(backend, f"blob read to_arrays {label}", total, read_all, 500, ">=500 MiB/s", "148 MiB/s"),
        _blob_figure(backend, f"blob read fetch1 {label}", total, read_one, 500, ">=500 MiB/s", "148 MiB/s"),
    ]  # fmt: skip


def _blob_figure(
    backend: Backend,
    name: str,
    mib: float,
    times: tuple[float, float],
    target: float,
    target_text: str,
    reference: str,
) -> Figure:
    joinery, floor, ratio, passed = rate_figure(backend.name, name, mib, "MiB/s", times, target)
    return Figure(backend.name, name, joinery, floor, ratio, target_text, reference, passed)


# --- 5: peak memory ---------------------------------------------------------------------------------
def bench_peak(backend: Backend, table: Any, count: int, mib: int) -> list[Figure]:
    id_col, data_col = (backend.conn.dialect.quote(c) for c in ("id", "data"))
    marks = f"{backend.mark},{backend.mark}"
    sql = f"INSERT INTO {backend.table(table.table_name)} ({id_col},{data_col}) VALUES ({marks})"
    # One row at a time, from a generator, so the parent never holds the whole data set.
    for i, array in enumerate(make_arrays(count, mib, 4)):
        backend.insert_many(sql, [(i, blob.pack(array))])
    joinery = _peak_child(backend, table.table_name, "joinery")
    floor = _peak_child(backend, table.table_name, "floor")
    joinery_ratio = joinery["peak_mib"] / joinery["held_mib"]
    floor_ratio = floor["peak_mib"] / floor["held_mib"]
    return [
        Figure(backend.name, f"peak RSS to_dicts {count} x {mib} MiB",
               f"+{joinery['peak_mib']:.0f} MiB ({joinery_ratio:.2f}x held)",
               f"+{floor['peak_mib']:.0f} MiB ({floor_ratio:.2f}x held)",
               joinery["peak_mib"] / floor["peak_mib"], "<=2x data held", "3.2x held",
               joinery_ratio <= 2.0)
    ]  # fmt: skip


def _peak_child(backend: Backend, table: str, mode: str) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--peak-child",
        mode,
        backend.url,
        backend.schema_name,
        table,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"peak-memory child ({mode}) failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _current_rss_kib() -> int:
    """Resident set size now (not the high-water mark), from /proc where available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_child(mode: str, url: str, schema_name: str, table_name: str) -> None:
    """Read every blob once in this fresh process and print peak RSS growth and data held."""
    config = Config(environ={})
    conn = dj.Connection(url=url, config=config)
    table = dj.FreeTable(conn, f"`{schema_name}`.`{table_name}`")
    reference = conn.dialect.table_ref(schema_name, table_name)
    table.heading  # noqa: B018 -- load the heading before the baseline
    gc.collect()
    baseline = _current_rss_kib()
    if mode == "joinery":
        values = [row["data"] for row in table.to_dicts()]
    else:
        rows = conn.raw.cursor()
        rows.execute(f"SELECT * FROM {reference}")
        values = [blob.unpack(r[1]) for r in rows.fetchall()]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    held = sum(v.nbytes for v in values)
    print(json.dumps({"peak_mib": (peak - baseline) / 1024, "held_mib": held / MIB}))
    conn.close()


# --- driver ---------------------------------------------------------------------------------------
def run_backend(backend: Backend, sizes: Sizes) -> Iterator[Figure]:
    rows_table = declare(backend, "BenchRows", ROWS_DEFINITION)
    rows = make_rows(sizes.rows)
    yield from bench_insert(backend, rows_table, rows)
    del rows
    yield from bench_fetch(backend, rows_table, sizes.rows)
    yield from bench_fetch1(backend, rows_table, sizes.rows, sizes.fetch1_calls)
    blob_table = declare(backend, "BenchBlob", BLOB_DEFINITION)
    yield from bench_blobs(backend, blob_table, sizes.blob_rows, sizes.blob_mib)
    blob_table.drop_quick()
    peak_table = declare(backend, "BenchPeak", BLOB_DEFINITION)
    yield from bench_peak(backend, peak_table, sizes.peak_rows, sizes.peak_mib)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10x fewer rows (smoke run)")
    parser.add_argument("--backend", choices=("mysql", "sqlite", "both"), default="both")
    parser.add_argument("--peak-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak_child:
        peak_child(*args.peak_child)
        return 0
    sizes = Sizes().quick() if args.quick else Sizes()
    names = ("mysql", "sqlite") if args.backend == "both" else (args.backend,)
    figures: list[Figure] = []
    started = time.perf_counter()
    for name in names:
        with open_backend(name, "bench_io") as backend:
            for figure in run_backend(backend, sizes):
                figures.append(figure)
                print(f"  {figure.backend:<6} {figure.name}: {figure.joinery}", file=sys.stderr)
    print()
    print("ratio = Joinery's time / the raw driver's time for the same work (1.00x = no overhead);")
    print("for peak RSS, Joinery's growth / the floor's; DJ 2.3.5 figures scaled to the row count.")
    print()
    print_table(figures)
    print(f"\ntotal {time.perf_counter() - started:.0f} s, median of {REPEATS} repeats per figure")
    return 0


if __name__ == "__main__":
    sys.exit(main())

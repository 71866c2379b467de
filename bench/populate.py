"""Populate benchmark: Joinery's ``populate`` loop, job queue and workers with a trivial ``make``.

``make`` fetches one parent row and inserts one row, so the figures are the framework's own
cost per key: direct ``populate()``, ``populate(reserve_jobs=True)``, ``jobs.refresh()``, two
worker processes against one, the statements the engine sends per key besides ``make``'s own, and
the fixed cost of a ``populate()`` call that finds nothing to do. The direct rate is printed next
to a *floor*: the raw driver running the loop a careful script would (per key: select the
parent, insert; one commit per group of keys, grouped as direct ``populate`` groups them).
Timings are medians of 3 repeats (``time.perf_counter``, with ``gc.collect()`` before each).

Usage (from the repository root)::

    .venv/bin/python bench/populate.py [--quick] [--backend mysql|sqlite|both]

MariaDB comes from ``JOINERY_BENCH_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from common import MYSQL_URL, REPEATS, datajoint_schema, median_time

import pipelines.core as dj
from pipelines.core.populate.grouped import GROUP_MAX_KEYS
from pipelines.core.settings import Config

#: The CPU-bound make of the second worker figure: enough work for processes to pay off.
CPU_MAKE_SECONDS = 0.005


def computed_tier() -> type:
    """``dj.Computed`` once it carries ``populate``; until then the populate layer's own class."""
    if hasattr(dj.Computed, "populate"):
        return dj.Computed
    module = importlib.import_module("pipelines.core.populate.autopopulate")
    tier: type = module.Computed
    return tier


# --- sizes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sizes:
    keys: int = 2_000
    refresh_keys: int = 20_000
    counted_keys: int = 200
    idle_calls: int = 50
    cpu_keys: int = 200

    def quick(self) -> Sizes:
        return Sizes(keys=200, refresh_keys=2_000, counted_keys=50, idle_calls=20, cpu_keys=100)


# --- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    backend: str
    name: str
    joinery: str
    floor: str
    target: str
    reference: str
    passed: bool | None
    kind: str = ""

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "info"
        return "PASS" if self.passed else "MISS"


def rate(count: int, seconds: float) -> str:
    per_second = count / seconds
    if per_second >= 10_000:
        return f"{per_second / 1000:,.1f}k keys/s"
    return f"{per_second:,.0f} keys/s"


# --- counting statements ----------------------------------------------------------------------------
class StatementCounter:
    """Counts what the engine sends through ``conn.query`` / ``conn.executemany``.

    ``make`` marks its own stretch, so the statements it issues itself (one fetch1, one insert1)
    are told apart from the framework's.
    """

    def __init__(self) -> None:
        self.total = 0
        self.in_make = 0
        self.inside = False

    @contextmanager
    def making(self) -> Iterator[None]:
        self.inside = True
        try:
            yield
        finally:
            self.inside = False

    def hit(self) -> None:
        self.total += 1
        self.in_make += self.inside

    @contextmanager
    def watching(self, conn: dj.Connection) -> Iterator[StatementCounter]:
        query, executemany = conn.query, conn.executemany

        def counted_query(sql: str, args: Sequence[Any] = (), *, stream: bool = False) -> Any:
            self.hit()
            return query(sql, args, stream=stream)

        def counted_executemany(sql: str, rows: Sequence[Sequence[Any]]) -> int:
            self.hit()
            return executemany(sql, rows)

        self.total = self.in_make = 0
        conn.query = counted_query  # type: ignore[method-assign]
        conn.executemany = counted_executemany  # type: ignore[method-assign]
        try:
            yield self
        finally:
            del conn.query, conn.executemany  # back to the class's methods


COUNTER = StatementCounter()


def spin(seconds: float) -> None:
    """Busy CPU work for ``seconds`` (holding the GIL, like numpy-free Python analysis code)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


# --- the pipeline under test ------------------------------------------------------------------------
class Bench:
    """One backend: a connection, a throwaway schema, Parent/Child and BigParent/BigChild."""

    def __init__(self, name: str, url: str, sizes: Sizes) -> None:
        config = Config(environ={})
        config["safemode"] = False
        self.name = name
        self.conn = dj.Connection(url=url, config=config)
        self.schema = dj.Schema(
            f"bench_pop_{os.getpid()}_{uuid.uuid4().hex[:6]}", connection=self.conn
        )
        self.parent, self.child = self.declare("", sizes.keys)
        self.big_parent, self.big_child = self.declare("Big", sizes.refresh_keys)

    def declare(self, prefix: str, count: int) -> tuple[Any, Any]:
        parent_cls = type(
            f"{prefix}Parent", (dj.Manual,), {"definition": "id : int32\n---\nx : float64\n"}
        )
        self.schema(parent_cls, context={})
        parent = parent_cls()

        def make(table: Any, key: dict[str, Any]) -> None:
            with COUNTER.making():
                x = (parent & key).fetch1("x")
                spin(table.cpu_seconds)
                table.insert1({**key, "y": 2 * x})

        child_cls = type(
            f"{prefix}Child",
            (computed_tier(),),
            {
                "definition": f"-> {prefix}Parent\n---\ny : float64\n",
                "make": make,
                "cpu_seconds": 0.0,
            },
        )
        self.schema(child_cls, context={f"{prefix}Parent": parent_cls})
        parent.insert({"id": i, "x": i / 7} for i in range(count))
        return parent, child_cls()

    def reset(self, child: Any) -> None:
        child.delete_quick()
        child.jobs.delete()

    def close(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.cancel_transaction()
            self.schema.drop(prompt=False)
        finally:
            self.conn.close()


# --- figures --------------------------------------------------------------------------------------
def bench_direct(bench: Bench, keys: int) -> list[Figure]:
    child = bench.child
    joinery = median_time(child.populate, lambda: bench.reset(child))
    assert len(child) == keys, "populate left keys undone"
    floor = median_time(lambda: floor_loop(bench, keys), lambda: bench.reset(child))
    return [
        Figure(bench.name, f"populate direct, {keys:,} keys", rate(keys, joinery),
               rate(keys, floor), ">=4,000 keys/s", "1,352 keys/s", keys / joinery >= 4_000,
               "direct")
    ]  # fmt: skip


def floor_loop(bench: Bench, keys: int) -> None:
    """The raw driver doing the same work as direct ``populate``: per key, select the parent and
    insert, in transactions of the same commit groups (1, 2, 4, ... up to GROUP_MAX_KEYS keys)."""
    dialect, raw = bench.conn.dialect, bench.conn.raw
    mark = "?" if bench.conn.backend == "sqlite" else "%s"
    id_, x, y = (dialect.quote(c) for c in ("id", "x", "y"))
    parent = dialect.table_ref(bench.schema.database, bench.parent.table_name)
    child = dialect.table_ref(bench.schema.database, bench.child.table_name)
    select = f"SELECT {x} FROM {parent} WHERE {id_}={mark}"
    insert = f"INSERT INTO {child} ({id_},{y}) VALUES ({mark},{mark})"
    cursor = raw.cursor()
    start, group = 0, 1
    while start < keys:
        end = min(start + group, keys)
        cursor.execute("BEGIN")
        for key in range(start, end):
            cursor.execute(select, (key,))
            value = cursor.fetchone()[0]
            cursor.execute(insert, (key, 2 * value))
        cursor.execute("COMMIT")
        start, group = end, min(2 * group, GROUP_MAX_KEYS)


def bench_reserved(bench: Bench, keys: int) -> list[Figure]:
    child = bench.child
    seconds = median_time(lambda: child.populate(reserve_jobs=True), lambda: bench.reset(child))
    assert len(child) == keys, "populate(reserve_jobs=True) left keys undone"
    return [
        Figure(bench.name, f"populate reserve_jobs, {keys:,} keys", rate(keys, seconds), "-",
               ">=2,500 keys/s", "753 keys/s", keys / seconds >= 2_500, "reserve")
    ]  # fmt: skip


def bench_refresh(bench: Bench, keys: int) -> list[Figure]:
    jobs = bench.big_child.jobs
    seconds = median_time(jobs.refresh, jobs.delete)
    assert jobs.progress()["pending"] == keys, "refresh did not queue every key"
    return [
        Figure(bench.name, f"jobs.refresh(), {keys:,} keys", rate(keys, seconds), "-",
               ">=50k keys/s", "4.7k keys/s", keys / seconds >= 50_000, "refresh")
    ]  # fmt: skip


def bench_workers(bench: Bench, keys: int, cpu_keys: int) -> list[Figure]:
    child = bench.child

    def run(processes: int, *restrictions: str) -> float:
        return median_time(
            lambda: child.populate(*restrictions, reserve_jobs=True, processes=processes),
            lambda: bench.reset(child),
        )

    one, two = run(1), run(2)
    assert len(child) == keys, "two workers left keys undone"
    type(child).cpu_seconds = CPU_MAKE_SECONDS
    try:
        cpu_one, cpu_two = run(1, f"id < {cpu_keys}"), run(2, f"id < {cpu_keys}")
    finally:
        type(child).cpu_seconds = 0.0
    ratio, cpu_ratio = one / two, cpu_one / cpu_two
    cpu_label = f"{CPU_MAKE_SECONDS * 1000:.0f} ms CPU"
    return [
        Figure(bench.name, f"2 workers vs 1 (reserve_jobs), {keys:,} keys",
               f"{ratio:.2f}x ({rate(keys, two)})", f"1 worker: {rate(keys, one)}",
               ">=1.6x", "1.1x", ratio >= 1.6),
        Figure(bench.name, f"2 workers vs 1, make with {cpu_label}, {cpu_keys} keys",
               f"{cpu_ratio:.2f}x ({rate(cpu_keys, cpu_two)})",
               f"1 worker: {rate(cpu_keys, cpu_one)}", "-", "-", None),
    ]  # fmt: skip


def bench_round_trips(bench: Bench, keys: int) -> list[Figure]:
    """Statements per key beyond make's own, net of the per-call ones (key source query etc.)."""
    child = bench.child
    bench.reset(child)
    with COUNTER.watching(bench.conn) as counter:
        child.populate(f"id < {keys}")
        total, in_make = counter.total, counter.in_make
    assert len(child) == keys, "populate left counted keys undone"
    with COUNTER.watching(bench.conn) as counter:
        child.populate(f"id < {keys}")
        fixed = counter.total
    framework = (total - in_make - fixed) / keys
    return [
        Figure(bench.name, f"statements per key, direct ({keys} keys)",
               f"{framework:.2f} (+{in_make / keys:.0f} in make, +{fixed} per call)", "-",
               "<=2", "5", framework <= 2)
    ]  # fmt: skip


def bench_idle(bench: Bench, calls: int) -> list[Figure]:
    child = bench.child
    bench.reset(child)
    child.populate()

    def idle() -> None:
        for _ in range(calls):
            child.populate()

    per_call = median_time(idle) / calls * 1000
    return [
        Figure(bench.name, "populate() with nothing to do", f"{per_call:.2f} ms/call", "-",
               "<=5 ms", "10-20 ms", per_call <= 5, "idle")
    ]  # fmt: skip


def run_backend(bench: Bench, sizes: Sizes) -> Iterator[Figure]:
    yield from bench_direct(bench, sizes.keys)
    yield from bench_reserved(bench, sizes.keys)
    yield from bench_refresh(bench, sizes.refresh_keys)
    yield from bench_workers(bench, sizes.keys, sizes.cpu_keys)
    yield from bench_round_trips(bench, sizes.counted_keys)
    yield from bench_idle(bench, sizes.idle_calls)


# --- DataJoint 2.3.5 in the same run (optional) -----------------------------------------------------
def datajoint_figures(sizes: Sizes) -> dict[str, str]:
    """DataJoint's own direct, reserve_jobs, refresh and idle figures on the same MariaDB now.

    The static reference column comes from another machine; a loaded or slower server moves both
    sides, so ``--datajoint`` measures DataJoint beside Joinery for a like-for-like comparison.
    """
    with datajoint_schema("bench_pop") as (reference, _, schema):
        return _datajoint_run(reference, schema, sizes)


def _datajoint_run(reference: Any, schema: Any, sizes: Sizes) -> dict[str, str]:
    tables = {}
    for prefix, count in (("", sizes.keys), ("Big", sizes.refresh_keys)):
        parent_cls = type(
            f"{prefix}Parent", (reference.Manual,), {"definition": "id : int32\n---\nx : float64\n"}
        )
        schema(parent_cls, context={})

        def make(table: Any, key: dict[str, Any], parent: Any = parent_cls) -> None:
            x = (parent & key).fetch1("x")
            table.insert1({**key, "y": 2 * x})

        child_cls = type(f"{prefix}Child", (reference.Computed,),
                         {"definition": f"-> {prefix}Parent\n---\ny : float64\n", "make": make})  # fmt: skip
        schema(child_cls, context={f"{prefix}Parent": parent_cls})
        parent_cls().insert({"id": i, "x": i / 7} for i in range(count))
        tables[prefix] = child_cls()
    child, big = tables[""], tables["Big"]

    def reset() -> None:
        child.delete_quick()
        child.jobs.delete()

    direct = median_time(child.populate, reset)
    reserve = median_time(lambda: child.populate(reserve_jobs=True), reset)
    refresh = median_time(big.jobs.refresh, big.jobs.delete)
    reset()
    child.populate()
    idle = median_time(lambda: [child.populate() for _ in range(sizes.idle_calls)])
    return {
        "direct": rate(sizes.keys, direct),
        "reserve": rate(sizes.keys, reserve),
        "refresh": rate(sizes.refresh_keys, refresh),
        "idle": f"{idle / sizes.idle_calls * 1000:.2f} ms/call",
    }


# --- driver ---------------------------------------------------------------------------------------
@contextmanager
def open_bench(name: str, sizes: Sizes) -> Iterator[Bench]:
    directory = tempfile.mkdtemp(prefix="joinery-bench-pop-") if name == "sqlite" else None
    url = MYSQL_URL if directory is None else f"sqlite:///{directory}/bench.sqlite3"
    try:
        bench = Bench(name, url, sizes)
        try:
            yield bench
        finally:
            bench.close()
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


HEADER = ("backend", "figure", "joinery", "floor", "target", "DJ 2.3.5", "result")


def print_table(figures: list[Figure]) -> None:
    lines = [
        (f.backend, f.name, f.joinery, f.floor, f.target, f.reference, f.verdict) for f in figures
    ]
    widths = [max(len(str(row[i])) for row in [HEADER, *lines]) for i in range(len(HEADER))]
    for number, row in enumerate([HEADER, *lines]):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10x fewer keys (smoke run)")
    parser.add_argument("--backend", choices=("mysql", "sqlite", "both"), default="both")
    parser.add_argument("--datajoint", action="store_true",
                        help="also measure DataJoint 2.3.5 on the same MariaDB (its column shows "
                        "'reference / this run')")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = Sizes().quick() if args.quick else Sizes()
    names = ("mysql", "sqlite") if args.backend == "both" else (args.backend,)
    figures: list[Figure] = []
    started = time.perf_counter()
    for name in names:
        with open_bench(name, sizes) as bench:
            for figure in run_backend(bench, sizes):
                figures.append(figure)
                print(f"  {figure.backend:<6} {figure.name}: {figure.joinery}", file=sys.stderr)
    if args.datajoint and "mysql" in names:
        live = datajoint_figures(sizes)
        figures = [
            replace(f, reference=f"{f.reference} / {live[f.kind]}")
            if f.backend == "mysql" and f.kind in live
            else f
            for f in figures
        ]
    print()
    print("make() = fetch1 one parent row + insert1 one row; the floor is the raw driver running")
    print("select / insert per key on the same session, committed in the same groups of keys.")
    if args.datajoint:
        print("DJ 2.3.5 column: reference figure / DataJoint measured now on the same MariaDB.")
    print()
    print_table(figures)
    print(f"\ntotal {time.perf_counter() - started:.0f} s, median of {REPEATS} repeats per figure")
    return 0


if __name__ == "__main__":
    sys.exit(main())

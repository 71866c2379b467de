"""Query-algebra benchmark: Joinery's join / proj / restrict / aggr / union beside the raw driver.

Every figure is printed next to a *floor*: the raw driver (``MySQLdb`` for MariaDB, ``sqlite3``
for SQLite) running the very SQL text and parameters Joinery generated for that query and
fetching all rows, so the ratio is Joinery's own cost (building, compiling, decoding, shaping the
result) over the database's. Timings are the median of 3 repeats (``time.perf_counter``, with
``gc.collect()`` before each). A last group of figures times building and compiling a
five-operator expression, which involves no database at all.

Usage (from the repository root)::

    .venv/bin/python bench/algebra.py [--quick] [--backend mysql|sqlite|both]

MariaDB comes from ``JOINERY_BENCH_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from common import (
    REPEATS,
    Backend,
    Figure,
    median_time,
    open_backend,
    print_table,
)

import pipelines.core as dj
from pipelines.core.sql.select import render

SUBJECT = """
subject_id : int32
---
species : varchar(16)
weight : float64
dob : date
"""

SESSION = """
-> Subject
session_idx : int16
---
session_date : date
duration : float64
k : int16        # 0..99, so k < 10 keeps a tenth of the rows
note : varchar(32)
"""

TRIAL = """
-> Session
trial : int16
---
c : int32
"""


# --- sizes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sizes:
    parents: int = 10_000
    children: int = 10  # per parent
    builds: int = 2_000
    warmup: int = 200

    @property
    def rows(self) -> int:
        return self.parents * self.children

    @property
    def scale(self) -> float:
        """DataJoint's figures were taken at 10k parents; scale them to this run's size."""
        return self.parents / 10_000

    def quick(self) -> Sizes:
        return Sizes(self.parents // 10, self.children, self.builds, self.warmup)


# --- results --------------------------------------------------------------------------------------
def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.1f} µs"


# --- timing ---------------------------------------------------------------------------------------
def mean_time(work: Callable[[], Any], count: int, warmup: int) -> float:
    """Mean time of one ``work()`` over ``count`` calls, median over REPEATS, after a warm-up."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(REPEATS):
        gc.collect()
        start = time.perf_counter()
        for _ in range(count):
            work()
        times.append((time.perf_counter() - start) / count)
    return statistics.median(times)


# --- data -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tables:
    subject: Any
    session: Any
    trial: Any


def declare(backend: Backend) -> Tables:
    context: dict[str, Any] = {}
    for name, definition in (("Subject", SUBJECT), ("Session", SESSION), ("Trial", TRIAL)):
        cls = type(name, (dj.Manual,), {"definition": definition})
        context[name] = backend.schema(cls, context=context)
    return Tables(context["Subject"](), context["Session"](), context["Trial"]())


def populate(tables: Tables, sizes: Sizes) -> None:
    """10 sessions per subject; a few trials so the compiled aggregation also runs."""
    rng = random.Random(1)
    start = dt.date(2020, 1, 1)
    species = ("mouse", "rat", "zebrafish", "fly", "macaque")
    tables.subject.insert(
        {
            "subject_id": s,
            "species": species[s % len(species)],
            "weight": 5 + 40 * rng.random(),
            "dob": start - dt.timedelta(days=s % 700),
        }
        for s in range(sizes.parents)
    )
    tables.session.insert(
        {
            "subject_id": s,
            "session_idx": i,
            "session_date": start + dt.timedelta(days=(s + i) % 365),
            "duration": 600 * rng.random(),
            "k": (s * sizes.children + i) % 100,
            "note": f"session {s}-{i}",
        }
        for s in range(sizes.parents)
        for i in range(sizes.children)
    )
    tables.trial.insert(
        {"subject_id": s, "session_idx": 0, "trial": t, "c": t} for s in range(50) for t in range(3)
    )


# --- 1: queries that return rows -------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    query: Any
    fetch: Callable[[Any], Any]
    reference: float  # DataJoint 2.3.5, seconds, at 10k parents


def cases(tables: Tables, sizes: Sizes) -> list[Case]:
    subject, session = tables.subject, tables.session
    quarter = sizes.parents // 4
    join = subject * session
    union = (session.proj() & f"subject_id < {quarter}") + (
        session.proj() & f"subject_id >= {sizes.parents - quarter}"
    )
    rows = f"{sizes.rows:,}"
    return [
        Case(f"join {sizes.parents:,}x{sizes.children} -> to_arrays", join, _arrays, 0.97),
        Case(f"join {sizes.parents:,}x{sizes.children} -> to_dicts", join, _dicts, 1.61),
        Case(
            f"proj rename+computed {rows} -> to_arrays",
            session.proj("duration", sdate="session_date", dur_h="duration / 60.0"),
            _arrays,
            0.61,
        ),
        Case(f"restrict 10% of {rows} -> to_arrays", session & "k < 10", _arrays, 0.070),
        Case(
            f"aggr count per parent ({rows}) -> to_arrays",
            subject.aggr(session, n="count(*)"),
            _arrays,
            0.042,
        ),
        Case(f"union of {2 * quarter * sizes.children:,} keys -> to_arrays", union, _arrays, 0.15),
    ]


def _arrays(query: Any) -> Any:
    return query.to_arrays()


def _dicts(query: Any) -> Any:
    return query.to_dicts()


def bench_case(backend: Backend, case: Case, scale: float) -> Figure:
    sql = case.query.make_sql()
    _, params = case.query.compiler().sql(case.query.node)
    expected = len(backend.fetch_all(sql, params))
    got = len(case.fetch(case.query))
    if got != expected:
        raise RuntimeError(f"{case.name}: Joinery returned {got} rows, the driver {expected}")
    joinery = median_time(lambda: case.fetch(case.query))
    floor = median_time(lambda: backend.fetch_all(sql, params))
    reference = case.reference * scale
    return Figure(
        backend.name,
        case.name,
        _seconds(joinery),
        _seconds(floor),
        joinery / floor,
        f"<={_seconds(reference / 2)}",
        _seconds(reference),
        joinery <= reference / 2,
    )


# --- 2: building and compiling ----------------------------------------------------------------------
def five_operators(tables: Tables) -> Any:
    """Restrict, join, project, aggregate, top: the expression whose cost per query we bound."""
    joined = (tables.subject & "weight > 20") * tables.session
    grouped = joined.proj(x="duration", z="k*2").aggr(tables.trial, n="count(c)")
    return grouped & dj.Top(10)


def build_and_compile(tables: Tables) -> tuple[str, list[Any]]:
    query = five_operators(tables)
    result: tuple[str, list[Any]] = query.compiler().sql(query.node)
    return result


def bench_compile(backend: Backend, tables: Tables, sizes: Sizes) -> list[Figure]:
    start = time.perf_counter()
    for table in (tables.subject, tables.session, tables.trial):
        table.heading  # noqa: B018 -- first use after the declarations: reads the catalog
    headings = time.perf_counter() - start
    start = time.perf_counter()
    build_and_compile(tables)  # the first compile of this shape on this dialect
    cold = time.perf_counter() - start
    sql, params = build_and_compile(tables)
    backend.fetch_all(sql, params)  # the compiled SQL must run
    query = five_operators(tables)
    compiler = query.compiler()
    node = query.node

    def uncached() -> Any:
        return render(compiler.build(node), compiler.dialect)

    warm = mean_time(lambda: build_and_compile(tables), sizes.builds, sizes.warmup)
    build = mean_time(lambda: five_operators(tables).node, sizes.builds, sizes.warmup)
    compile_only = mean_time(lambda: query.compiler().sql(node), sizes.builds, sizes.warmup)
    compile_fresh = mean_time(uncached, sizes.builds, sizes.warmup)
    label = f"mean of {sizes.builds:,}"
    b = backend.name
    return [
        Figure(b, f"build+compile 5 ops ({label})", _seconds(warm), "-", None, "<=100 µs",
               "-", warm <= 100e-6),
        Figure(b, "  of which build only", _seconds(build), "-", None, "-", "-", None),
        Figure(b, "  of which compile (plan cached)", _seconds(compile_only), "-", None, "-",
               "-", None),
        Figure(b, "compile, no plan cache (build+render)", _seconds(compile_fresh), "-", None,
               "-", "-", None),
        Figure(b, "build+compile 5 ops, cold first call", _seconds(cold), "-", None, "-", "-",
               None),
        Figure(b, "  before it: load the 3 tables' headings", _seconds(headings), "-", None, "-",
               "-", None),
    ]  # fmt: skip


# --- driver ---------------------------------------------------------------------------------------
def run_backend(backend: Backend, sizes: Sizes) -> Iterator[Figure]:
    tables = declare(backend)
    yield from bench_compile(backend, tables, sizes)  # first, so the cold figure is cold
    populate(tables, sizes)
    for case in cases(tables, sizes):
        yield bench_case(backend, case, sizes.scale)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10x fewer rows (smoke run)")
    parser.add_argument("--backend", choices=("mysql", "sqlite", "both"), default="both")
    args = parser.parse_args(argv)
    # A terminated run still unwinds, so the finally blocks drop the schemas.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = Sizes().quick() if args.quick else Sizes()
    names = ("mysql", "sqlite") if args.backend == "both" else (args.backend,)
    figures: list[Figure] = []
    started = time.perf_counter()
    for name in names:
        with open_backend(name, "bench_alg") as backend:
            for figure in run_backend(backend, sizes):
                figures.append(figure)
                print(f"  {figure.backend:<6} {figure.name}: {figure.joinery}", file=sys.stderr)
    print()
    print("ratio = Joinery's time / the raw driver running Joinery's SQL and fetching all rows;")
    print("target = half of DataJoint 2.3.5's time (MariaDB), scaled to the row count.")
    print()
    print_table(figures)
    print(f"\ntotal {time.perf_counter() - started:.0f} s, median of {REPEATS} repeats per figure")
    return 0


if __name__ == "__main__":
    sys.exit(main())

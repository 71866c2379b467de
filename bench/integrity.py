"""Referential-integrity benchmark: cascading ``delete``, its metadata cost and ``delete_preview``.

A Parent table with 2N rows and a Child table with ten rows per parent; the figure deletes the
first N parents (``Parent & "parent_id < N"``), which cascades to 10N children. It is printed
next to a *floor*: the raw driver sending the same two DELETEs in one transaction. The round-trip
figure counts the statements a warm ``delete()`` sends besides the DELETEs themselves (and any
counts), i.e. what planning, transactions and metadata cost; the first delete on a new connection
(which reads the catalog) is shown beside it. Timings are medians of 3 repeats
(``time.perf_counter``, with ``gc.collect()`` before each; the delete and its floor take turns, 5
times each); the deleted rows are re-inserted, untimed, between repeats.

Usage (from the repository root)::

    .venv/bin/python bench/integrity.py [--quick] [--backend mysql|sqlite|both] [--datajoint]

``--quick`` uses 10x fewer rows. ``--datajoint`` also measures DataJoint 2.3.5 on the same
MariaDB. MariaDB comes from ``JOINERY_BENCH_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, cast

from common import (
    REPEATS,
    Backend,
    Figure,
    datajoint_schema,
    median_time,
    open_backend,
    print_table,
)

import pipelines.core as dj

PARENT = "parent_id : int32\n---\nx : float64\n"
CHILD = "-> Parent\nchild : int16\n---\ny : float64\n"
#: The delete and its floor alternate this many times (their medians are compared).
PAIRED_REPEATS = 5


@dataclass(frozen=True)
class Sizes:
    parents: int = 10_000
    children_per_parent: int = 10

    def quick(self) -> Sizes:
        return Sizes(parents=self.parents // 10)

    @property
    def children(self) -> int:
        return self.parents * self.children_per_parent


# --- counting statements ----------------------------------------------------------------------------
class Counter:
    """Statements sent through ``conn.query``, told apart: the data work (DELETE, count) and the
    rest (catalog reads, transactions)."""

    def __init__(self) -> None:
        self.data = 0
        self.other = 0
        self.seconds = 0.0  # spent waiting for the server

    def hit(self, sql: str) -> None:
        text = sql.lstrip().upper()
        if text.startswith("DELETE") or text.startswith("SELECT COUNT"):
            self.data += 1
        else:
            self.other += 1

    @contextmanager
    def watching(self, conn: Any) -> Iterator[Counter]:
        query = conn.query

        def counted(sql: str, args: Sequence[Any] = (), **kwargs: Any) -> Any:
            self.hit(sql)
            start = time.perf_counter()
            try:
                return query(sql, args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        self.data = self.other = 0
        self.seconds = 0.0
        conn.query = counted
        try:
            yield self
        finally:
            del conn.query  # back to the class's method


# --- the pipeline under test ------------------------------------------------------------------------
class Pipeline:
    def __init__(self, backend: Backend, sizes: Sizes) -> None:
        self.backend = backend
        self.sizes = sizes
        context: dict[str, Any] = {}
        self.parent_cls: Any = cast(Any, type("Parent", (dj.Manual,), {"definition": PARENT}))
        backend.schema(self.parent_cls, context=context)
        context["Parent"] = self.parent_cls
        self.child_cls: Any = cast(Any, type("Child", (dj.Manual,), {"definition": CHILD}))
        backend.schema(self.child_cls, context=context)
        if backend.name == "sqlite":  # the floor checks foreign keys too, as Joinery's session does
            backend.run("PRAGMA foreign_keys = ON")
        n = 2 * sizes.parents
        self.parent_cls.insert({"parent_id": i, "x": i / 3} for i in range(n))
        self.refill()

    @property
    def seed(self) -> Any:
        return self.parent_cls & f"parent_id < {self.sizes.parents}"

    def refill(self) -> None:
        """Put back the rows a delete removed (untimed)."""
        n, k = self.sizes.parents, self.sizes.children_per_parent
        self.parent_cls.insert(
            ({"parent_id": i, "x": i / 3} for i in range(n)), skip_duplicates=True
        )
        self.child_cls.insert(
            ({"parent_id": i, "child": c, "y": c / 7} for i in range(2 * n) for c in range(k)),
            skip_duplicates=True,
        )

    def refill_and_settle(self) -> None:
        """``refill``, then wait (up to 5 s) for InnoDB to purge the previous delete's undo log,
        so one measurement does not pay for the last one's background work."""
        self.refill()
        if self.backend.name != "mysql":
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            (length,) = self.backend.fetch_all(
                "SELECT count FROM information_schema.innodb_metrics "
                "WHERE name = 'trx_rseg_history_len'"
            )[0]
            if not length:
                return
            time.sleep(0.05)

    def joinery_delete(self) -> None:
        deleted = self.seed.delete(prompt=False)
        assert deleted == self.sizes.parents, deleted

    def floor_delete(self) -> None:
        b, n = self.backend, self.sizes.parents
        cursor = b.raw.cursor()
        b.begin()
        for table in ("child", "parent"):
            cursor.execute(f"DELETE FROM {b.table(table)} WHERE parent_id < {b.mark}", (n,))
        b.raw.commit() if b.name == "mysql" else cursor.execute("COMMIT")


def paired_medians(first: Any, second: Any, setup: Any) -> tuple[float, float]:
    """Median times of two ways of doing the same work, run alternately: the server's background
    work after a large delete (InnoDB purge) then weighs on both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(PAIRED_REPEATS):
        for work, spent in ((first, times[0]), (second, times[1])):
            setup()
            gc.collect()
            start = time.perf_counter()
            work()
            spent.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def run_backend(backend: Backend, sizes: Sizes) -> Iterator[Figure]:
    pipeline = Pipeline(backend, sizes)
    label = f"{sizes.parents:,} parents + {sizes.children:,} children"
    joinery, floor = paired_medians(
        pipeline.joinery_delete, pipeline.floor_delete, pipeline.refill_and_settle
    )
    yield Figure(backend.name, f"cascade delete, {label}", f"{joinery:.3f} s", f"{floor:.3f} s",
                 joinery / floor, "<=0.12 s", "0.17 s", joinery <= 0.12)  # fmt: skip

    pipeline.refill()
    counter = Counter()
    with counter.watching(backend.conn):
        start = time.perf_counter()
        pipeline.joinery_delete()
        own = time.perf_counter() - start - counter.seconds
    warm = counter.other
    yield Figure(backend.name, "  Joinery's own time in that delete", f"{own * 1000:.1f} ms",
                 "-", None, "-", "-", None)  # fmt: skip
    pipeline.refill()
    cold_conn = backend.conn.new_session()
    parent: Any = dj.FreeTable(cold_conn, pipeline.parent_cls.full_table_name)
    with counter.watching(cold_conn):
        seed: Any = parent & f"parent_id < {sizes.parents}"
        assert seed.delete(prompt=False)
    cold = counter.other
    cold_conn.close()
    pipeline.refill()
    yield Figure(backend.name, "metadata round trips per delete", f"{warm}",
                 "2 (begin, commit)", None, "<=5", "~108", warm <= 5)  # fmt: skip
    yield Figure(backend.name, "  first delete on a new connection", f"{cold}", "-", None,
                 "-", "-", None)  # fmt: skip

    preview = median_time(lambda: pipeline.seed.delete_preview())
    counts = pipeline.seed.delete_preview().counts
    assert list(counts.values()) == [sizes.parents, sizes.children], counts
    yield Figure(backend.name, f"delete_preview, {label}", f"{preview * 1000:.1f} ms", "-",
                 None, "<=50 ms", "-", preview <= 0.05)  # fmt: skip


# --- DataJoint 2.3.5 on the same MariaDB (optional) -------------------------------------------------
def datajoint_figures(sizes: Sizes) -> dict[str, str]:
    with (
        datajoint_schema("bench_int") as (reference, connection, schema),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        return _datajoint_run(reference, schema, connection, sizes)


def _datajoint_run(reference: Any, schema: Any, connection: Any, sizes: Sizes) -> dict[str, str]:
    parent_cls = type("Parent", (reference.Manual,), {"definition": PARENT})
    schema(parent_cls, context={})
    child_cls = type("Child", (reference.Manual,), {"definition": CHILD})
    schema(child_cls, context={"Parent": parent_cls})
    n, k = sizes.parents, sizes.children_per_parent

    def refill() -> None:
        parent_cls().insert(({"parent_id": i, "x": i / 3} for i in range(2 * n)),
                            skip_duplicates=True)  # fmt: skip
        child_cls().insert(({"parent_id": i, "child": c, "y": c / 7}
                            for i in range(2 * n) for c in range(k)), skip_duplicates=True)  # fmt: skip

    def work() -> None:
        (parent_cls() & f"parent_id < {n}").delete(prompt=False)

    refill()
    seconds = median_time(work, refill)
    refill()
    counter = Counter()
    with counter.watching(connection):
        work()
    return {"delete": f"{seconds:.3f} s", "trips": str(counter.other)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10x fewer rows (smoke run)")
    parser.add_argument("--backend", choices=("mysql", "sqlite", "both"), default="both")
    parser.add_argument("--datajoint", action="store_true",
                        help="also measure DataJoint 2.3.5 on the same MariaDB")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = Sizes().quick() if args.quick else Sizes()
    names = ("mysql", "sqlite") if args.backend == "both" else (args.backend,)
    figures: list[Figure] = []
    started = time.perf_counter()
    for name in names:
        with open_backend(name, "bench_int") as backend:
            for figure in run_backend(backend, sizes):
                figures.append(figure)
                print(f"  {figure.backend:<6} {figure.name}: {figure.joinery}", file=sys.stderr)
    if args.datajoint and "mysql" in names:
        live = datajoint_figures(sizes)
        keys = {"cascade delete": "delete", "metadata round trips": "trips"}
        figures = [
            replace(f, reference=f"{f.reference} / {live[key]}")
            if f.backend == "mysql" and (key := _kind(f.name, keys))
            else f
            for f in figures
        ]
    print()
    print("floor = the raw driver sending the same DELETEs (child, then parent) in one")
    print("transaction; round trips = statements other than the DELETEs and counts.")
    if args.datajoint:
        print("DJ 2.3.5 column: reference figure / DataJoint measured now on the same MariaDB.")
    print()
    print_table(figures)
    print(f"\ntotal {time.perf_counter() - started:.0f} s, median of {REPEATS} repeats per figure")
    return 0


def _kind(name: str, keys: dict[str, str]) -> str | None:
    return next((value for prefix, value in keys.items() if name.startswith(prefix)), None)


if __name__ == "__main__":
    sys.exit(main())

"""``populate(processes=N)``: make the keys in N worker processes on this host.

Start method: ``fork``. A worker must see the same bound table classes the parent sees (the
target, its parts and every upstream class ``make`` reads), including schemas activated at run
time, and only a copy of the parent's memory gives it that: under ``spawn`` a child re-imports
modules and would find deferred schemas never activated. What makes ``fork`` safe with database
sessions is that no socket or SQLite handle crosses it: the parent closes the target's connection
before starting the pool, each worker opens its own session on first use through that same
``Connection`` object (so every class bound to it follows), and the parent reconnects when the
pool is done. Connections other than the target's are not closed; ``make`` should read upstream
tables through the target's connection, as tables of one pipeline do.

Keys are handed out in small batches (``chunks``), which a worker makes as ``populate`` makes
keys in one process, in commit groups; each worker returns the batch's outcomes, which the
parent merges and reports to the progress sink.
With a job queue every worker reserves its keys itself and runs its own heartbeat.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import DataJointError
from .heartbeat import Heartbeat
from .outcome import FAILED, SUCCESS
from .progress import NullSink

#: The most keys handed to a worker at once.
CHUNK_MAX = 64

#: The table and settings of the pool this process works for (set by the pool initializer).
_worker: dict[str, Any] = {}


def worker_count(processes: int | None, key_count: int) -> int:
    """min(processes, keys, CPUs), ignoring ``None``/0: ``None`` means one per CPU."""
    if key_count <= 1:
        return 1
    limits = [n for n in (processes, key_count, os.cpu_count()) if n]
    return max(1, min(limits))


def run_in_processes(
    table: Any, keys: list[dict[str, Any]], settings: Any, count: int
) -> Iterator[Any]:
    """Outcomes of the keys made by ``count`` forked workers, in completion order.

    A worker that dies (killed, out of memory) breaks the pool: the run stops with an error
    naming the exit instead of waiting forever for the key that worker held. Its transaction was
    rolled back by the server; with a job queue its reservation is reclaimed once its heartbeat
    goes stale, and a new run makes it.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        raise DataJointError("populate(processes=N) needs the fork start method (Linux, macOS).")
    context = multiprocessing.get_context("fork")
    sink = settings.sink
    connection = table.connection
    connection.close()
    pool = ProcessPoolExecutor(
        count, mp_context=context, initializer=_start_worker, initargs=(table, settings)
    )
    try:
        pending = {pool.submit(_make_keys, chunk) for chunk in chunks(keys, count)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    outcomes = future.result()
                except BrokenProcessPool as error:
                    raise DataJointError(
                        f"A populate worker process of {table.class_name} died before finishing "
                        f"its keys ({error}); {len(pending)} batches were not made. Its "
                        "transaction was rolled back; run populate again to make the rest."
                    ) from None
                for outcome in outcomes:
                    _report(sink, outcome)
                    yield outcome
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        connection.connect()


def chunks(keys: list[dict[str, Any]], count: int) -> list[list[dict[str, Any]]]:
    """The keys in batches for ``count`` workers: about eight batches per worker, so a slow
    batch does not hold back the run, of at most ``CHUNK_MAX`` keys, so a worker commits in
    groups (``grouped.py``) and reports back often."""
    size = max(1, min(CHUNK_MAX, len(keys) // (8 * count)))
    return [keys[start : start + size] for start in range(0, len(keys), size)]


def _report(sink: Any, outcome: Any) -> None:
    status, key, entry, duration = outcome
    if status == SUCCESS:
        sink.key_started(key)
        sink.key_done(key, duration)
    elif status == FAILED:
        sink.key_started(key)
        error = entry if isinstance(entry, BaseException) else RuntimeError(entry)
        sink.key_failed(key, error, str(entry))


def _start_worker(table: Any, settings: Any) -> None:
    """In a new worker: a fresh session, no progress reporting, a heartbeat with a job queue."""
    table.connection.connect()
    settings.sink = NullSink()
    _worker["table"] = table
    _worker["settings"] = settings
    if settings.jobs is not None:
        heartbeat = Heartbeat(settings.jobs)
        heartbeat.__enter__()  # lives as long as the worker; its thread is a daemon
        _worker["heartbeat"] = heartbeat


def _make_keys(keys: list[dict[str, Any]]) -> list[Any]:
    table, settings = _worker["table"], _worker["settings"]
    return list(table._run_here(keys, settings, _worker.get("heartbeat")))

"""Populate in commit groups: many keys per transaction, each key all-or-nothing.

A commit costs a log flush on the server, more than a trivial ``make``. Consecutive keys therefore
share one transaction, committed after ``GROUP_MAX_KEYS`` keys or ``GROUP_SECONDS`` of work,
whichever comes first, so a crash costs at most that much recomputation and other sessions see
results within that time. No key is ever half-written: the group commits whole or not at all.

When a ``make`` fails, the whole group is rolled back; the keys made before the failing one are
made again in a group of their own (so they commit, as they would have with one transaction per
key), and only then is the failure recorded or raised. The failing ``make`` is not called twice.
After a failure the group size restarts at one key and doubles with every clean commit, so a run
where errors are frequent behaves like one transaction per key and a clean run batches.
The progress sink hears ``key_done`` only once the key's group has committed.

With a job queue a group is reserved in one statement (``JobTable.reserve_many``: keys other
workers hold are skipped), the heartbeat beats for every job the worker holds, keys already in the
table are found with one query inside the transaction, and the group's jobs are marked complete
inside the group's transaction, so results and completions commit together. Jobs the worker
reserved but never started (the run stopped on an error, or was interrupted) go back to the queue.

A sink that raises ``StopPopulate`` stops the run cooperatively. From ``key_started`` the keys
made so far in the group commit and the signal is raised after them; from inside ``make`` (via
``progress_update``) the group rolls back whole, nothing is recorded as an error, and the group's
jobs go back to the queue with the others not started.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import LostConnectionError
from .heartbeat import Heartbeat
from .outcome import SKIPPED, SUCCESS, MakeState, Outcome, RunSettings
from .progress import StopPopulate

GROUP_MAX_KEYS = 64
GROUP_SECONDS = 0.1

#: ``(key, error, settings) -> outcome``: record a failed key, or raise if errors are not suppressed.
FailureHandler = Callable[[dict[str, Any], BaseException, RunSettings], Outcome]


class _Held:
    """The jobs this worker has reserved and not yet finished, kept in the heartbeat."""

    def __init__(self, names: list[str], heartbeat: Heartbeat | None) -> None:
        self.names = names
        self.heartbeat = heartbeat
        self.keys: dict[tuple[Any, ...], dict[str, Any]] = {}

    def ident(self, key: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(key[name] for name in self.names)

    def __contains__(self, key: dict[str, Any]) -> bool:
        return self.ident(key) in self.keys

    def add(self, keys: list[dict[str, Any]]) -> None:
        self.keys.update((self.ident(key), key) for key in keys)
        self._sync()

    def discard(self, keys: list[dict[str, Any]]) -> None:
        for key in keys:
            self.keys.pop(self.ident(key), None)
        self._sync()

    def _sync(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.track_many(list(self.keys.values()))


def run_in_groups(
    table: Any,
    keys: list[dict[str, Any]],
    settings: RunSettings,
    make: Callable[..., Any],
    on_failure: FailureHandler,
    heartbeat: Heartbeat | None = None,
) -> Iterator[Outcome]:
    """Make ``keys`` in commit groups growing from one key to ``GROUP_MAX_KEYS``."""
    names = settings.jobs.primary_key if settings.jobs is not None else table.primary_key
    held = _Held(names, heartbeat)
    try:
        yield from _groups(table, deque(keys), settings, make, on_failure, held, 1)
    finally:
        if settings.jobs is not None and held.keys:
            with contextlib.suppress(LostConnectionError):
                settings.jobs.release_many(list(held.keys.values()))


def _groups(
    table: Any,
    queue: deque[dict[str, Any]],
    settings: RunSettings,
    make: Callable[..., Any],
    on_failure: FailureHandler,
    held: _Held,
    limit: int,
) -> Iterator[Outcome]:
    connection = table.connection
    jobs = settings.jobs
    while queue:
        group = [queue.popleft() for _ in range(min(limit, len(queue)))]
        present: list[dict[str, Any]] = []
        if jobs is not None:
            fresh = [key for key in group if key not in held]
            taken = jobs.reserve_many(fresh)
            held.add(taken)
            for key in _without(fresh, taken, held):
                yield SKIPPED, key, None, 0.0
            group = [key for key in group if key in held]
            if not group:
                continue
        connection.start_transaction()
        if jobs is not None:
            present = _already_made(table, group, held)
            if present:
                jobs.complete_many(present)
                group = _without(group, present, held)
        made, failure, stop = _make_group(table, group, queue, settings, make)
        if failure is None:
            yield from _commit(table, settings, held, present, made)
            if stop is not None:
                raise stop  # the jobs still held go back to the queue (run_in_groups)
            limit = min(2 * limit, GROUP_MAX_KEYS)
            continue
        with contextlib.suppress(LostConnectionError):
            connection.cancel_transaction()
        failed_key, failed_error = failure
        if isinstance(failed_error, StopPopulate):
            raise failed_error  # not an error of the key: its job is released with the others
        redo = present + [key for key, _ in made]
        if redo and not isinstance(failed_error, KeyboardInterrupt | SystemExit):
            yield from _quietly(table, redo, settings, make, on_failure, held)
        held.discard([failed_key])
        yield on_failure(failed_key, failed_error, settings)
        limit = 1


def _commit(
    table: Any,
    settings: RunSettings,
    held: _Held,
    present: list[dict[str, Any]],
    made: list[tuple[dict[str, Any], float]],
) -> Iterator[Outcome]:
    """Commit the group (its rows and their jobs together), then tell the sink."""
    if settings.jobs is not None:
        settings.jobs.complete_many([key for key, _ in made], [d for _, d in made])
    table.connection.commit_transaction()
    held.discard(present + [key for key, _ in made])
    for key in present:
        yield SKIPPED, key, None, 0.0
    for key, duration in made:
        settings.sink.key_done(key, duration)
        yield SUCCESS, key, None, duration


def _make_group(
    table: Any,
    group: list[dict[str, Any]],
    queue: deque[dict[str, Any]],
    settings: RunSettings,
    make: Callable[..., Any],
) -> tuple[
    list[tuple[dict[str, Any], float]],
    tuple[dict[str, Any], BaseException] | None,
    StopPopulate | None,
]:
    """Call ``make`` for the group's keys inside the open transaction until one fails, the
    group's time is up or the sink stops the run before a key (the keys not started go back to
    the front of the queue)."""
    sink, stamp = settings.sink, settings.stamp
    made: list[tuple[dict[str, Any], float]] = []
    group_start = time.monotonic()
    for position, key in enumerate(group):
        if made and time.monotonic() - group_start >= GROUP_SECONDS:
            queue.extendleft(reversed(group[position:]))
            break
        try:
            sink.key_started(key)
        except StopPopulate as stop:
            queue.extendleft(reversed(group[position:]))
            return made, None, stop
        start = time.monotonic()
        started = time.time() if stamp is not None else 0.0
        table.__dict__["_make_state"] = MakeState(key, sink)
        try:
            make(dict(key), **settings.make_kwargs)
            duration = time.monotonic() - start
            if stamp is not None:
                stamp(key, started, duration)
        except BaseException as error:
            queue.extendleft(reversed(group[position + 1 :]))
            return made, (key, error), None
        finally:
            table.__dict__.pop("_make_state", None)
        made.append((key, duration))
    return made, None, None


def _already_made(table: Any, group: list[dict[str, Any]], held: _Held) -> list[dict[str, Any]]:
    """The group's keys already in the table (made by another worker), in one query."""
    names = held.names
    rows = [{name: key[name] for name in names} for key in group]
    found = {held.ident(row) for row in (table & rows).proj().to_dicts()}
    return [key for key in group if held.ident(key) in found]


def _without(
    keys: list[dict[str, Any]], removed: list[dict[str, Any]], held: _Held
) -> list[dict[str, Any]]:
    gone = {held.ident(key) for key in removed}
    return [key for key in keys if held.ident(key) not in gone]


def _quietly(
    table: Any,
    keys: list[dict[str, Any]],
    settings: RunSettings,
    make: Callable[..., Any],
    on_failure: FailureHandler,
    held: _Held,
) -> Iterator[Outcome]:
    """Make again keys whose group was rolled back; the sink already heard them start."""
    sink = settings.sink
    settings.sink = _NoStart(sink)
    try:
        yield from _groups(table, deque(keys), settings, make, on_failure, held, len(keys))
    finally:
        settings.sink = sink


class _NoStart:
    """A progress sink that passes everything on but ``key_started``."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink

    def key_started(self, key: dict[str, Any]) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sink, name)

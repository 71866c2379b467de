"""Direct-mode populate in commit groups: many keys per transaction, each key all-or-nothing.

A commit costs a log flush on the server, more than the trivial ``make`` it would wrap. In direct
mode (no job queue, a plain ``make``) consecutive keys therefore share one transaction, committed
after ``GROUP_MAX_KEYS`` keys or ``GROUP_SECONDS`` of work, whichever comes first, so a crash
costs at most that much recomputation and other sessions see results within that time. No key is
ever half-written: the group commits whole or not at all.

When a ``make`` fails, the whole group is rolled back; the keys made before the failing one are
made again in a group of their own (so they commit, as they would have with one transaction per
key), and only then is the failure recorded or raised. The failing ``make`` is not called twice.
After a failure the group size restarts at one key and doubles with every clean commit, so a run
where errors are frequent behaves like one transaction per key and a clean run batches.
The progress sink hears ``key_done`` only once the key's group has committed.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import LostConnectionError
from .outcome import SUCCESS, MakeState, Outcome, RunSettings

GROUP_MAX_KEYS = 64
GROUP_SECONDS = 0.1

#: ``(key, error, settings) -> outcome``: record a failed key, or raise if errors are not suppressed.
FailureHandler = Callable[[dict[str, Any], BaseException, RunSettings], Outcome]


def run_in_groups(
    table: Any,
    keys: list[dict[str, Any]],
    settings: RunSettings,
    make: Callable[..., Any],
    on_failure: FailureHandler,
    limit: int = 1,
) -> Iterator[Outcome]:
    """Make ``keys`` in commit groups of at most ``limit`` keys, growing to ``GROUP_MAX_KEYS``."""
    connection = table.connection
    sink = settings.sink
    queue = deque(keys)
    while queue:
        made: list[tuple[dict[str, Any], float]] = []
        failure: tuple[dict[str, Any], BaseException] | None = None
        connection.start_transaction()
        group_start = time.monotonic()
        while queue and len(made) < limit:
            if made and time.monotonic() - group_start >= GROUP_SECONDS:
                break
            key = queue.popleft()
            sink.key_started(key)
            start = time.monotonic()
            table.__dict__["_make_state"] = MakeState(key, sink)
            try:
                make(dict(key), **settings.make_kwargs)
            except BaseException as error:
                failure = (key, error)
                break
            finally:
                table.__dict__.pop("_make_state", None)
            made.append((key, time.monotonic() - start))
        if failure is None:
            connection.commit_transaction()
            for key, duration in made:
                sink.key_done(key, duration)
                yield SUCCESS, key, None, duration
            limit = min(2 * limit, GROUP_MAX_KEYS)
            continue
        with contextlib.suppress(LostConnectionError):
            connection.cancel_transaction()
        failed_key, failed_error = failure
        if made and not isinstance(failed_error, KeyboardInterrupt | SystemExit):
            redo = [made_key for made_key, _ in made]
            yield from _quietly_started(table, redo, settings, make, on_failure)
        yield on_failure(failed_key, failed_error, settings)
        limit = 1


def _quietly_started(
    table: Any,
    keys: list[dict[str, Any]],
    settings: RunSettings,
    make: Callable[..., Any],
    on_failure: FailureHandler,
) -> Iterator[Outcome]:
    """Make again keys whose group was rolled back; the sink already heard them start."""
    sink = settings.sink
    settings.sink = _NoStart(sink)
    try:
        yield from run_in_groups(table, keys, settings, make, on_failure, limit=len(keys))
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

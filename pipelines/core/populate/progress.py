"""Where ``populate()`` reports what it is doing: nowhere, a tqdm bar, or a sink of the user's own.

A sink is any object with the six methods of ``ProgressSink``; the portal passes one that records
events for a live view, the terminal gets ``TqdmSink`` from ``display_progress=True``.

A sink may also stop the run: ``key_started`` and ``key_progress`` (reached from
``self.progress_update`` inside ``make``) can raise ``StopPopulate``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from tqdm import tqdm


class StopPopulate(BaseException):
    """Raised by a progress sink to stop ``populate()`` cooperatively (a cancelled run).

    From ``key_started`` the key is not begun and the keys made before it commit; from
    ``key_progress`` (inside ``make``) the key is rolled back with the keys of its uncommitted
    commit group. No key is recorded as failed: the jobs reserved and not made go back to the
    queue, the sink hears ``finished``, and ``populate`` re-raises the signal. A
    ``BaseException``, so an ``except Exception`` in ``make`` lets it pass.
    """


@runtime_checkable
class ProgressSink(Protocol):
    """Receives the events of one ``populate()`` run, in order:

    ``started`` once, then per key ``key_started``, any number of ``key_progress`` (from
    ``self.progress_update`` inside ``make``) and ``key_done`` or ``key_failed``; ``finished`` once.
    Keys skipped (already populated or reserved by another worker) get ``key_started`` at most.
    """

    def started(self, table: str, total: int) -> None: ...

    def key_started(self, key: dict[str, Any]) -> None: ...

    def key_progress(self, key: dict[str, Any], fraction: float, message: str) -> None: ...

    def key_done(self, key: dict[str, Any], duration: float) -> None: ...

    def key_failed(self, key: dict[str, Any], error: BaseException, message: str) -> None: ...

    def finished(self, success_count: int, error_count: int) -> None: ...


class NullSink:
    """Reports nothing (the default)."""

    def started(self, table: str, total: int) -> None:
        pass

    def key_started(self, key: dict[str, Any]) -> None:
        pass

    def key_progress(self, key: dict[str, Any], fraction: float, message: str) -> None:
        pass

    def key_done(self, key: dict[str, Any], duration: float) -> None:
        pass

    def key_failed(self, key: dict[str, Any], error: BaseException, message: str) -> None:
        pass

    def finished(self, success_count: int, error_count: int) -> None:
        pass


class TqdmSink(NullSink):
    """A terminal progress bar over the keys of the run (``populate(display_progress=True)``)."""

    def __init__(self, **tqdm_options: Any) -> None:
        self.options = tqdm_options
        self.bar: Any = None

    def started(self, table: str, total: int) -> None:
        self.bar = tqdm(total=total, desc=table, **self.options)

    def key_progress(self, key: dict[str, Any], fraction: float, message: str) -> None:
        if self.bar is not None and message:
            self.bar.set_postfix_str(message, refresh=False)

    def key_done(self, key: dict[str, Any], duration: float) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def key_failed(self, key: dict[str, Any], error: BaseException, message: str) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def finished(self, success_count: int, error_count: int) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

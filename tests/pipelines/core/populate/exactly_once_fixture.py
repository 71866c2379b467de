# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Source.insert(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""Tables and a worker-process entry point for the exactly-once populate tests.

Each worker process opens its own connection, activates the test's schema by name and declares
the classes afresh through ``build`` (the tables already exist, so nothing is created). ``make``
keeps nothing in memory: the ``pid`` column records which process made each row.
"""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pipelines.core as dj

#: How long ``make`` stalls on the slow key: far longer than any test waits for it.
STALL_SECONDS = 30


MAKE_SECONDS = 0.0002


def build(
    schema: dj.Schema, stall_marker: Path | None = None, stall_id: int = -1
) -> SimpleNamespace:
    """Declare Source -> Made in ``schema``.

    With ``stall_marker``, making ``source_id == stall_id`` writes that file and then stalls
    inside the key's transaction, so that a test can kill the worker there.
    """

    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        """

    @schema
    class Made(dj.Computed):
        definition = """
        -> Source
        ---
        pid : int32
        """

        def make(self, key: dict[str, Any]) -> None:
            # A make that takes a moment (and gives up the CPU), as real ones do: on a loaded
            # 2-core machine a worker making keys in microseconds could take every key before
            # the others are scheduled at all.
            time.sleep(MAKE_SECONDS)
            self.insert1({**key, "pid": os.getpid()})
            if stall_marker is not None and key["source_id"] == stall_id:
                stall_marker.write_text(str(os.getpid()))
                time.sleep(STALL_SECONDS)

    return SimpleNamespace(Source=Source, Made=Made)


def populate_worker(
    conn: dj.Connection,
    schema_name: str,
    results: Any,
    start: Any = None,
    stall_marker: Path | None = None,
    stall_id: int = -1,
) -> None:
    """A worker process: its own session, then ``Made.populate`` with the job queue.

    Puts ``(pid, result)`` on ``results``, or ``(pid, "<error>")`` if populate raised. ``start``
    (a barrier) lets several workers begin populating at the same moment.
    """
    try:
        own = dj.Connection(address=conn.address, config=conn.config)
        tables = build(dj.Schema(schema_name, connection=own), stall_marker, stall_id)
        if start is not None:
            start.wait(timeout=60)
        result = tables.Made.populate(reserve_jobs=True, suppress_errors=True)
        own.close()
        results.put((os.getpid(), result))
    except BaseException as error:  # reported to the parent, which fails the test with it
        where = traceback.extract_tb(error.__traceback__)[-6:]
        calls = " <- ".join(f"{frame.name}:{frame.lineno}" for frame in reversed(where))
        results.put((os.getpid(), f"{type(error).__name__}: {error} at {calls}"))

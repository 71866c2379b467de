"""What one ``populate()`` call asked for, and what became of each key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .jobs import JobTable
from .progress import NullSink, ProgressSink

SUCCESS = "success"
SKIPPED = "skipped"
FAILED = "failed"

#: One key's result: (status, key, error_list entry or None, duration in seconds).
Outcome = tuple[str, dict[str, Any], Any, float]


@dataclass
class RunSettings:
    """What one ``populate()`` call asked for, handed to every key (and to worker processes)."""

    suppress_errors: bool = False
    return_exception_objects: bool = False
    make_kwargs: dict[str, Any] = field(default_factory=dict)
    jobs: JobTable | None = None
    sink: ProgressSink = field(default_factory=NullSink)
    #: ``(key, wall-clock start, duration)``: writes the hidden job metadata of a made row.
    stamp: Callable[[dict[str, Any], float, float], None] | None = None


@dataclass
class MakeState:
    """Set on the table instance for the duration of one ``make`` call."""

    key: dict[str, Any]
    sink: ProgressSink
    upstream: Any = None  # the key's ``Diagram.trace``, built on first use

# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""A small pipeline for the populate tests: Source -> Square (+ part), Pair, Staged, Failing.

``build(schema)`` declares it in a test's schema and returns the classes. ``make`` methods keep
nothing in memory, so what they did is read back from the database (worker processes too); the
``worker`` column records which process made each row.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import numpy as np

import pipelines.core as dj


def square_make(table: Any, source: Any, key: dict[str, Any]) -> None:
    value = (source & key).fetch1("value")
    table.insert1({**key, "square": value * value, "worker": os.getpid()})
    table.Digit.insert(
        {**key, "digit_pos": pos, "digit": int(d)} for pos, d in enumerate(str(abs(value)))
    )


def build(schema: dj.Schema) -> SimpleNamespace:
    """Declare the pipeline in ``schema``; the classes are fresh each time."""

    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        ---
        value : int32
        """

    @schema
    class Square(dj.Computed):
        definition = """
        -> Source
        ---
        square : int64
        worker : int32
        """

        class Digit(dj.Part):
            definition = """
            -> master
            digit_pos : int16
            ---
            digit : int16
            """

        def make(self, key: dict[str, Any]) -> None:
            square_make(self, Source, key)

    @schema
    class Failing(dj.Computed):
        definition = """
        -> Source
        ---
        half : int32
        """

        def make(self, key: dict[str, Any]) -> None:
            value = (Source & key).fetch1("value")
            self.insert1({**key, "half": value // 2})  # the row lands, then the key fails
            if value % 2:
                raise ValueError(f"odd value {value}")

    @schema
    class Staged(dj.Computed):
        definition = """
        -> Source
        ---
        total : float64
        """

        def make_fetch(self, key: dict[str, Any], scale: int = 1) -> tuple[Any, ...]:
            value = (Source & key).fetch1("value")
            return (np.arange(value) * scale, {"value": value})

        def make_compute(self, key: dict[str, Any], values: Any, info: Any) -> tuple[Any, ...]:
            return (float(values.sum()),)

        def make_insert(self, key: dict[str, Any], total: float) -> None:
            self.insert1({**key, "total": total})

    return SimpleNamespace(Source=Source, Square=Square, Failing=Failing, Staged=Staged)

# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""The forms of ``make`` (spec/engine.md §5.3) and the hash that guards tripartite makes."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Generator
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.core.populate.make import CHANGED_MESSAGE, deep_hash
from tests.pipelines.core.populate.pipeline_fixture import build


def _base(schema: dj.Schema) -> Any:
    @schema
    class Base(dj.Manual):
        definition = """
        base_id : int32
        ---
        value : int32
        """

    Base.insert([(1, 3), (2, 4)])
    return Base


def test_plain_make_receives_make_kwargs(schema: dj.Schema) -> None:
    Base = _base(schema)

    @schema
    class Scaled(dj.Computed):
        definition = """
        -> Base
        ---
        scaled : int32
        """

        def make(self, key: dict[str, Any], factor: int = 1) -> None:
            value = (Base & key).fetch1("value")
            self.insert1({**key, "scaled": value * factor})

    assert Scaled.populate(make_kwargs={"factor": 10})["success_count"] == 2
    assert sorted(Scaled.to_arrays("scaled")) == [30, 40]


def test_tripartite_make_fetches_computes_and_inserts(schema: dj.Schema) -> None:
    tables = build(schema)
    tables.Source.insert([(1, 4), (2, 5)])
    result = tables.Staged.populate(make_kwargs={"scale": 2})
    assert result == {"success_count": 2, "error_list": []}
    totals = {r["source_id"]: r["total"] for r in tables.Staged.to_dicts()}
    assert totals == {1: 12.0, 2: 20.0}  # 2 * (0+1+2+3), 2 * (0+...+4)


def test_tripartite_make_refuses_when_upstream_changed(schema: dj.Schema) -> None:
    Base = _base(schema)

    @schema
    class Drifting(dj.Computed):
        definition = """
        -> Base
        ---
        doubled : int32
        """

        def make_fetch(self, key: dict[str, Any]) -> tuple[Any, ...]:
            return ((Base & key).fetch1("value"),)

        def make_compute(self, key: dict[str, Any], value: int) -> tuple[Any, ...]:
            # upstream changes while the (long) computation runs
            (Base & key).delete_quick()
            Base.insert1({**key, "value": value + 1})
            return (value * 2,)

        def make_insert(self, key: dict[str, Any], doubled: int) -> None:
            self.insert1({**key, "doubled": doubled})

    result = Drifting.populate({"base_id": 1}, suppress_errors=True)
    assert result["error_list"] == [({"base_id": 1}, f"DataJointError: {CHANGED_MESSAGE}")]
    assert len(Drifting()) == 0


def test_a_generator_make_follows_the_tripartite_protocol(schema: dj.Schema) -> None:
    Base = _base(schema)

    @schema
    class Gen(dj.Computed):
        definition = """
        -> Base
        ---
        plus : int32
        """

        def make(self, key: dict[str, Any], offset: int = 0) -> Generator[Any, Any, None]:
            fetched = ((Base & key).fetch1("value") + offset,)
            computed = yield fetched
            if computed is None:
                computed = (fetched[0] + 100,)
                yield computed
            self.insert1({**key, "plus": computed[0]})  # no final yield: ends after inserting

    assert Gen.populate(make_kwargs={"offset": 1})["success_count"] == 2
    assert sorted(Gen.to_arrays("plus")) == [104, 105]


def test_a_missing_make_is_reported(schema: dj.Schema) -> None:
    Base = _base(schema)  # noqa: F841 (the definition names it)

    @schema
    class Unmade(dj.Computed):
        definition = """
        -> Base
        """

    result = Unmade.populate(suppress_errors=True, max_calls=1)
    [(_, message)] = result["error_list"]
    assert message.startswith("NotImplementedError: Subclasses of AutoPopulate must implement")


def test_legacy_make_tuples_is_honoured(schema: dj.Schema) -> None:
    Base = _base(schema)  # noqa: F841 (the definition names it)

    @schema
    class Legacy(dj.Imported):
        definition = """
        -> Base
        """

        def _make_tuples(self, key: dict[str, Any]) -> None:
            self.insert1(key)

    assert Legacy.populate()["success_count"] == 2
    assert Legacy.table_name.startswith("_") and not Legacy.table_name.startswith("__")


# --- deep_hash -----------------------------------------------------------------------------------
def test_deep_hash_is_equal_for_equal_nested_data() -> None:
    def sample() -> Any:
        return (
            {"a": np.arange(6, dtype="float32").reshape(2, 3), "b": [1, "x", None]},
            np.array([{"k": 1}, "s"], dtype=object),
            decimal.Decimal("1.50"),
            dt.datetime(2024, 1, 2, 3, 4, 5),
            uuid.UUID(int=7),
            b"\x00\x01",
            {3, 1, 2},
        )

    assert deep_hash(sample()) == deep_hash(sample())
    assert deep_hash({"x": 1, "y": 2}) == deep_hash({"y": 2, "x": 1})


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ([1, 2], [2, 1]),
        (np.arange(3), np.arange(3).astype("float64")),
        (np.zeros((2, 3)), np.zeros((3, 2))),
        (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
        ("1", 1),
        (1, 1.5),
        (("ab", "c"), ("a", "bc")),
        ({"a": 1}, {"a": 2}),
        (None, 0),
    ],
)
def test_deep_hash_tells_different_data_apart(left: Any, right: Any) -> None:
    assert deep_hash(left) != deep_hash(right)

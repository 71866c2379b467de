# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""``update1`` (spec/engine.md §3.2) on SQLite and on MariaDB.

Every check in DataJoint's order with its message, values converted exactly as insert converts
them (errors included), ``None`` meaning the column's default, codec columns, and the reference
bug fixed: a row with only key values is a clear error, not a syntax error. A refused update
leaves the row as it was.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.core.errors import MissingAttributeError


def _tables(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Kind(dj.Lookup):
        definition = """
        kind : varchar(8)
        """
        contents = [{"kind": "a"}, {"kind": "b"}]

    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        sub : int16
        ---
        name = 'none' : varchar(8)
        small = 0 : int8
        score = null : float64
        required : int32
        stamp = CURRENT_TIMESTAMP : datetime
        token = null : uuid
        meta = null : json
        data = null : <blob>
        raw = null : bytes
        file = null : <attach>
        -> [nullable] Kind
        index(small)
        """

    Item.insert1({"item_id": 1, "sub": 1, "required": 10})
    Item.insert1({"item_id": 1, "sub": 2, "required": 20})
    return {"Kind": Kind, "Item": Item}


@pytest.fixture
def item(schema: dj.Schema) -> Any:
    return _tables(schema)["Item"]


def _row(item: Any, sub: int = 1) -> dict[str, Any]:
    row: dict[str, Any] = (item & {"item_id": 1, "sub": sub}).fetch1()
    return row


# ---- the checks, in DataJoint's order --------------------------------------------------------


def test_a_row_that_is_not_a_mapping_is_refused(item: Any) -> None:
    with pytest.raises(dj.DataJointError, match=r"^The argument of update1 must be dict-like\.$"):
        item.update1([1, 1, "x"])


def test_every_primary_key_value_is_required(item: Any) -> None:
    with pytest.raises(dj.DataJointError, match="must supply all primary key values"):
        item.update1({"item_id": 1, "name": "x"})


def test_the_key_check_comes_before_the_unknown_attribute_check(item: Any) -> None:
    with pytest.raises(dj.DataJointError, match="must supply all primary key values"):
        item.update1({"item_id": 1, "nope": 1})


def test_an_unknown_attribute_is_named(item: Any) -> None:
    with pytest.raises(dj.DataJointError, match=r"^Attribute `nope` not found\.$"):
        item.update1({"item_id": 1, "sub": 1, "nope": 1})
    assert _row(item)["name"] == "none"


def test_a_restricted_table_is_refused(item: Any) -> None:
    with pytest.raises(
        dj.DataJointError, match=r"^Update cannot be applied to a restricted table\.$"
    ):
        (item & {"item_id": 1}).update1({"item_id": 1, "sub": 1, "name": "x"})
    assert _row(item)["name"] == "none"


def test_a_row_with_only_key_values_is_a_clear_error(item: Any) -> None:
    with pytest.raises(dj.DataJointError, match="nothing to update: the row holds only primary"):
        item.update1({"item_id": 1, "sub": 1})


def test_a_missing_row_is_refused(item: Any) -> None:
    with pytest.raises(dj.DataJointError, match=r"^Update can only be applied to one existing"):
        item.update1({"item_id": 1, "sub": 9, "name": "x"})
    assert len(item()) == 2


# ---- what is written -------------------------------------------------------------------------


def test_only_the_named_row_and_attributes_change(item: Any) -> None:
    item.update1({"item_id": 1, "sub": 1, "name": "ann", "small": 5})
    first, second = _row(item, 1), _row(item, 2)
    assert (first["name"], first["small"], first["required"]) == ("ann", 5, 10)
    assert (second["name"], second["small"]) == ("none", 0)


def test_values_are_converted_as_insert_converts_them(item: Any) -> None:
    token = uuid.uuid4()
    item.update1(
        {
            "item_id": 1,
            "sub": 1,
            "small": np.int64(7),
            "score": "2.5",
            "token": str(token),
            "meta": {"a": [1, 2]},
            "stamp": "2024-03-04 05:06:07",
        }
    )
    row = _row(item)
    assert row["small"] == 7 and row["score"] == 2.5
    assert row["token"] == token and row["meta"] == {"a": [1, 2]}
    assert row["stamp"] == dt.datetime(2024, 3, 4, 5, 6, 7)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"small": 300}, r"Invalid value 300 for attribute `small`: out of range"),
        ({"name": "much too long"}, r"attribute `name`: longer than 8 characters"),
        ({"token": "not-a-uuid"}, r"attribute `token`: badly formed UUID"),
        ({"small": "x"}, r"attribute `small`: expected an integer"),
    ],
)
def test_invalid_values_are_refused_like_insert_and_change_nothing(
    item: Any, change: dict[str, Any], message: str
) -> None:
    before = _row(item)
    with pytest.raises(dj.DataJointError, match=message):
        item.update1({"item_id": 1, "sub": 1, "name": "changed", **change})
    assert _row(item) == before


def test_none_sets_null_on_a_nullable_attribute(item: Any) -> None:
    item.update1({"item_id": 1, "sub": 1, "score": 1.5, "meta": [1]})
    item.update1({"item_id": 1, "sub": 1, "score": None, "meta": None})
    row = _row(item)
    assert row["score"] is None and row["meta"] is None


def test_none_nan_and_empty_string_restore_the_declared_default(item: Any) -> None:
    item.update1({"item_id": 1, "sub": 1, "name": "x", "small": 3})
    item.update1({"item_id": 1, "sub": 1, "name": None, "small": float("nan")})
    assert (_row(item)["name"], _row(item)["small"]) == ("none", 0)
    item.update1({"item_id": 1, "sub": 1, "small": 4})
    item.update1({"item_id": 1, "sub": 1, "small": ""})
    assert _row(item)["small"] == 0


def test_none_restamps_a_current_timestamp_default(item: Any) -> None:
    item.update1({"item_id": 1, "sub": 1, "stamp": "2001-01-01 00:00:00"})
    item.update1({"item_id": 1, "sub": 1, "stamp": None})
    assert _row(item)["stamp"] > dt.datetime(2020, 1, 1)


def test_none_on_a_required_attribute_is_a_missing_attribute_error(item: Any) -> None:
    with pytest.raises(MissingAttributeError, match="`required`"):
        item.update1({"item_id": 1, "sub": 1, "required": None})
    assert _row(item)["required"] == 10


def test_blob_and_bytes_columns_take_new_values_and_none(item: Any) -> None:
    item.update1({"item_id": 1, "sub": 1, "data": np.arange(3), "raw": b"\x00\x01"})
    row = _row(item)
    assert np.array_equal(row["data"], np.arange(3)) and row["raw"] == b"\x00\x01"
    item.update1({"item_id": 1, "sub": 1, "data": {"x": 1}})
    assert _row(item)["data"] == {"x": 1}
    item.update1({"item_id": 1, "sub": 1, "data": None, "raw": None})
    assert _row(item)["data"] is None and _row(item)["raw"] is None


def test_an_attachment_is_replaced(item: Any, conn: dj.Connection, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    item.update1({"item_id": 1, "sub": 1, "file": str(path)})
    with conn.config.override(download_path=str(tmp_path / "out")):
        fetched = _row(item)["file"]
    assert Path(fetched).read_text() == "hello"


def test_a_secondary_foreign_key_must_reference_an_existing_parent(item: Any) -> None:
    item.update1({"item_id": 1, "sub": 1, "kind": "b"})
    assert _row(item)["kind"] == "b"
    with pytest.raises(dj.IntegrityError, match="updating"):
        item.update1({"item_id": 1, "sub": 1, "kind": "zz"})
    assert _row(item)["kind"] == "b"


def test_key_values_select_the_row_and_are_not_changed(item: Any) -> None:
    item.update1({"sub": 2, "item_id": 1, "name": "two"})
    assert sorted((r["sub"], r["name"]) for r in item.to_dicts()) == [(1, "none"), (2, "two")]


def test_update1_works_on_an_instance_inside_a_transaction(item: Any, conn: dj.Connection) -> None:
    with conn.transaction:
        item().update1({"item_id": 1, "sub": 1, "name": "tx"})
    assert _row(item)["name"] == "tx"

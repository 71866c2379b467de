# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Fetching (spec/engine.md §4.9–§4.11) on SQLite and on MariaDB: the DataJoint 2.x methods, the
legacy ``fetch()``, ``dj.Top``, the Python protocol, previews, and the Python type of every value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import pipelines.core as dj

ROWS = [
    {"a": 0, "b": "b0", "x": 0.0, "n": 0},
    {"a": 1, "b": "b1", "x": 1.5, "n": 1},
    {"a": 0, "b": "b2", "x": None, "n": 2},
    {"a": 1, "b": "b3", "x": 4.5, "n": 3},
]
BY_KEY = sorted(ROWS, key=lambda r: (r["a"], r["b"]))


@pytest.fixture
def table(schema: dj.Schema) -> Any:
    @schema
    class Sample(dj.Manual):
        definition = """
        a : int16
        b : varchar(4)
        ---
        x = null : float64
        n : int32
        """

    Sample.insert(ROWS)
    return Sample


def _key(row: dict[str, Any]) -> dict[str, Any]:
    return {"a": row["a"], "b": row["b"]}


# ---- the 2.x methods ------------------------------------------------------------------------


def test_to_dicts_returns_every_row_in_heading_order(table: Any) -> None:
    rows = table.to_dicts(order_by="KEY")
    assert rows == BY_KEY
    assert list(rows[0]) == ["a", "b", "x", "n"]


def test_to_dicts_order_limit_offset(table: Any) -> None:
    assert table.to_dicts(order_by="n DESC", limit=2) == [ROWS[3], ROWS[2]]
    assert table.to_dicts(order_by=["a DESC", "n"], limit=2, offset=1) == [ROWS[3], ROWS[0]]
    assert table.to_dicts(order_by="n", offset=3) == [ROWS[3]]
    assert table.to_dicts(limit=1) == [BY_KEY[0]]  # a bare limit orders by the primary key


def test_to_pandas_is_indexed_by_the_primary_key(table: Any) -> None:
    frame = table.to_pandas()
    assert list(frame.index.names) == ["a", "b"]
    assert list(frame.columns) == ["x", "n"]
    assert frame.loc[(1, "b3"), "n"] == 3
    assert np.isnan(frame.loc[(0, "b2"), "x"])
    assert frame.sort_index()["n"].tolist() == [0, 2, 1, 3]


def test_to_pandas_of_an_empty_result_is_an_empty_frame(table: Any) -> None:
    frame = (table & "n > 100").to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert frame.empty and list(frame.columns) == []


def test_to_arrays_returns_a_structured_array_with_heading_dtypes(table: Any) -> None:
    array = table.to_arrays(order_by="KEY")
    assert array.dtype.names == ("a", "b", "x", "n")
    assert array.dtype["a"] == np.int64 and array.dtype["n"] == np.int64
    assert array.dtype["x"] == np.float64 and array.dtype["b"] == np.dtype(object)
    assert array["n"].tolist() == [0, 2, 1, 3]
    assert np.isnan(array["x"][1])
    empty = (table & "n > 100").to_arrays()
    assert empty.shape == (0,) and empty.dtype.names == ("a", "b", "x", "n")


def test_to_arrays_per_attribute(table: Any) -> None:
    n = table.to_arrays("n", order_by="KEY")
    assert isinstance(n, np.ndarray) and n.tolist() == [0, 2, 1, 3]
    x, n = table.to_arrays("x", "n", order_by="n")
    assert x.tolist() == [0.0, 1.5, None, 4.5]
    assert n.tolist() == [0, 1, 2, 3]
    keys, n = table.to_arrays("n", include_key=True, order_by="n DESC")
    assert keys == [_key(r) for r in reversed(ROWS)]
    assert n.tolist() == [3, 2, 1, 0]
    with pytest.raises(dj.DataJointError, match="Attribute `zz` not found"):
        table.to_arrays("zz")


def test_keys_returns_primary_key_dicts(table: Any) -> None:
    assert table.keys(order_by="KEY") == [_key(r) for r in BY_KEY]
    assert table.keys(order_by="n DESC", limit=2) == [_key(ROWS[3]), _key(ROWS[2])]
    assert (table & "n > 100").keys() == []


def test_fetch1_forms(table: Any) -> None:
    one = table & {"a": 1, "b": "b1"}
    assert one.fetch1() == ROWS[1]
    assert one.fetch1("n") == 1
    assert one.fetch1("n", "x") == (1, 1.5)
    assert one.fetch1("KEY") == {"a": 1, "b": "b1"}
    assert one.fetch1("KEY", "n") == ({"a": 1, "b": "b1"}, 1)
    assert one.fetch1("a") == 1


def test_fetch1_errors(table: Any) -> None:
    with pytest.raises(
        dj.DataJointError, match=r"^fetch1 requires exactly one tuple in the input set\.$"
    ):
        table.fetch1()
    with pytest.raises(dj.DataJointError, match="fetch1 requires exactly one tuple"):
        (table & "n > 100").fetch1()
    with pytest.raises(
        dj.DataJointError, match=r"fetch1 should only return one tuple\. 4 tuples found"
    ):
        table.fetch1("n")
    with pytest.raises(
        dj.DataJointError, match=r"fetch1 should only return one tuple\. 0 tuples found"
    ):
        (table & "n > 100").fetch1("KEY")
    with pytest.raises(dj.DataJointError, match="Attribute `zz` not found"):
        (table & "n = 1").fetch1("zz")


def test_head_and_tail_order_by_key(table: Any) -> None:
    assert table.head(2) == BY_KEY[:2]
    assert table.tail(2) == BY_KEY[2:]
    assert table.head() == BY_KEY
    assert table.tail(1) == BY_KEY[-1:]


def test_iteration_streams_decoded_dicts(table: Any) -> None:
    rows = list(table)
    assert sorted(rows, key=lambda r: r["n"]) == ROWS
    assert [r["n"] for r in table & dj.Top(None, "n DESC")] == [3, 2, 1, 0]
    assert sorted(type(table()), key=lambda r: r["n"]) == ROWS  # a table class iterates too


def test_squeeze_removes_singleton_dimensions(schema: dj.Schema) -> None:
    @schema
    class Trace(dj.Manual):
        definition = """
        trace_id : int16
        ---
        values : <blob>
        """

    Trace.insert1({"trace_id": 1, "values": np.ones((1, 3, 1))})
    assert Trace.to_dicts()[0]["values"].shape == (1, 3, 1)
    assert Trace.to_dicts(squeeze=True)[0]["values"].shape == (3,)
    assert Trace.fetch1(squeeze=True)["values"].shape == (3,)


# ---- legacy fetch ------------------------------------------------------------------------------


def test_legacy_fetch_forms_warn_and_return_datajoint_shapes(table: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"fetch\(\) is deprecated"):
        array = table.fetch(order_by="KEY")
    assert isinstance(array, np.ndarray) and array["n"].tolist() == [0, 2, 1, 3]
    with pytest.warns(DeprecationWarning):
        assert table.fetch(as_dict=True, order_by="KEY") == BY_KEY
    with pytest.warns(DeprecationWarning):
        frame = table.fetch(format="frame")
    assert list(frame.index.names) == ["a", "b"] and len(frame) == 4
    with pytest.warns(DeprecationWarning):
        assert table.fetch("KEY", order_by="KEY") == [_key(r) for r in BY_KEY]
    with pytest.warns(DeprecationWarning):
        n, x = table.fetch("n", "x", order_by="n")
    assert n.tolist() == [0, 1, 2, 3] and x.tolist() == [0.0, 1.5, None, 4.5]
    with pytest.warns(DeprecationWarning):
        keys, n = table.fetch("KEY", "n", order_by="n")
    assert keys == [_key(r) for r in ROWS] and n.tolist() == [0, 1, 2, 3]
    with pytest.warns(DeprecationWarning):
        assert table.fetch("n", as_dict=True, order_by="n") == [
            {**_key(r), "n": r["n"]} for r in ROWS
        ]
    with pytest.warns(DeprecationWarning):
        assert table.fetch("n", order_by="n DESC", limit=2, offset=1).tolist() == [2, 1]


def test_legacy_fetch_frame_refuses_attributes(table: Any) -> None:
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(dj.DataJointError, match="format='frame' cannot be combined"),
    ):
        table.fetch("n", format="frame")


# ---- dj.Top ---------------------------------------------------------------------------------


def test_top_orders_limits_and_offsets(table: Any) -> None:
    assert (table & dj.Top(2, "n DESC")).to_dicts() == [ROWS[3], ROWS[2]]
    assert (table & dj.Top(2, "n DESC", offset=1)).to_dicts() == [ROWS[2], ROWS[1]]
    assert (table & dj.Top()).to_dicts() == [BY_KEY[0]]
    assert (table & dj.Top(None, "KEY DESC")).to_dicts() == BY_KEY[::-1]
    assert (table & dj.Top(None, ["a DESC", "n"])).to_dicts() == [
        ROWS[1],
        ROWS[3],
        ROWS[0],
        ROWS[2],
    ]


def test_chained_tops_merge_or_re_sort(table: Any) -> None:
    # Same (inherited) order: limits take the minimum, offsets add.
    assert (table & dj.Top(3, "n DESC") & dj.Top(2, None, 1)).to_dicts() == [ROWS[2], ROWS[1]]
    # A different order re-sorts the previous result.
    assert (table & dj.Top(3, "n DESC") & dj.Top(1, "n")).to_dicts() == [ROWS[1]]
    assert (table & dj.Top(3, "n DESC") & dj.Top(2, offset=1)).to_dicts() == [ROWS[1], ROWS[3]]


def test_restricting_after_a_top_filters_its_result(table: Any) -> None:
    top = table & dj.Top(2, "n DESC")
    assert (top & "n < 3").to_dicts() == [ROWS[2]]
    assert ((table & "n < 3") & dj.Top(2, "n DESC")).to_dicts() == [ROWS[2], ROWS[1]]


def test_fetch_arguments_combine_with_a_top(table: Any) -> None:
    top = table & dj.Top(3, "n DESC")
    assert top.to_dicts(limit=1) == [ROWS[3]]  # a bare limit inherits the Top's order
    assert top.to_dicts(order_by="n DESC", limit=2, offset=1) == [ROWS[2], ROWS[1]]


def test_an_offset_on_a_top_never_reaches_past_its_limit(table: Any) -> None:
    top = table & dj.Top(3, "n DESC")
    assert (top & dj.Top(None, None, 1)).to_dicts() == [ROWS[2], ROWS[1]]
    assert (top & dj.Top(5, "n DESC", 2)).to_dicts() == [ROWS[1]]


def test_len_and_bool_respect_a_top(table: Any) -> None:
    assert len(table & dj.Top(2, offset=3)) == 1
    assert len(table & dj.Top(None, offset=1)) == 3
    assert bool(table & dj.Top(2, offset=3))
    assert not bool(table & dj.Top(2, offset=30))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"limit": "a"}, "Top limit must be an integer"),
        ({"limit": 1.5}, "Top limit must be an integer"),
        ({"offset": "x"}, "The offset argument must be an integer"),
        ({"order_by": ["a", 5]}, "Top order_by attributes must all be strings"),
    ],
)
def test_top_argument_types(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        dj.Top(**arguments)


def test_top_with_a_non_string_order_by_names_the_problem() -> None:
    with pytest.raises(TypeError, match="Top order_by attributes must all be strings"):
        dj.Top(1, 5)


# ---- Python protocol and previews --------------------------------------------------------------


def test_len_bool_and_in(table: Any) -> None:
    assert len(table()) == 4
    assert bool(table())
    assert not bool(table & "n > 100")
    assert len(table & "n > 100") == 0
    assert {"a": 1, "b": "b1"} in table()
    assert {"a": 1, "b": "zz"} not in table()
    assert "n = 2" in table()


def test_repr_previews_rows_with_key_columns_starred(table: Any) -> None:
    text = repr(table())
    lines = text.split("\n")
    assert lines[0].split() == ["*a", "*b", "x", "n"]
    assert lines[1].startswith("+" + "-" * 13 + " ")
    assert lines[2].split() == ["0", "b0", "0.0", "0"]
    assert lines[3].split() == ["0", "b2", "None", "2"]
    assert " (Total: 4)" in lines


def test_repr_limits_rows_and_truncates_columns(table: Any, conn: dj.Connection) -> None:
    with conn.config.override(display__limit=2, display__width=3):
        text = repr(table())
    lines = text.split("\n")
    assert lines[0] == "*a  *b  x   n  "
    assert len([line for line in lines if line[:1].isdigit()]) == 2
    assert "   ..." in lines


def test_html_preview(table: Any) -> None:
    html = table()._repr_html_()
    assert html.startswith("<style")
    assert "<th class=key>a</th>" in html and "<td>b3</td>" in html
    assert "Total: 4" in html


# ---- values, as DataJoint returns them -------------------------------------------------------


@pytest.fixture
def values_table(schema: dj.Schema) -> Any:
    @schema
    class Values(dj.Manual):
        definition = """
        v_id : int16
        ---
        day = null : date
        stamp = null : datetime(3)
        plain_stamp = null : datetime
        amount = null : decimal(8,3)
        token = null : uuid
        meta = null : json
        flag = null : bool
        raw = null : bytes
        count = null : int64
        ratio = null : float32
        label = null : varchar(20)
        choice = null : enum('low', 'high')
        """

    return Values


def test_values_come_back_with_datajoint_python_types(values_table: Any) -> None:
    token = uuid.uuid4()
    values_table.insert1(
        {
            "v_id": 1,
            "day": "2024-02-29",
            "stamp": dt.datetime(2024, 2, 29, 23, 59, 58, 123000),
            "plain_stamp": "2024-02-29 01:02:03",
            "amount": "12.5",
            "token": token,
            "meta": {"nested": {"list": [1, 2.5, "x", None, True]}},
            "flag": True,
            "raw": b"\x00\x01\xffbytes",
            "count": 2**40,
            "ratio": 0.25,
            "label": "naïve ✓",
            "choice": "high",
        }
    )
    row = values_table.fetch1()
    expected = {
        "v_id": 1,
        "day": dt.date(2024, 2, 29),
        "stamp": dt.datetime(2024, 2, 29, 23, 59, 58, 123000),
        "plain_stamp": dt.datetime(2024, 2, 29, 1, 2, 3),
        "amount": decimal.Decimal("12.500"),
        "token": token,
        "meta": {"nested": {"list": [1, 2.5, "x", None, True]}},
        "flag": 1,
        "raw": b"\x00\x01\xffbytes",
        "count": 2**40,
        "ratio": 0.25,
        "label": "naïve ✓",
        "choice": "high",
    }
    assert row == expected
    for name, value in expected.items():
        assert type(row[name]) is type(value), name
    assert str(row["amount"]) == "12.500"  # the scale is kept


def test_nulls_come_back_as_none(values_table: Any) -> None:
    values_table.insert1({"v_id": 2})
    row = values_table.fetch1()
    assert row == {name: (2 if name == "v_id" else None) for name in values_table.heading.names}


def test_json_scalars_and_lists_round_trip(values_table: Any) -> None:
    values_table.insert(
        [{"v_id": i, "meta": value} for i, value in enumerate([[1, "a"], "text", 3.5, False], 1)]
    )
    assert values_table.to_arrays("meta", order_by="KEY").tolist() == [[1, "a"], "text", 3.5, False]


BLOB_VALUES: list[Any] = [
    np.arange(6, dtype=np.float64).reshape(2, 3),
    np.array([1, -2, 3], dtype=np.int8),
    np.array([1, 2], dtype=np.uint16),
    np.array([1, 2, 3], dtype=np.int32),
    np.array([10**12], dtype=np.int64),
    np.array([0.5, 1.5], dtype=np.float32),
    np.array([1 + 2j, 3 - 4j], dtype=np.complex128),
    np.array([True, False, True]),
    np.zeros((0,), dtype=np.float64),
]


def test_blob_arrays_of_several_dtypes_round_trip(schema: dj.Schema) -> None:
    @schema
    class Arrays(dj.Manual):
        definition = """
        arr_id : int16
        ---
        data : <blob>
        """

    Arrays.insert([{"arr_id": i, "data": value} for i, value in enumerate(BLOB_VALUES)])
    fetched = Arrays.to_arrays("data", order_by="KEY")
    for original, back in zip(BLOB_VALUES, fetched, strict=True):
        assert isinstance(back, np.ndarray)
        assert back.dtype == original.dtype
        assert back.shape == original.shape
        np.testing.assert_array_equal(back, original)


def test_blob_python_objects_round_trip(schema: dj.Schema) -> None:
    @schema
    class Objects(dj.Manual):
        definition = """
        obj_id : int16
        ---
        data = null : <blob>
        """

    objects = [{"a": 1, "b": [1, 2]}, "text", 3, 2.5, None]
    Objects.insert([{"obj_id": i, "data": value} for i, value in enumerate(objects)])
    assert Objects.to_arrays("data", order_by="KEY").tolist() == objects


def test_attach_writes_the_file_under_download_path(
    schema: dj.Schema, conn: dj.Connection, tmp_path: Path
) -> None:
    @schema
    class Doc(dj.Manual):
        definition = """
        doc_id : int16
        ---
        file : <attach>
        """

    source = tmp_path / "source"
    source.mkdir()
    path = source / "notes.txt"
    path.write_bytes(b"hello\x00world")
    Doc.insert1({"doc_id": 1, "file": path})
    path.write_bytes(b"changed")
    Doc.insert1({"doc_id": 2, "file": str(path)})
    target = tmp_path / "downloads"
    with conn.config.override(download_path=str(target)):
        first = (Doc & {"doc_id": 1}).fetch1("file")
        second = (Doc & {"doc_id": 2}).fetch1("file")
        again = (Doc & {"doc_id": 1}).fetch1("file")
    assert Path(first) == target / "notes.txt"
    assert Path(first).read_bytes() == b"hello\x00world"
    assert Path(second) == target / "notes_1.txt"
    assert Path(second).read_bytes() == b"changed"
    assert again == first  # an identical file is reused, not duplicated
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt", "notes_1.txt"]


def test_attach_of_a_missing_file_or_directory_is_refused(
    schema: dj.Schema, tmp_path: Path
) -> None:
    @schema
    class Doc(dj.Manual):
        definition = """
        doc_id : int16
        ---
        file : <attach>
        """

    with pytest.raises(FileNotFoundError):
        Doc.insert1({"doc_id": 1, "file": tmp_path / "missing.txt"})
    with pytest.raises(IsADirectoryError):
        Doc.insert1({"doc_id": 1, "file": tmp_path})
    assert len(Doc()) == 0


def test_repr_shows_placeholders_for_blobs_and_json(values_table: Any) -> None:
    values_table.insert1({"v_id": 3, "meta": {"k": 1}, "raw": b"x"})
    line = repr(values_table()).split("\n")[2]
    assert "json" in line and "=BLOB=" in line

# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Large batches: the ``LOAD DATA`` path on MySQL (``db/load_data.py``, ≥ 2000 rows) and plain
multi-row INSERT on SQLite must store exactly the same values, and fail all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.core.db import load_data
from pipelines.core.db.drivers import HEX_THRESHOLD, HexBytes

N = 5000

# ---- unit: the LOAD DATA text --------------------------------------------------------------

COLUMN_TEXT: list[tuple[list[Any], list[str]]] = [
    ([1, -2, 0], ["1", "-2", "0"]),
    ([0.1, 1e-300, -2.5], ["0.1", "1e-300", "-2.5"]),
    (["plain", "", "x y"], ["plain", "", "x y"]),
    (["a\tb", "c\nd", "e\rf"], ["a\\tb", "c\\nd", "e\\rf"]),
    (["back\\slash", "\\N", "nul\0"], ["back\\\\slash", "\\\\N", "nul\\0"]),
    (["'\"quotes\"'", "ünï☃"], ["'\"quotes\"'", "ünï☃"]),
    (["a", None, "b\t"], ["a", "\\N", "b\\t"]),
    ([None, 3, None], ["\\N", "3", "\\N"]),
    ([1.5, None], ["1.5", "\\N"]),
    (
        [dt.date(2020, 1, 2), dt.datetime(2021, 3, 4, 5, 6, 7, 8)],
        ["2020-01-02", "2021-03-04 05:06:07.000008"],
    ),
    ([decimal.Decimal("1.250"), None], ["1.250", "\\N"]),
    ([decimal.Decimal("-0.5")], ["-0.5"]),
    ([dt.time(1, 2, 3)], ["01:02:03"]),
    ([None, None], ["\\N", "\\N"]),
]


@pytest.mark.parametrize(
    ("values", "expected"), COLUMN_TEXT, ids=[f"column-{i}" for i in range(len(COLUMN_TEXT))]
)
def test_column_text(values: list[Any], expected: list[str]) -> None:
    assert load_data.column_text(values) == expected


@pytest.mark.parametrize("value", [{"a": 1}, b"raw", object()], ids=["dict", "bytes", "object"])
def test_column_text_rejects_values_it_cannot_carry(value: Any) -> None:
    with pytest.raises(TypeError, match=f"cannot load {type(value).__name__}"):
        load_data.column_text([value, None])


def test_tsv_joins_columns_into_utf8_lines() -> None:
    text = load_data.tsv([[1, 2], ["a\tb", None], [0.5, 1.0], ["☃", "x"]])
    assert text == "1\ta\\tb\t0.5\t☃\n2\t\\N\t1.0\tx\n".encode()


def test_tsv_escapes_binary_columns_byte_for_byte() -> None:
    raw = b"a\tb\\c\0d\ne\rf\xff"
    text = load_data.tsv([[1, 2, 3], [raw, None, HexBytes(b"\n\xfe")]])
    assert text == b"1\ta\\tb\\\\c\\0d\\ne\\rf\xff\n2\t\\N\n3\t\\n\xfe\n"


def test_tsv_gives_up_on_values_it_cannot_carry() -> None:
    assert load_data.tsv([[1], [object()]]) is None
    assert load_data.tsv([[1, 2], [{"a": 1}, None]]) is None


def test_tsv_lines_match_the_rows_even_with_embedded_newlines() -> None:
    text = load_data.tsv([[1, 2, 3], ["x\ny", "\r\n", "z"]])
    assert text is not None
    assert text.count(b"\n") == 3
    assert text.splitlines()[1] == b"2\t\\r\\n"


def test_binary_size_counts_binary_values_only() -> None:
    columns = [[1, 2], [b"abc", None], [HexBytes(b"12345"), bytearray(b"xy")], ["text", "s"]]
    assert load_data.binary_size(columns) == 3 + 5 + 2


# ---- the large batch, every value kind -----------------------------------------------------

SPECIAL = [
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "crlf\r\n",
    "back\\slash",
    "trailing\\",
    "nul\0byte",
    "'single'",
    '"double"',
    "\\N",
    "N",
    "NULL",
    "",
    "  padded ",
    "ünïcödé ☃ 日本語 🎉",
    "\\t literal",
]


def _tables(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        """

    @schema
    class Wide(dj.Manual):
        definition = """
        item : int32
        ---
        -> [nullable] Parent
        text : varchar(40)
        note = null : varchar(40)
        count = null : int64
        when_day = null : date
        stamp = null : datetime(6)
        price = null : decimal(12,4)
        ratio = null : float64
        meta = null : json
        kind = 'a' : enum('a', 'b', 'c''d')
        flag = 0 : bool
        """

    return {"Parent": Parent, "Wide": Wide}


@pytest.fixture
def tables(schema: dj.Schema) -> dict[str, Any]:
    return _tables(schema)


def _row(i: int, rng: random.Random) -> dict[str, Any]:
    gap = i % 7 == 3
    return {
        "item": i,
        "parent_id": None,
        "text": SPECIAL[i % len(SPECIAL)] + str(i),
        "note": None if gap else SPECIAL[(i * 5) % len(SPECIAL)],
        "count": None if gap else rng.randint(-(2**62), 2**62),
        "when_day": None if gap else dt.date(1900, 1, 1) + dt.timedelta(days=i * 11),
        "stamp": None
        if gap
        else dt.datetime(2000, 1, 1) + dt.timedelta(seconds=i * 3607, microseconds=i * 17),
        "price": None if gap else decimal.Decimal(rng.randint(-(10**11), 10**11)).scaleb(-4),
        "ratio": None if gap else rng.choice([1.0, 1e-300, 1e300]) * rng.random() * (-1) ** i,
        "meta": None if gap else {"i": i, "s": SPECIAL[i % len(SPECIAL)], "l": [1.5, None]},
        "kind": "abc'd"[i % 3] if i % 3 < 2 else "c'd",
        "flag": i % 2,
    }


def _rows(count: int = N, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [_row(i, rng) for i in range(count)]


@pytest.fixture
def load_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Row counts the server reported for each LOAD DATA (MySQL only uses it)."""
    calls: list[int] = []
    original = load_data.load

    def spy(*args: Any, **kwargs: Any) -> int:
        loaded = original(*args, **kwargs)
        calls.append(loaded)
        return loaded

    monkeypatch.setattr(load_data, "load", spy)
    yield calls


def _expect_bulk_path(conn: dj.Connection, calls: list[int], loaded: list[int]) -> None:
    assert calls == (loaded if conn.backend == "mysql" else [])


def test_large_batch_round_trips_every_value_kind(
    conn: dj.Connection, tables: dict[str, Any], load_calls: list[int]
) -> None:
    rows = _rows()
    tables["Wide"].insert(rows)
    _expect_bulk_path(conn, load_calls, [N])
    fetched = tables["Wide"].to_dicts(order_by="item")
    assert len(fetched) == N
    for expected, actual in zip(rows, fetched, strict=True):
        assert actual == expected, expected["item"]


def test_large_batch_floats_round_trip_by_repr(
    conn: dj.Connection, tables: dict[str, Any], load_calls: list[int]
) -> None:
    rng = random.Random(7)
    specials = [5e-324, 2.2250738585072014e-308, 1.5e300, 0.1, 1 / 3, 123456789.123]
    ratios = specials + [rng.uniform(-1, 1) * 10 ** rng.randint(-300, 300) for _ in range(N)]
    rows = [{"item": i, "text": "f", "ratio": r} for i, r in enumerate(ratios)]
    tables["Wide"].insert(rows)
    _expect_bulk_path(conn, load_calls, [len(rows)])
    fetched = tables["Wide"].to_arrays("ratio", order_by="item")
    assert [repr(float(v)) for v in fetched] == [repr(r) for r in ratios]


_FSUM = (
    "insert._fast_path_ok checks float columns with math.isfinite(math.fsum(values)); fsum raises "
    "OverflowError when finite values sum past the float range, so valid large floats cannot be "
    "inserted (fix: all(map(math.isfinite, values)), or catch OverflowError)"
)


def test_huge_finite_floats_can_be_inserted(tables: dict[str, Any]) -> None:
    tables["Wide"].insert([{"item": i, "text": "big", "ratio": 1.7e308} for i in range(2)])
    assert list(tables["Wide"].to_arrays("ratio", order_by="item")) == [1.7e308, 1.7e308]


def test_large_batch_with_the_largest_float(tables: dict[str, Any]) -> None:
    ratios = [float(i) for i in range(N)] + [1.7976931348623157e308, 1e308]
    tables["Wide"].insert([{"item": i, "text": "f", "ratio": r} for i, r in enumerate(ratios)])
    assert list(tables["Wide"].to_arrays("ratio", order_by="item")) == ratios


# ---- all or nothing ------------------------------------------------------------------------


def _count(table: Any) -> int:
    return len(table())


def test_duplicate_within_the_batch_inserts_nothing(
    conn: dj.Connection, tables: dict[str, Any], load_calls: list[int]
) -> None:
    wide = tables["Wide"]
    wide.insert1({"item": -1, "text": "before"})
    rows = _rows()
    rows.append({**rows[0], "text": "again"})
    with pytest.raises(dj.DuplicateError, match="skip_duplicates=True"):
        wide.insert(rows)
    assert _count(wide) == 1
    assert not conn.in_transaction
    _expect_bulk_path(conn, load_calls, [N])  # the server skipped one: replayed as INSERT


def test_duplicate_of_an_existing_row_at_the_end_inserts_nothing(
    conn: dj.Connection, tables: dict[str, Any]
) -> None:
    wide = tables["Wide"]
    wide.insert1({"item": N + 10, "text": "existing"})
    rows = _rows()
    rows.append({**rows[0], "item": N + 10, "text": "clash"})
    with pytest.raises(dj.DuplicateError):
        wide.insert(rows)
    assert _count(wide) == 1
    assert wide.fetch1("text") == "existing"


def test_missing_parent_at_the_end_inserts_nothing(
    conn: dj.Connection, tables: dict[str, Any], load_calls: list[int]
) -> None:
    tables["Parent"].insert([{"parent_id": 1}])
    wide = tables["Wide"]
    rows = [{"item": i, "text": "t", "parent_id": 1} for i in range(N)]
    rows[-1]["parent_id"] = 2
    with pytest.raises(dj.IntegrityError, match="A referenced row is missing"):
        wide.insert(rows)
    assert _count(wide) == 0
    assert not conn.in_transaction
    _expect_bulk_path(conn, load_calls, [N - 1])


def test_failed_batch_inside_an_outer_transaction_rolls_back_with_it(
    conn: dj.Connection, tables: dict[str, Any]
) -> None:
    wide = tables["Wide"]
    rows = _rows()
    rows.append(rows[-1])
    with pytest.raises(dj.DuplicateError), conn.transaction:
        wide.insert1({"item": -5, "text": "in the transaction"})
        wide.insert(rows)
    assert not conn.in_transaction
    assert _count(wide) == 0


def test_successful_batch_inside_an_outer_transaction_commits_with_it(
    conn: dj.Connection, tables: dict[str, Any], load_calls: list[int]
) -> None:
    wide = tables["Wide"]
    with conn.transaction:
        wide.insert(_rows())
        assert conn.in_transaction
        wide.insert1({"item": -5, "text": "after"})
    assert _count(wide) == N + 1
    _expect_bulk_path(conn, load_calls, [N])


def test_large_batch_inside_a_transaction_that_fails_later(
    conn: dj.Connection, tables: dict[str, Any]
) -> None:
    wide = tables["Wide"]
    with pytest.raises(RuntimeError), conn.transaction:
        wide.insert(_rows())
        raise RuntimeError("abort")
    assert _count(wide) == 0


# ---- skip_duplicates and replace -----------------------------------------------------------


def _simple(start: int, stop: int, text: str) -> list[dict[str, Any]]:
    return [{"item": i, "text": f"{text}{i}", "count": i} for i in range(start, stop)]


def test_skip_duplicates_with_a_large_batch(conn: dj.Connection, tables: dict[str, Any]) -> None:
    wide = tables["Wide"]
    wide.insert(_simple(0, N, "old"))
    wide.insert(_simple(N // 2, N + N // 2, "new"), skip_duplicates=True)
    texts = wide.to_arrays("text", order_by="item")
    assert len(texts) == N + N // 2
    assert texts[0] == "old0" and texts[N - 1] == f"old{N - 1}"
    assert texts[N] == f"new{N}" and texts[-1] == f"new{N + N // 2 - 1}"


def test_replace_with_a_large_batch(conn: dj.Connection, tables: dict[str, Any]) -> None:
    wide = tables["Wide"]
    wide.insert(_simple(0, N, "old"))
    wide.insert(_simple(N // 2, N + N // 2, "new"), replace=True)
    texts = list(wide.to_arrays("text", order_by="item"))
    assert texts == [f"old{i}" for i in range(N // 2)] + [
        f"new{i}" for i in range(N // 2, N + N // 2)
    ]


# ---- large byte strings --------------------------------------------------------------------


@pytest.fixture
def blobs(schema: dj.Schema) -> Any:
    @schema
    class Blobs(dj.Manual):
        definition = """
        blob_id : int32
        ---
        raw = null : bytes
        value = null : <blob>
        """

    return Blobs


def test_bytes_parameter_switches_to_hex_at_the_threshold(conn: dj.Connection) -> None:
    small, large = b"\0" * (HEX_THRESHOLD - 1), b"\xff" * HEX_THRESHOLD
    assert conn.bytes_parameter(small) is small
    parameter = conn.bytes_parameter(large)
    if conn.backend == "mysql":
        assert isinstance(parameter, HexBytes) and parameter.data is large
    else:
        assert parameter is large


SIZES = [0, 1, HEX_THRESHOLD - 1, HEX_THRESHOLD, 3 * HEX_THRESHOLD + 5]


@pytest.mark.parametrize("size", SIZES, ids=[f"{s}B" for s in SIZES])
def test_bytes_round_trip_exactly(blobs: Any, size: int) -> None:
    data = random.Random(size).randbytes(size)
    blobs.insert1({"blob_id": 1, "raw": data})
    assert blobs.fetch1("raw") == data


def test_every_byte_value_round_trips(blobs: Any) -> None:
    data = bytes(range(256)) * 80  # 20 KiB: the hex path on MySQL
    blobs.insert1({"blob_id": 1, "raw": data, "value": data})
    row = blobs.fetch1()
    assert row["raw"] == data
    assert row["value"] == data


def test_large_batch_of_bytes_round_trips(
    conn: dj.Connection, blobs: Any, load_calls: list[int]
) -> None:
    rng = random.Random(11)
    rows = [
        {
            "blob_id": i,
            "raw": None if i % 9 == 4 else rng.randbytes(rng.randint(0, 64)) + b"\\\0\t\n\r\xff",
            "value": None if i % 5 == 1 else {"i": i, "b": rng.randbytes(8)},
        }
        for i in range(2500)
    ]
    blobs.insert(rows)
    _expect_bulk_path(conn, load_calls, [2500])
    assert blobs.to_dicts(order_by="blob_id") == rows


def test_one_very_large_blob_round_trips(
    conn: dj.Connection, blobs: Any, load_calls: list[int]
) -> None:
    data = bytes(range(256)) * 1200 + random.Random(5).randbytes(4000)  # about 300 KiB
    array = np.random.default_rng(2).standard_normal(40000)
    blobs.insert([{"blob_id": 1, "raw": data, "value": array}])
    _expect_bulk_path(conn, load_calls, [1])
    row = blobs.fetch1()
    assert row["raw"] == data
    np.testing.assert_array_equal(row["value"], array)


def test_large_blob_arrays_round_trip(blobs: Any) -> None:
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((64, 80)), rng.integers(0, 255, 40000, dtype=np.uint8)]
    blobs.insert([{"blob_id": i, "value": a} for i, a in enumerate(arrays)])
    fetched = blobs.to_arrays("value", order_by="blob_id")
    for expected, actual in zip(arrays, fetched, strict=True):
        assert actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)


def test_fetching_many_blob_rows_returns_every_row(conn: dj.Connection, blobs: Any) -> None:
    count = 300  # several streamed batches
    blobs.insert(
        [
            {"blob_id": i, "raw": bytes([i % 256]) * (i * 70), "value": np.arange(i)}
            for i in range(count)
        ]
    )
    rows = blobs.to_dicts(order_by="blob_id")
    assert [r["blob_id"] for r in rows] == list(range(count))
    assert all(r["raw"] == bytes([r["blob_id"] % 256]) * (r["blob_id"] * 70) for r in rows)
    assert all(np.array_equal(r["value"], np.arange(r["blob_id"])) for r in rows)
    assert len(blobs()) == count  # the streamed cursor was read to the end
    assert conn.query("SELECT 1").fetchone()[0] == 1


def test_streamed_fetch_restricted_and_projected(blobs: Any) -> None:
    blobs.insert([{"blob_id": i, "raw": b"x" * HEX_THRESHOLD} for i in range(5)])
    restricted = blobs & "blob_id > 2"
    assert [len(r) for r in restricted.to_arrays("raw", order_by="blob_id")] == [HEX_THRESHOLD] * 2
    assert blobs.proj().to_dicts(order_by="blob_id") == [{"blob_id": i} for i in range(5)]

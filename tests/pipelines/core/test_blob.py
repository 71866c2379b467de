"""The <blob> format: byte-exact encodings, round trips, DataJoint interoperability, MATLAB data."""

from __future__ import annotations

import datetime
import math
import struct
import uuid
import warnings
import zlib
from collections import OrderedDict, UserList
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipelines.core import blob
from pipelines.core.blob import MatCell, MatStruct, pack, unpack
from pipelines.core.errors import DataJointError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the oracle warns about its missing config file on import
    import datajoint.blob as oracle

MYM = b"mYm\0"
DJ0 = b"dj0\0"


def stable_id(value: Any) -> str:
    """A test id that does not depend on hash randomization (sets print in hash order)."""
    if isinstance(value, set | frozenset):
        return f"{type(value).__name__}({sorted(map(repr, value))})"
    return repr(value)


def u64(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}Q", *values)


def assert_same(actual: Any, expected: Any) -> None:
    """Deep equality that also checks types, dtypes and shapes (NaN equals NaN)."""
    assert type(actual).__name__ == type(expected).__name__, (actual, expected)
    if isinstance(expected, np.ndarray):
        assert (actual.shape, actual.dtype) == (expected.shape, expected.dtype)
        if expected.dtype.names:
            for name in expected.dtype.names:
                assert_same(np.asarray(actual[name]), np.asarray(expected[name]))
        elif expected.dtype == object:
            for got, want in zip(actual.ravel(), expected.ravel(), strict=True):
                assert_same(got, want)
        else:
            np.testing.assert_array_equal(actual, expected)
    elif isinstance(expected, dict):
        assert list(actual) == list(expected)
        for key in expected:
            assert_same(actual[key], expected[key])
    elif isinstance(expected, list | tuple):
        assert len(actual) == len(expected)
        for got, want in zip(actual, expected, strict=True):
            assert_same(got, want)
    elif isinstance(expected, np.generic):
        np.testing.assert_array_equal(actual, expected)
    elif isinstance(expected, float | complex) and expected != expected:
        assert actual != actual
    else:
        assert actual == expected


def as_oracle(value: Any) -> Any:
    """The same value with Joinery's MATLAB classes swapped for the oracle's."""
    if isinstance(value, MatCell):
        return np.asarray(value).view(oracle.MatCell)
    if isinstance(value, MatStruct):
        return np.asarray(value).view(oracle.MatStruct)
    return value


def struct_array(shape: tuple[int, ...], **fields: list[Any]) -> MatStruct:
    data = np.empty(math.prod(shape), dtype=[(name, object) for name in fields])
    for name, values in fields.items():
        for i, value in enumerate(values):
            data[name][i] = value
    return data.reshape(shape, order="F").view(MatStruct)


def cell_array(shape: tuple[int, ...], *items: Any) -> MatCell:
    data = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        data[i] = item
    return data.reshape(shape, order="F").view(MatCell)


# --- byte-exact encodings (spec §7.1) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (1, DJ0 + bytes.fromhex("0a 01 00 01")),
        (-1, DJ0 + bytes.fromhex("0a 01 00 ff")),
        (255, DJ0 + bytes.fromhex("0a 02 00 ff 00")),
        (True, DJ0 + bytes.fromhex("0b 01")),
        (1.5, DJ0 + b"\x0d" + struct.pack("<d", 1.5)),
        (None, DJ0 + b"\xff"),
        (2j, DJ0 + b"\x0c" + struct.pack("<dd", 0.0, 2.0)),
        ("hé", DJ0 + b"\x05" + u64(3) + bytes.fromhex("68 c3 a9")),
        (b"\x00\x01", DJ0 + b"\x06" + u64(2) + b"\x00\x01"),
        (Decimal("1.20"), DJ0 + b"d" + u64(4) + b"1.20"),
        (
            {"a": 1},
            DJ0 + b"\x04" + u64(1, 10) + b"\x05" + u64(1) + b"a" + u64(4) + b"\x0a\x01\x00\x01",
        ),
        ([None], DJ0 + b"\x02" + u64(1, 1) + b"\xff"),
        ((None,), DJ0 + b"\x01" + u64(1, 1) + b"\xff"),
        ({None}, DJ0 + b"\x03" + u64(1, 1) + b"\xff"),
    ],
    ids=stable_id,
)
def test_python_values_encode_to_the_documented_bytes(value: Any, encoded: bytes) -> None:
    assert pack(value, compress=False) == encoded
    assert_same(unpack(encoded), value)


def test_uuid_is_code_u_followed_by_its_sixteen_bytes() -> None:
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert pack(value) == DJ0 + b"u" + value.bytes
    assert unpack(DJ0 + b"u" + value.bytes) == value


@pytest.mark.parametrize(
    ("value", "day", "clock"),
    [
        (datetime.datetime(2024, 1, 2, 3, 4, 5, 6), 20240102, 30405000006),
        (datetime.date(2024, 1, 2), 20240102, -1),
        (datetime.time(3, 4, 5, 6), -1, 30405000006),
        (datetime.time(0, 0), -1, 0),
    ],
    ids=stable_id,
)
def test_dates_and_times_encode_as_yyyymmdd_and_hhmmssffffff(
    value: Any, day: int, clock: int
) -> None:
    encoded = DJ0 + b"t" + struct.pack("<iq", day, clock)
    assert pack(value) == encoded
    assert_same(unpack(encoded), value)


def test_unbounded_ints_use_twos_complement_of_bit_length_over_eight_plus_one_bytes() -> None:
    for value in (0, -128, 2**63, -(2**200) + 7):
        n_bytes = value.bit_length() // 8 + 1
        encoded = pack(value)
        assert encoded[4:7] == b"\x0a" + struct.pack("<H", n_bytes)
        assert encoded[7:] == value.to_bytes(n_bytes, "little", signed=True)
        assert unpack(encoded) == value


def test_float_vector_is_an_mym_array_of_class_double() -> None:
    encoded = MYM + b"A" + u64(1, 2) + struct.pack("<II", 6, 0) + struct.pack("<2d", 1.0, 2.0)
    assert pack(np.array([1.0, 2.0])) == encoded


@pytest.mark.parametrize("order", ["C", "F"])
def test_matrix_data_is_written_column_major_whatever_the_memory_order(order: str) -> None:
    matrix = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], order="C" if order == "C" else "F")
    data = struct.pack("<6d", 1, 4, 2, 5, 3, 6)
    assert pack(matrix) == MYM + b"A" + u64(2, 2, 3) + struct.pack("<II", 6, 0) + data
    assert pack(matrix.T) == MYM + b"A" + u64(2, 3, 2) + struct.pack("<II", 6, 0) + (
        struct.pack("<6d", 1, 2, 3, 4, 5, 6)
    )


def test_int16_vector_matches_the_documented_hex() -> None:
    hex_dump = "6d596d00 41 0100000000000000 0200000000000000 0a000000 00000000 0100 feff"
    assert pack(np.array([1, -2], np.int16)) == bytes.fromhex(hex_dump)


def test_complex_arrays_store_all_real_parts_then_all_imaginary_parts() -> None:
    head = MYM + b"A" + u64(1, 2) + struct.pack("<II", 6, 1)
    assert pack(np.array([1 + 2j, 3 - 4j])) == head + struct.pack("<4d", 1, 3, 2, -4)
    single = pack(np.array([1 + 2j], np.complex64))
    assert single[-16:] == struct.pack("<II", 7, 1) + struct.pack("<2f", 1, 2)


def test_infinite_imaginary_parts_read_back_unchanged() -> None:
    # Rebuilding complex values as real + 1j * imag would turn these real parts into NaN.
    value = np.array([complex(0, math.inf), complex(2, -math.inf)])
    decoded = unpack(pack(value))
    np.testing.assert_array_equal(decoded.real, [0, 2])
    np.testing.assert_array_equal(decoded.imag, [math.inf, -math.inf])


def test_bool_arrays_are_logical_class_with_one_byte_per_element() -> None:
    encoded = pack(np.array([True, False]))
    assert encoded == MYM + b"A" + u64(1, 2) + struct.pack("<II", 3, 0) + b"\x01\x00"


def test_structured_array_is_code_f_with_one_column_array_per_field() -> None:
    records = np.array([(1, 2.0)], dtype=[("a", "<i4"), ("b", "<f8")])
    column_a = b"A" + u64(1, 1) + struct.pack("<IIi", 12, 0, 1)
    column_b = b"A" + u64(1, 1) + struct.pack("<IId", 6, 0, 2.0)
    encoded = DJ0 + b"F" + struct.pack("<I", 2) + b"a\0b\0" + column_a + column_b
    assert pack(records) == encoded
    decoded = unpack(encoded)
    assert isinstance(decoded, np.recarray)
    assert_same(np.asarray(decoded), records)


def test_unicode_array_stores_each_element_as_a_sized_string_and_reads_back_as_objects() -> None:
    item_ab = b"\x05" + u64(2) + b"ab"
    item_c = b"\x05" + u64(1) + b"c"
    encoded = (
        DJ0 + b"A" + u64(1, 2) + struct.pack("<II", 5, 0)
        + u64(len(item_ab)) + item_ab + u64(len(item_c)) + item_c
    )  # fmt: skip
    assert pack(np.array(["ab", "c"])) == encoded
    assert_same(unpack(encoded), np.array(["ab", "c"], dtype=object))


def test_datetime64_scalar_is_a_zero_d_array_of_the_unit_class() -> None:
    encoded = pack(np.datetime64("2024-01-02"))
    days = (datetime.date(2024, 1, 2) - datetime.date(1970, 1, 1)).days
    assert encoded == DJ0 + b"A" + u64(0) + bytes.fromhex("03000100 00000000") + u64(days)
    assert_same(unpack(encoded), np.datetime64("2024-01-02"))


@pytest.mark.parametrize(
    ("unit", "class_id"), [("Y", 65536), ("W", 65538), ("ms", 65543), ("ns", 65545), ("as", 65548)]
)
def test_each_datetime64_unit_has_its_own_class_id(unit: str, class_id: int) -> None:
    values = np.array([0, 5], dtype=f"datetime64[{unit}]")
    encoded = pack(values)
    assert encoded[:4] == DJ0
    assert encoded[21:25] == struct.pack("<I", class_id)
    assert_same(unpack(encoded), values)


# --- header choice (spec §7.2) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        np.arange(3),
        np.arange(6).reshape(2, 3),
        np.array([True]),
        np.zeros(4, np.uint8),
        np.array([1j]),
        np.zeros((0, 3)),
        np.array(b"x"),  # a 0-d char array is still MATLAB-readable
        cell_array((1, 2), np.zeros((1, 1)), np.array([1, 2], np.int8)),
        struct_array((1, 1), a=[np.ones((2, 2))]),
    ],
    ids=stable_id,
)
def test_values_matlab_can_read_keep_the_mym_header(value: Any) -> None:
    assert pack(value)[:4] == MYM


@pytest.mark.parametrize(
    "value",
    [
        5,
        np.float64(2),
        np.int32(3),
        np.bool_(True),
        np.array(3.0),
        "str",
        np.array(["ab", "c"]),
        np.array([1, None], dtype=object),
        [1, 2],
        {"a": 1},
        np.array(["2024-01-01"], dtype="datetime64[D]"),
        np.zeros(1, dtype=[("a", "f8")]),
        cell_array((1, 2), 1, 2.0),  # a cell holding Python scalars
        struct_array((1, 1), a=["text"]),
    ],
    ids=stable_id,
)
def test_any_python_only_feature_anywhere_switches_to_dj0(value: Any) -> None:
    assert pack(value)[:4] == DJ0


# --- compression ---------------------------------------------------------------------------------


def test_compressible_blob_is_wrapped_in_the_zl123_envelope_exactly_like_datajoint() -> None:
    raw = pack(np.zeros(200), compress=False)
    assert len(raw) == 1629
    stored = pack(np.zeros(200))
    assert stored.startswith(bytes.fromhex("5a4c31323300 5d06000000000000 789c"))
    assert stored == b"ZL123\0" + u64(1629) + zlib.compress(raw, 6)
    assert stored == oracle.pack(np.zeros(200))
    assert_same(unpack(stored), np.zeros(200))


def test_blobs_of_at_most_1000_bytes_are_never_compressed() -> None:
    value = np.zeros(971, np.uint8)  # 1000 bytes with header and dims
    assert len(pack(value, compress=False)) == 1000
    assert pack(value) == pack(value, compress=False)
    assert pack(np.zeros(972, np.uint8))[:6] == b"ZL123\0"


def test_large_incompressible_arrays_are_stored_raw_and_still_read_by_datajoint() -> None:
    value = np.random.default_rng(1).random(131072)
    stored = pack(value)
    assert stored == pack(value, compress=False)
    assert_same(oracle.unpack(stored), value)


def test_large_compressible_arrays_compress_to_datajoints_exact_bytes() -> None:
    value = np.zeros(131072)
    stored = pack(value)
    assert stored[:6] == b"ZL123\0"
    assert stored == oracle.pack(value)
    assert_same(oracle.unpack(stored), value)


def test_compressibility_is_judged_across_the_blob_not_only_its_start() -> None:
    value = np.concatenate([np.random.default_rng(2).random(4096), np.zeros(131072)])
    stored = pack(value)
    assert stored[:6] == b"ZL123\0"
    assert_same(unpack(stored), value)


def test_midsize_blobs_follow_the_shorter_wins_rule_byte_for_byte() -> None:
    for value in (np.random.default_rng(3).random(500), np.arange(2000), ["ab"] * 300):
        assert pack(value) == oracle.pack(value)


def test_compress_false_never_compresses() -> None:
    assert pack(np.zeros(10_000), compress=False)[:4] == MYM


# --- round trips ---------------------------------------------------------------------------------


SCALARS_AND_CONTAINERS: list[Any] = [
    0,
    -(2**300),
    False,
    3.25,
    float("inf"),
    -7j,
    "",
    "naïve ☃",
    b"",
    bytearray(b"ab"),
    Decimal("-112122121.000003000"),
    uuid.UUID(int=2**127 + 5),
    datetime.datetime(1999, 12, 31, 23, 59, 59, 999999),
    datetime.date(1, 1, 1),
    datetime.time(12, 0, 0, 1),
    [1, [2, (3, {4})], {"k": None}],
    {99: datetime.date(2020, 2, 29), (11, 12): None, "range": [110, 190]},
    frozenset({1, "a"}),
    OrderedDict(b=1, a=2),
    np.float32(1.5),
    np.uint64(2**64 - 1),
    np.int8(-3),
    np.complex64(1 - 1j),
    np.bool_(False),
    np.str_("numpy text"),
    np.bytes_(b"numpy bytes"),
    np.datetime64("1998-01-01T00:00:00.000001"),
]


@pytest.mark.parametrize("value", SCALARS_AND_CONTAINERS, ids=stable_id)
def test_scalars_and_containers_round_trip(value: Any) -> None:
    expected = value
    if isinstance(value, bytearray):
        expected = bytes(value)
    elif isinstance(value, frozenset):
        expected = set(value)
    elif isinstance(value, OrderedDict):
        expected = dict(value)
    elif isinstance(value, np.str_ | np.bytes_):
        expected = value.item()
    assert_same(unpack(pack(value)), expected)


def test_other_sequence_kinds_pack_as_tuples_or_lists() -> None:
    assert unpack(pack(range(4))) == (0, 1, 2, 3)
    assert unpack(pack(UserList([1, 2]))) == [1, 2]
    assert unpack(pack({1: 2}.keys())) == {1}


def test_zero_d_arrays_come_back_as_numpy_scalars_like_datajoint() -> None:
    decoded = unpack(pack(np.array(3.0)))
    assert type(decoded) is np.float64 and decoded == 3.0
    assert_same(unpack(pack(np.array(1 + 2j))), np.complex128(1 + 2j))
    assert_same(unpack(pack(np.array("x"))), np.array("x", dtype=object))


def test_object_arrays_keep_their_items_even_when_items_have_equal_lengths() -> None:
    value = np.empty(2, dtype=object)
    value[0], value[1] = (1, 2, 3), np.arange(3)
    assert_same(unpack(pack(value)), value)
    pairs = np.empty((2, 1), dtype=object)
    pairs[0, 0], pairs[1, 0] = [1, 2], [3, 4]
    assert_same(unpack(pack(pairs)), pairs)


def test_nested_record_arrays_and_object_fields_round_trip() -> None:
    inner = [("x", "<f8"), ("y", "<i2")]
    value = np.zeros(3, dtype=[("p", inner), ("note", object), ("t", "datetime64[s]")])
    value["p"]["x"] = [1.5, 2.5, 3.5]
    value["note"] = ["a", None, [1]]
    decoded = unpack(pack(value))
    assert isinstance(decoded, np.recarray)
    assert_same(np.asarray(decoded), value)


def test_char_arrays_read_a_single_row_as_one_string() -> None:
    assert_same(unpack(pack(np.array([b"a", b"b", b"c"]))), np.array(["abc"]))
    assert unpack(pack(np.array([b"h", b"i"])), squeeze=True) == "hi"
    grid = np.array([[b"a", b"b"], [b"c", b"d"]])
    assert_same(unpack(pack(grid)), np.array([["a", "b"], ["c", "d"]]))


def test_cells_and_structs_round_trip_as_joinery_classes() -> None:
    cell = cell_array((1, 3), np.ones((2, 2)), "text", cell_array((1, 1), np.zeros((1, 1))))
    decoded = unpack(pack(cell))
    assert isinstance(decoded, MatCell) and isinstance(decoded[0, 2], MatCell)
    assert_same(decoded, cell)
    record = struct_array((1, 2), a=[np.ones((1, 1)), np.zeros((1, 1))], b=[cell, "x"])
    decoded = unpack(pack(record))
    assert isinstance(decoded, MatStruct) and decoded.dtype.names == ("a", "b")
    assert_same(decoded.a[0, 1], np.zeros((1, 1)))
    assert isinstance(decoded.b[0, 0], MatCell)


def test_empty_cell_reads_as_an_empty_one_dimensional_cell() -> None:
    decoded = unpack(pack(cell_array((0, 0))))
    assert isinstance(decoded, MatCell) and decoded.shape == (0,)


def test_squeeze_drops_singleton_dimensions_and_unwraps_zero_d_arrays() -> None:
    assert unpack(pack(np.zeros((1, 3, 1))), squeeze=True).shape == (3,)
    scalar = unpack(pack(np.array([[2.5]])), squeeze=True)
    assert type(scalar) is float and scalar == 2.5
    cell = unpack(pack(cell_array((1, 2), np.ones((1, 1)), np.ones((1, 1)))), squeeze=True)
    assert isinstance(cell, MatCell) and cell.shape == (2,)
    assert unpack(pack(np.zeros((1, 3, 1)))).shape == (1, 3, 1)


def test_big_endian_arrays_pack_as_their_native_equivalent() -> None:
    value = np.arange(4, dtype=">i4").reshape(2, 2)
    assert pack(value) == pack(value.astype("<i4"))
    assert_same(unpack(pack(value)), value.astype("<i4"))


def test_reading_a_numeric_array_is_a_read_only_view_of_the_blob() -> None:
    stored = pack(np.arange(1000.0), compress=False)
    decoded = unpack(stored)
    assert np.shares_memory(decoded, np.frombuffer(stored, np.uint8))
    assert not decoded.flags.writeable


@pytest.mark.parametrize("wrap", [memoryview, bytearray, lambda b: memoryview(b"xx" + b)[2:]])
def test_unpack_accepts_memoryviews_and_bytearrays(wrap: Any) -> None:
    value = {"x": np.arange(300.0).reshape(20, 15, order="F")}
    assert_same(unpack(wrap(pack(value))), value)


def test_unknown_headers_and_none_unpack_to_none() -> None:
    assert unpack(b"xyz\0\xff") is None
    assert unpack(b"") is None
    assert unpack(None) is None


def test_32bit_dims_flag_reads_blobs_of_32bit_mym(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "lr".encode("utf-16-le")
    element = b"A" + struct.pack("<3I", 2, 1, 2) + struct.pack("<II", 4, 0) + text
    vector = b"A" + struct.pack("<3I", 2, 1, 1) + struct.pack("<IId", 6, 0, 1.0)
    body = b"S" + struct.pack("<3I", 2, 1, 1) + struct.pack("<I", 2) + b"hits\0sides\0"
    body += struct.pack("<I", len(vector)) + vector + struct.pack("<I", len(element)) + element
    monkeypatch.setattr(blob, "use_32bit_dims", True)
    decoded = unpack(MYM + body)
    assert isinstance(decoded, MatStruct) and decoded.shape == (1, 1)
    assert_same(decoded[0, 0].hits, np.array([[1.0]]))
    assert_same(decoded[0, 0].sides, np.array(["lr"]))


# --- errors --------------------------------------------------------------------------------------


def test_unknown_structure_code_raises() -> None:
    with pytest.raises(DataJointError, match=r'^Unknown data structure code "Z"'):
        unpack(DJ0 + b"Z")


@pytest.mark.parametrize(
    "broken",
    [
        pack(5) + b"\0",  # trailing garbage
        pack(np.arange(10.0), compress=False)[:-1],  # truncated data
        DJ0 + b"\x02" + u64(1, 2) + b"\xff",  # item length larger than the item
        DJ0 + b"\x05" + u64(2**60),  # string longer than the blob
        DJ0 + b"A" + u64(1, 2**40) + struct.pack("<II", 5, 0),  # object count beyond the blob
        MYM,  # no value at all
        b"ZL123\0\1",  # envelope cut short
    ],
)
def test_malformed_blobs_fail_the_length_check(broken: bytes) -> None:
    with pytest.raises(DataJointError, match=r"^Blob length check failed! Invalid blob$"):
        unpack(broken)


def test_decompressed_size_must_match_the_envelope() -> None:
    stored = b"ZL123\0" + u64(7) + zlib.compress(DJ0 + b"\xff")
    with pytest.raises(DataJointError, match=r"^Blob size mismatch: expected 7, got 5$"):
        unpack(stored)


def test_corrupt_zlib_stream_raises_datajoint_error() -> None:
    with pytest.raises(DataJointError, match="decompression failed"):
        unpack(b"ZL123\0" + u64(5) + b"not zlib")


@pytest.mark.parametrize(
    "value", [object(), np.zeros(2, dtype=[]), np.void(b"\0")], ids=["object", "no-fields", "void"]
)
def test_unsupported_objects_raise(value: Any) -> None:
    message = f"^Packing object of type {type(value)} currently not supported!$"
    with pytest.raises(DataJointError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pack(value)


def test_unknown_dtypes_raise() -> None:
    with pytest.raises(DataJointError, match=r"^Type float16 is ambiguous or unknown$"):
        pack(np.zeros(2, np.float16))
    with pytest.raises(DataJointError, match=r"^Type \|S2 is ambiguous or unknown$"):
        pack(np.array([b"ab"]))


def test_integers_beyond_65535_bytes_raise() -> None:
    with pytest.raises(DataJointError, match=r"^Integers are limited to 65535 bytes$"):
        pack(1 << (8 * 65535))


def test_sparse_arrays_and_unknown_array_classes_raise() -> None:
    with pytest.raises(DataJointError, match="sparse"):
        unpack(MYM + b"P")
    with pytest.raises(DataJointError, match="class 16"):
        unpack(MYM + b"A" + u64(1, 1) + struct.pack("<II", 16, 0) + bytes(8))


# --- MATLAB-written blobs (hand-built mYm layouts) -----------------------------------------------


def mym_array(shape: tuple[int, ...], class_id: int, data: bytes, is_complex: int = 0) -> bytes:
    return b"A" + u64(len(shape), *shape) + struct.pack("<II", class_id, is_complex) + data


def mym_doubles(matrix: np.ndarray) -> bytes:
    values = matrix.ravel(order="F").tolist()
    return mym_array(matrix.shape, 6, struct.pack(f"<{len(values)}d", *values))


def mym_char(text: str) -> bytes:
    return mym_array((1, len(text)), 4, text.encode("utf-16-le"))


def sized(*items: bytes) -> bytes:
    return b"".join(u64(len(item)) + item for item in items)


def mym_struct(shape: tuple[int, ...], names: list[str], *elements: list[bytes]) -> bytes:
    head = b"S" + u64(len(shape), *shape) + struct.pack("<I", len(names))
    return (
        head
        + b"".join(name.encode() + b"\0" for name in names)
        + sized(*(item for element in elements for item in element))
    )


MAGIC3 = np.array([[8, 1, 6], [3, 5, 7], [4, 9, 2]], dtype=float)
MAGIC5 = np.array(
    [
        [17, 24, 1, 8, 15],
        [23, 5, 7, 14, 16],
        [4, 6, 13, 20, 22],
        [10, 12, 19, 21, 3],
        [11, 18, 25, 2, 9],
    ],
    dtype=float,
)
CUBE = np.arange(1, 25, dtype=float).reshape((2, 3, 4), order="F")


def test_matlab_char_string() -> None:
    stored = MYM + mym_char("character string")
    assert_same(unpack(stored), np.array(["character string"]))
    assert unpack(stored, squeeze=True) == "character string"
    assert_same(unpack(stored), oracle.unpack(stored))


def test_matlab_row_vector() -> None:
    stored = MYM + mym_doubles(np.arange(1.0, 180, 15)[None, :])
    assert_same(unpack(stored), np.arange(1.0, 180, 15)[None, :])
    assert_same(unpack(stored, squeeze=True), np.arange(1.0, 180, 15))
    assert unpack(stored).dtype == np.float64
    assert pack(unpack(stored)) == stored


def test_matlab_cell_of_strings() -> None:
    stored = MYM + b"C" + u64(2, 1, 2) + sized(mym_char("string1"), mym_char("string2"))
    decoded = unpack(stored)
    assert isinstance(decoded, MatCell) and decoded.shape == (1, 2)
    assert_same(decoded[0, 1], np.array(["string2"]))
    squeezed = unpack(stored, squeeze=True)
    assert isinstance(squeezed, MatCell) and squeezed.tolist() == ["string1", "string2"]
    assert_same(decoded, oracle.unpack(stored))


def test_matlab_nested_struct_array() -> None:
    inner_c = mym_struct((1, 1), ["c"], [mym_doubles(MAGIC3)])
    inner_big_c = mym_struct((1, 1), ["C"], [mym_doubles(MAGIC5)])
    one, two = mym_doubles(np.ones((1, 1))), mym_doubles(np.full((1, 1), 2.0))
    stored = MYM + mym_struct((1, 2), ["a", "b"], [one, inner_c], [two, inner_big_c])
    decoded = unpack(stored)
    assert isinstance(decoded, MatStruct) and decoded.dtype.names == ("a", "b")
    assert_same(decoded.a[0, 0], np.array([[1.0]]))
    assert_same(decoded.a[0, 1], np.array([[2.0]]))
    assert isinstance(decoded.b[0, 1], MatStruct)
    assert_same(decoded.b[0, 0].c[0, 0], MAGIC3)
    assert_same(decoded.b[0, 1].C[0, 0], MAGIC5)
    assert pack(decoded) == stored
    squeezed = unpack(stored, squeeze=True)
    assert squeezed.shape == (2,) and squeezed[1].b.C.item().shape == (5, 5)


def test_matlab_3d_double_array() -> None:
    stored = MYM + mym_doubles(CUBE)
    assert_same(unpack(stored), CUBE)
    assert pack(unpack(stored), compress=False) == stored


def test_matlab_3d_uint8_array() -> None:
    stored = MYM + mym_array((2, 3, 4), 9, bytes(range(1, 25)))
    assert_same(unpack(stored), CUBE.astype(np.uint8))
    assert pack(unpack(stored)) == stored


def test_matlab_3d_complex_array() -> None:
    spectrum = np.fft.fftn(CUBE)
    real = spectrum.real.ravel(order="F").tolist()
    imaginary = spectrum.imag.ravel(order="F").tolist()
    stored = MYM + mym_array((2, 3, 4), 6, struct.pack("<48d", *real, *imaginary), is_complex=1)
    decoded = unpack(stored)
    assert decoded.dtype == np.complex128 and decoded.shape == (2, 3, 4)
    assert_same(decoded, spectrum)
    assert pack(decoded, compress=False) == stored


# --- differential tests against DataJoint --------------------------------------------------------


INTEROP_VALUES: list[Any] = [
    *SCALARS_AND_CONTAINERS,
    np.array([[1.5, 2.5], [3.5, 4.5]], order="F"),
    np.arange(24, dtype=np.int16).reshape(2, 3, 4)[:, ::2, 1:],
    np.array([1 + 2j, 3 - 4j], np.complex64),
    np.zeros((3, 0)),
    np.array(["ab", "c"]),
    np.array([[1, "x"], [None, 2.5]], dtype=object),
    np.array(["2024-01-01T00:00"], "datetime64[m]"),
    np.array(b"q"),
    np.array([b"a", b"b"]),
    np.array([(1.0, 2), (3.0, 4)], dtype=[("x", float), ("y", int)]).view(np.recarray),
    np.array([(3, 4)], dtype=[("tmp0", float), ("tmp1", "O")]),
    cell_array((1, 2), np.arange(2.0), np.arange(3.0)),
    cell_array((2, 1), 1, "two"),
    struct_array((1, 2), a=[np.ones((1, 1)), 2], b=[MAGIC3, None]),
    [np.float32(1.5), np.array([[1]]), {"nested": (np.int64(7),)}],
]


@pytest.mark.parametrize("value", INTEROP_VALUES, ids=stable_id)
def test_uncompressed_bytes_equal_datajoints(value: Any) -> None:
    assert pack(value, compress=False) == oracle.pack(as_oracle(value), compress=False)


@pytest.mark.parametrize("value", INTEROP_VALUES, ids=stable_id)
def test_datajoint_and_joinery_read_each_others_blobs(value: Any) -> None:
    theirs = oracle.pack(as_oracle(value))
    ours = pack(value)
    assert ours == theirs  # everything here is small, so compression decides identically
    assert_same(unpack(theirs), oracle.unpack(theirs))
    assert_same(oracle.unpack(ours), unpack(ours))


def test_multirow_char_arrays_are_written_column_major() -> None:
    # Written in MATLAB's order so they round-trip; DataJoint writes these rows interleaved.
    grid = np.array([[b"a", b"b"], [b"c", b"d"]])
    assert pack(grid)[-8:] == "acbd".encode("utf-16-le")
    assert_same(oracle.unpack(pack(grid)), np.array([["a", "b"], ["c", "d"]]))


# --- property-based ------------------------------------------------------------------------------


NUMERIC_DTYPES = [
    "?", "i1", "u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8", "<c8", "<c16",
    "<M8[D]", "<M8[s]", "<M8[ns]",
]  # fmt: skip

arrays = st.tuples(
    hnp.arrays(
        dtype=st.sampled_from(NUMERIC_DTYPES).map(np.dtype),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
    ),
    st.sampled_from(["C", "F", "transposed", "strided"]),
)


def laid_out(array: np.ndarray, layout: str) -> np.ndarray:
    if layout == "C":
        return np.ascontiguousarray(array)
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "transposed":
        return array.T
    return array[..., ::-2] if array.ndim else array


@settings(max_examples=60, deadline=None)
@given(arrays)
def test_arrays_of_any_dtype_shape_and_layout_round_trip_and_match_datajoint(
    case: tuple[np.ndarray, str],
) -> None:
    value = laid_out(*case)
    decoded = unpack(pack(value))
    assert_same(np.asarray(decoded), value)
    assert pack(value, compress=False) == oracle.pack(value, compress=False)
    assert pack(value) == oracle.pack(value)
    if value.dtype.kind != "c" or np.isfinite(value.imag).all():  # see the infinity test below
        assert_same(oracle.unpack(pack(value)), decoded)


hashables = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
leaves = (
    hashables
    | st.floats(allow_nan=False)
    | st.complex_numbers(allow_nan=False)
    | st.binary(max_size=8)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.uuids()
    | st.datetimes()
    | st.dates()
    | st.times()
)
nested = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(hashables, children, max_size=4)
        | st.sets(hashables, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(nested)
def test_nested_python_values_round_trip_and_match_datajoint(value: Any) -> None:
    stored = pack(value)
    assert_same(unpack(stored), value)
    assert pack(value, compress=False) == oracle.pack(value, compress=False)
    assert_same(oracle.unpack(stored), value)
    assert_same(unpack(oracle.pack(value)), value)

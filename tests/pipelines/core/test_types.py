"""Declared attribute types (spec/engine.md §1.4): row by row, and against DataJoint itself."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import datajoint.declare as dj_declare
import pytest
from datajoint.adapters import get_adapter
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.errors import DataJointError
from pipelines.core.types import AttributeType, TypeCategory, parse_type

C = TypeCategory

# ---- core types: every row of the §1.4 core table --------------------------------------------

CORE_ROWS: list[tuple[str, TypeCategory, str, str]] = [
    ("int8", C.INTEGER, "tinyint", "INTEGER"),
    ("int16", C.INTEGER, "smallint", "INTEGER"),
    ("int32", C.INTEGER, "int", "INTEGER"),
    ("int64", C.INTEGER, "bigint", "INTEGER"),
    ("float32", C.FLOAT, "float", "REAL"),
    ("float64", C.FLOAT, "double", "REAL"),
    ("bool", C.BOOL, "tinyint", "INTEGER"),
    ("decimal(5,2)", C.DECIMAL, "decimal(5,2)", "NUMERIC"),
    ("decimal(10, 3)", C.DECIMAL, "decimal(10, 3)", "NUMERIC"),
    ("char(8)", C.STRING, "char(8)", "TEXT"),
    ("varchar(4000)", C.STRING, "varchar(4000)", "TEXT"),
    ("varchar (12)", C.STRING, "varchar (12)", "TEXT"),
    ("enum('a','b')", C.ENUM, "enum('a','b')", "TEXT"),
    ("enum('a', 'b')", C.ENUM, "enum('a', 'b')", "TEXT"),
    ("date", C.DATE, "date", "TEXT"),
    ("datetime", C.DATETIME, "datetime", "TEXT"),
    ("datetime(3)", C.DATETIME, "datetime(3)", "TEXT"),
    ("datetime (6)", C.DATETIME, "datetime (6)", "TEXT"),
    ("json", C.JSON, "json", "TEXT"),
    ("jsonb", C.JSON, "json", "TEXT"),
    ("uuid", C.UUID, "binary(16)", "BLOB"),
    ("bytes", C.BYTES, "longblob", "BLOB"),
]


@pytest.mark.parametrize(("declared", "category", "mysql", "sqlite"), CORE_ROWS)
def test_core_type_maps_to_its_column_types(
    declared: str, category: TypeCategory, mysql: str, sqlite: str
) -> None:
    parsed = parse_type(declared)
    assert (parsed.declared, parsed.category, parsed.mysql, parsed.sqlite) == (
        declared,
        category,
        mysql,
        sqlite,
    )
    assert parsed.core is True
    assert parsed.native_warning is None
    assert parsed.native_warning_for("x") is None


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("decimal(5,2)", {"precision": 5, "scale": 2}),
        ("decimal( 10 , 3 )", None),  # spaces inside the parentheses are not the core spelling
        ("char(8)", {"length": 8}),
        ("varchar(4000)", {"length": 4000}),
        ("datetime", {"precision": None}),
        ("datetime(3)", {"precision": 3}),
        ("enum('a', 'b')", {"enum_values": ("a", "b")}),
        ('enum(\'it\'\'s\', "say ""hi""")', {"enum_values": ("it's", 'say "hi"')}),
        ("enum('', 'x,y', 'a#b')", {"enum_values": ("", "x,y", "a#b")}),
    ],
)
def test_core_type_parameters_are_parsed(declared: str, expected: dict[str, Any] | None) -> None:
    parsed = parse_type(declared)
    if expected is None:
        assert parsed.core is False
        return
    assert {key: getattr(parsed, key) for key in expected} == expected
    assert parsed.core is True


@pytest.mark.parametrize(
    ("declared", "mysql"),
    [
        ("INT16", "smallint"),
        ("Float32", "float"),
        ("BOOL", "tinyint"),
        ("UUID", "binary(16)"),
        ("JSON", "json"),
        ("Bytes", "longblob"),
        ("DATE", "date"),
        ("DATETIME(6)", "datetime(6)"),
        ("VARCHAR(10)", "varchar(10)"),
        ("Decimal(5,2)", "decimal(5,2)"),
        ("ENUM('A', 'b')", "enum('A', 'b')"),
    ],
)
def test_core_keywords_are_case_insensitive_and_emitted_in_lower_case(
    declared: str, mysql: str
) -> None:
    parsed = parse_type(declared)
    assert parsed.core is True
    assert parsed.mysql == mysql
    assert parsed.declared == declared  # the column comment keeps the spelling as written


def test_surrounding_whitespace_is_not_part_of_the_declared_type() -> None:
    assert parse_type("  int16 \t").declared == "int16"


# ---- native types ----------------------------------------------------------------------------

NATIVE_ROWS: list[tuple[str, TypeCategory, str, dict[str, Any]]] = [
    ("tinyint", C.INTEGER, "INTEGER", {}),
    ("smallint", C.INTEGER, "INTEGER", {}),
    ("mediumint", C.INTEGER, "INTEGER", {}),
    ("bigint", C.INTEGER, "INTEGER", {}),
    ("int", C.INTEGER, "INTEGER", {}),
    ("integer", C.INTEGER, "INTEGER", {}),
    ("int(11)", C.INTEGER, "INTEGER", {}),
    ("int unsigned", C.INTEGER, "INTEGER", {"unsigned": True}),
    ("INT UNSIGNED", C.INTEGER, "INTEGER", {"unsigned": True}),
    ("tinyint(1) unsigned", C.INTEGER, "INTEGER", {"unsigned": True}),
    ("int auto_increment", C.INTEGER, "INTEGER", {"autoincrement": True}),
    (
        "int(10) unsigned auto_increment",
        C.INTEGER,
        "INTEGER",
        {"unsigned": True, "autoincrement": True},
    ),
    ("bigint  unsigned   AUTO_INCREMENT", C.INTEGER, "INTEGER", {"autoincrement": True}),
    ("serial", C.INTEGER, "INTEGER", {"unsigned": True, "autoincrement": True}),
    ("decimal", C.DECIMAL, "NUMERIC", {"precision": None, "scale": None}),
    ("decimal(5)", C.DECIMAL, "NUMERIC", {"precision": 5, "scale": None}),
    ("decimal(5,2) unsigned", C.DECIMAL, "NUMERIC", {"precision": 5, "unsigned": True}),
    ("decimal(5,2) unsigned zerofill", C.DECIMAL, "NUMERIC", {"scale": 2, "unsigned": True}),
    ("numeric(10,2)", C.DECIMAL, "NUMERIC", {"precision": 10, "scale": 2}),
    ("dec(4,1)", C.DECIMAL, "NUMERIC", {"precision": 4, "scale": 1}),
    ("fixed(6,3) zerofill", C.DECIMAL, "NUMERIC", {"precision": 6, "scale": 3}),
    ("decimal( 10 , 3 )", C.DECIMAL, "NUMERIC", {"precision": 10, "scale": 3}),
    ("float", C.FLOAT, "REAL", {}),
    ("double", C.FLOAT, "REAL", {}),
    ("real", C.FLOAT, "REAL", {}),
    ("float(7,4)", C.FLOAT, "REAL", {"precision": 7, "scale": 4}),
    ("double unsigned", C.FLOAT, "REAL", {"unsigned": True}),
    ("char( 10 )", C.STRING, "TEXT", {"length": 10}),
    ("varchar( 255 )", C.STRING, "TEXT", {"length": 255}),
    ("time", C.TIME, "TEXT", {"precision": None}),
    ("time(3)", C.TIME, "TEXT", {"precision": 3}),
    ("timestamp", C.TIMESTAMP, "TEXT", {}),
    ("timestamp(6)", C.TIMESTAMP, "TEXT", {"precision": 6}),
    ("year", C.YEAR, "INTEGER", {}),
    ("year(4)", C.YEAR, "INTEGER", {"precision": None}),
    ("tinyblob", C.BYTES, "BLOB", {}),
    ("blob", C.BYTES, "BLOB", {}),
    ("mediumblob", C.BYTES, "BLOB", {}),
    ("longblob", C.BYTES, "BLOB", {}),
    ("LONGBLOB", C.BYTES, "BLOB", {}),
    ("tinytext", C.TEXT, "TEXT", {}),
    ("text", C.TEXT, "TEXT", {}),
    ("mediumtext", C.TEXT, "TEXT", {}),
    ("longtext", C.TEXT, "TEXT", {}),
]


@pytest.mark.parametrize(("declared", "category", "sqlite", "fields"), NATIVE_ROWS)
def test_native_type_passes_through_verbatim(
    declared: str, category: TypeCategory, sqlite: str, fields: dict[str, Any]
) -> None:
    parsed = parse_type(declared)
    assert (parsed.category, parsed.core, parsed.mysql, parsed.sqlite) == (
        category,
        False,
        declared,
        sqlite,
    )
    assert {key: getattr(parsed, key) for key in fields} == fields


def test_native_type_warning_names_the_type_and_the_attribute() -> None:
    parsed = parse_type("int unsigned")
    assert parsed.native_warning_for("n_spikes") == (
        "Native type 'int unsigned' is used in attribute 'n_spikes'. "
        "Consider using a core DataJoint type for better portability."
    )
    assert parsed.native_warning is not None
    assert parsed.native_warning.replace("{name}", "n_spikes") == parsed.native_warning_for(
        "n_spikes"
    )


def test_native_blob_warning_says_values_are_not_serialized() -> None:
    assert parse_type("longblob").native_warning_for("trace") == (
        "Native type 'longblob' is used in attribute 'trace'. It stores raw bytes only — values "
        "are not serialized on write or deserialized on read. Use '<blob>' to store arrays and "
        "other Python objects, or 'bytes' if raw binary is intended."
    )


# ---- codecs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "codec", "store"),
    [
        ("<blob>", "blob", None),
        ("<blob@>", "blob", ""),
        ("<blob@cold>", "blob", "cold"),
        ("<attach@store>", "attach", "store"),
        ("<hash@s>", "hash", "s"),
        ("<object@>", "object", ""),
        ("<npy@data>", "npy", "data"),
        ("<filepath@raw>", "filepath", "raw"),
        ("<my_codec>", "my_codec", None),
        ("< blob @ cold >", "blob", "cold"),
    ],
)
def test_codec_spec_gives_name_and_store(declared: str, codec: str, store: str | None) -> None:
    parsed = parse_type(declared)
    assert (parsed.category, parsed.core, parsed.codec, parsed.store) == (
        C.CODEC,
        True,
        codec,
        store,
    )
    assert (parsed.mysql, parsed.sqlite, parsed.declared) == ("", "", declared)
    assert parsed.is_blob is False  # decided by the codec layer


@pytest.mark.parametrize("declared", ["<@store>", "<a b>", "<a>b>", "< >"])
def test_codec_without_a_usable_name_is_unsupported(declared: str) -> None:
    with pytest.raises(DataJointError, match=r"^Unsupported attribute type .*invalid codec name"):
        parse_type(declared)


# ---- unsupported -----------------------------------------------------------------------------

UNSUPPORTED = [
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "tinyinteger",
    "int24",
    "int8 unsigned",
    "int16(3)",
    "float16",
    "boolean",
    "string",
    "varchar",
    "char",
    "varchar(10) binary",
    "double precision",
    "int zerofill",
    "int unsigned unsigned",
    "date(3)",
    "datetime( 3)",
    "datetime(3) extra",
    "blob(10)",
    "text(100)",
    "json(1)",
    "uuid(16)",
    "enum",
    "<>",
    "",
    "time with time zone",
    "nvarchar(10)",
]


@pytest.mark.parametrize("declared", UNSUPPORTED)
def test_unknown_type_is_unsupported(declared: str) -> None:
    with pytest.raises(DataJointError) as error:
        parse_type(declared)
    assert error.value.args[0] == f"Unsupported attribute type {declared}"


@pytest.mark.parametrize("declared", ["enum(a, b)", "enum('a',)", "enum('a' 'b')", "enum( )"])
def test_enum_values_must_be_quoted_strings(declared: str) -> None:
    with pytest.raises(DataJointError) as error:
        parse_type(declared)
    assert error.value.args[0] == (
        f"Unsupported attribute type {declared}: enum values must be quoted strings"
    )


# ---- ranges and blob-ness --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("int8", (-128, 127)),
        ("int16", (-32768, 32767)),
        ("int32", (-(2**31), 2**31 - 1)),
        ("int64", (-(2**63), 2**63 - 1)),
        ("bool", (0, 1)),
        ("tinyint unsigned", (0, 255)),
        ("smallint unsigned", (0, 65535)),
        ("mediumint", (-(2**23), 2**23 - 1)),
        ("mediumint unsigned", (0, 2**24 - 1)),
        ("INT(11) UNSIGNED", (0, 2**32 - 1)),
        ("integer", (-(2**31), 2**31 - 1)),
        ("bigint unsigned", (0, 2**64 - 1)),
        ("serial", (0, 2**64 - 1)),
        ("float32", None),
        ("decimal(5,2)", None),
        ("varchar(3)", None),
    ],
)
def test_int_range_is_the_inclusive_storable_range(
    declared: str, expected: tuple[int, int] | None
) -> None:
    assert parse_type(declared).int_range() == expected


@pytest.mark.parametrize(
    ("declared", "is_blob"),
    [
        ("bytes", True),
        ("longblob", True),
        ("tinyblob", True),
        ("blob", True),
        ("<blob>", False),
        ("json", False),
        ("longtext", False),
        ("enum('blob')", False),
        ("varchar(10)", False),
    ],
)
def test_is_blob_covers_bytes_and_native_blobs(declared: str, is_blob: bool) -> None:
    assert parse_type(declared).is_blob is is_blob


def test_attribute_type_is_immutable_and_comparable() -> None:
    assert parse_type("int16") == parse_type("int16")
    with pytest.raises(AttributeError):
        parse_type("int16").mysql = "int"  # type: ignore[misc]
    assert isinstance(parse_type("int16"), AttributeType)


# ---- differential: DataJoint's own type matching ---------------------------------------------

DJ_CATEGORY = {
    "FLOAT32": {C.FLOAT},
    "FLOAT64": {C.FLOAT},
    "INT64": {C.INTEGER},
    "INT32": {C.INTEGER},
    "INT16": {C.INTEGER},
    "INT8": {C.INTEGER},
    "BOOL": {C.BOOL},
    "UUID": {C.UUID},
    "JSON": {C.JSON},
    "BYTES": {C.BYTES},
    "DATE": {C.DATE},
    "DATETIME": {C.DATETIME},
    "CHAR": {C.STRING},
    "VARCHAR": {C.STRING},
    "ENUM": {C.ENUM},
    "DECIMAL": {C.DECIMAL},
    "INTEGER": {C.INTEGER},
    "NUMERIC": {C.DECIMAL},
    "FLOAT": {C.FLOAT},
    "STRING": {C.STRING},
    "TEMPORAL": {C.TIME, C.TIMESTAMP, C.YEAR},
    "NATIVE_BLOB": {C.BYTES},
    "NATIVE_TEXT": {C.TEXT},
    "CODEC": {C.CODEC},
}


# Where Joinery is stricter than DataJoint: DataJoint emits these into the DDL and the server
# rejects them later; Joinery says what is wrong at parse time.
STRICTER = {"ENUM": "enum values must be quoted strings", "CODEC": "invalid codec name"}


def _assert_agrees_with_datajoint(declared: str) -> None:
    try:
        dj_category = dj_declare.match_type(declared)
    except Exception:
        with pytest.raises(DataJointError, match=r"^Unsupported attribute type"):
            parse_type(declared)
        return
    try:
        parsed = parse_type(declared)
    except DataJointError as error:
        assert str(error).endswith(STRICTER[dj_category]), declared
        return
    assert parsed.category in DJ_CATEGORY[dj_category], declared
    assert parsed.core is (dj_category in dj_declare.SPECIAL_TYPES), declared


ALL_LISTED = (
    [row[0] for row in CORE_ROWS]
    + [row[0] for row in NATIVE_ROWS]
    + UNSUPPORTED
    + ["INT16", "Float32", "DATETIME(6)", "<blob@cold>", "<blob>", "<attach@>"]
)


@pytest.mark.parametrize("declared", ALL_LISTED)
def test_type_matching_agrees_with_datajoint(declared: str) -> None:
    _assert_agrees_with_datajoint(declared)


_KEYWORDS = [
    "int", "tinyint", "smallint", "mediumint", "bigint", "integer", "tinyinteger", "int8",
    "int16", "int24", "int32", "int64", "uint8", "serial", "bool", "decimal", "numeric", "dec",
    "fixed", "float", "double", "real", "float32", "float64", "char", "varchar", "date",
    "datetime", "time", "timestamp", "year", "blob", "tinyblob", "longblob", "text", "longtext",
    "json", "jsonb", "uuid", "bytes", "enum", "string",
]  # fmt: skip
_PARAMETERS = ["", "(3)", "(10,2)", "(10, 2)", " (5)", "( 5 )", "(x)", "()", "('a','b')"]
_SUFFIXES = ["", " unsigned", " auto_increment", " unsigned auto_increment", " zerofill"]
_SUFFIXES += [" unsigned zerofill", " UNSIGNED", "  unsigned", " signed", "x"]


@st.composite
def _type_texts(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(_KEYWORDS)) + draw(st.sampled_from(_PARAMETERS))
    text += draw(st.sampled_from(_SUFFIXES))
    upper = draw(st.booleans())
    return text.upper() if upper and "'" not in text else text


@settings(max_examples=200, deadline=None)
@given(_type_texts())
def test_generated_types_are_classified_like_datajoint(declared: str) -> None:
    _assert_agrees_with_datajoint(declared)


MYSQL = get_adapter("mysql")


@pytest.mark.parametrize(
    "declared", [row[0] for row in CORE_ROWS if row[0] not in {"jsonb", "varchar (12)"}]
)
def test_core_mysql_type_is_what_datajoint_emits(declared: str) -> None:
    if declared.startswith("datetime ("):
        assert parse_type(declared).mysql == declared
        return
    assert parse_type(declared).mysql == MYSQL.core_type_to_sql(declared)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def datajoint_log() -> Iterator[_Records]:
    handler = _Records()
    logger = logging.getLogger("datajoint")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


# DataJoint fails on core spellings its MySQL adapter does not expect (`varchar (12)`, `jsonb`).
@pytest.mark.parametrize(
    "declared",
    [row[0] for row in NATIVE_ROWS]
    + [row[0] for row in CORE_ROWS if row[0] not in {"jsonb", "varchar (12)"}],
)
def test_column_text_and_warning_match_datajoint(declared: str, datajoint_log: _Records) -> None:
    """DataJoint's column text reveals the emitted type and whether the comment gets ``:type:``."""
    _, column_sql, _, _ = dj_declare.compile_attribute(f"x : {declared}", False, [], {}, MYSQL)
    parsed = parse_type(declared)
    marker = f' COMMENT ":{declared}:"' if parsed.core else ""
    assert column_sql == f"`x` {parsed.mysql} NOT NULL{marker}"
    expected = [] if parsed.core else [parsed.native_warning_for("x")]
    assert datajoint_log.messages == expected

"""What a declared attribute type means: its category, its SQL column types, its parameters.

A definition line names a type in one of three ways (spec/engine.md §1.4): a *core* type
(portable, recorded in the column comment so it can be read back, §1.5), a *native* MySQL type
(passed through verbatim, with a portability warning), or a *codec* ``<name>`` / ``<name@>`` /
``<name@store>`` whose storage type is decided by the codec layer. Keywords are case-insensitive;
the declared text is kept verbatim because it is what lands in the column comment.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from pipelines.core.errors import DataJointError


class TypeCategory(enum.Enum):
    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOL = "bool"
    STRING = "string"
    ENUM = "enum"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    TIMESTAMP = "timestamp"
    YEAR = "year"
    JSON = "json"
    UUID = "uuid"
    BYTES = "bytes"
    TEXT = "text"
    CODEC = "codec"


_INTEGER_BITS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32}
_INTEGER_BITS |= {"bigint": 64, "serial": 64}

_PORTABILITY_ADVICE = "Consider using a core DataJoint type for better portability."
# Users migrating from 0.14 expect `longblob` to serialize objects; the generic advice would read
# as cosmetic, so raw blob columns get a warning that says what they really do.
_RAW_BLOB_ADVICE = (
    "It stores raw bytes only — values are not serialized on write or deserialized on read. "
    "Use '<blob>' to store arrays and other Python objects, or 'bytes' if raw binary is intended."
)


def _native_warning_text(declared: str, attribute: str, *, raw_blob: bool) -> str:
    advice = _RAW_BLOB_ADVICE if raw_blob else _PORTABILITY_ADVICE
    return f"Native type '{declared}' is used in attribute '{attribute}'. {advice}"


@dataclass(frozen=True)
class AttributeType:
    """A parsed attribute type. ``mysql`` and ``sqlite`` are empty for codecs (resolved later)."""

    declared: str
    category: TypeCategory
    core: bool
    mysql: str
    sqlite: str
    unsigned: bool = False
    autoincrement: bool = False
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum_values: tuple[str, ...] = ()
    codec: str | None = None
    store: str | None = None
    # For native types: the warning to log, with the attribute name left as the placeholder
    # "{name}" (the type alone does not know it); native_warning_for() fills it in.
    native_warning: str | None = None

    @property
    def is_blob(self) -> bool:
        return self.category is TypeCategory.BYTES

    def native_warning_for(self, attribute: str) -> str | None:
        """The exact warning to log when ``attribute`` is declared with this native type."""
        if self.native_warning is None:
            return None
        return _native_warning_text(self.declared, attribute, raw_blob=self.is_blob)

    def int_range(self) -> tuple[int, int] | None:
        """Inclusive range of storable values for integer and bool types, else None."""
        if self.category is TypeCategory.BOOL:
            return (0, 1)
        if self.category is not TypeCategory.INTEGER:
            return None
        keyword = re.match(r"[a-z]+", self.mysql.lower())
        bits = _INTEGER_BITS[keyword.group() if keyword else "int"]
        if self.unsigned:
            return (0, 2**bits - 1)
        return (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


# ---- core types ------------------------------------------------------------------------------

_CORE_PLAIN: dict[str, tuple[TypeCategory, str, str]] = {
    "int8": (TypeCategory.INTEGER, "tinyint", "INTEGER"),
    "int16": (TypeCategory.INTEGER, "smallint", "INTEGER"),
    "int32": (TypeCategory.INTEGER, "int", "INTEGER"),
    "int64": (TypeCategory.INTEGER, "bigint", "INTEGER"),
    "float32": (TypeCategory.FLOAT, "float", "REAL"),
    "float64": (TypeCategory.FLOAT, "double", "REAL"),
    "bool": (TypeCategory.BOOL, "tinyint", "INTEGER"),
    "uuid": (TypeCategory.UUID, "binary(16)", "BLOB"),
    "json": (TypeCategory.JSON, "json", "TEXT"),
    "jsonb": (TypeCategory.JSON, "json", "TEXT"),  # PostgreSQL spelling, accepted everywhere
    "bytes": (TypeCategory.BYTES, "longblob", "BLOB"),
    "date": (TypeCategory.DATE, "date", "TEXT"),
}


def _lower_keyword(text: str) -> str:
    """Lower-case the leading keyword only: enum values and the rest keep their spelling."""
    keyword = re.match(r"[A-Za-z]+", text)
    end = keyword.end() if keyword else 0
    return text[:end].lower() + text[end:]


def _core_plain(text: str) -> AttributeType | None:
    entry = _CORE_PLAIN.get(text.lower())
    if entry is None:
        return None
    category, mysql, sqlite = entry
    return AttributeType(text, category, True, mysql, sqlite)


def _core_datetime(m: re.Match[str], text: str) -> AttributeType:
    digits = m.group(1)
    precision = int(digits) if digits is not None else None
    mysql = _lower_keyword(text)
    return AttributeType(text, TypeCategory.DATETIME, True, mysql, "TEXT", precision=precision)


def _core_char(m: re.Match[str], text: str) -> AttributeType:
    return AttributeType(
        text, TypeCategory.STRING, True, _lower_keyword(text), "TEXT", length=int(m.group(1))
    )


def _core_decimal(m: re.Match[str], text: str) -> AttributeType:
    precision, scale = int(m.group(1)), int(m.group(2))
    mysql = _lower_keyword(text)
    return AttributeType(
        text, TypeCategory.DECIMAL, True, mysql, "NUMERIC", precision=precision, scale=scale
    )


_ENUM_ITEM = re.compile(r"""\s*(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)")\s*(,|$)""")


def _enum_values(inner: str) -> tuple[str, ...] | None:
    """The quoted values of an enum body (SQL doubled quotes undone), or None if malformed."""
    values: list[str] = []
    pos = 0
    while pos < len(inner):
        m = _ENUM_ITEM.match(inner, pos)
        if m is None:
            return None
        single, double, separator = m.groups()
        values.append(
            single.replace("''", "'") if single is not None else double.replace('""', '"')
        )
        pos = m.end()
        if separator == "," and pos == len(inner):
            return None  # a trailing comma
    return tuple(values) or None


def _core_enum(m: re.Match[str], text: str) -> AttributeType:
    values = _enum_values(m.group(1))
    if values is None:
        raise DataJointError(
            f"Unsupported attribute type {text}: enum values must be quoted strings"
        )
    mysql = _lower_keyword(text)
    return AttributeType(text, TypeCategory.ENUM, True, mysql, "TEXT", enum_values=values)


# ---- native types ----------------------------------------------------------------------------


def _numbers(params: str | None) -> tuple[int, ...]:
    """Integer parameters of ``(m, d)``; empty when absent or not plain numbers."""
    if params is None:
        return ()
    parts = [part.strip() for part in params.split(",")]
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()


def _native(
    text: str,
    category: TypeCategory,
    sqlite: str,
    *,
    unsigned: bool = False,
    autoincrement: bool = False,
    length: int | None = None,
    precision_scale: tuple[int, ...] = (),
) -> AttributeType:
    raw_blob = category is TypeCategory.BYTES
    return AttributeType(
        declared=text,
        category=category,
        core=False,
        mysql=text,  # native types reach the DDL exactly as written
        sqlite=sqlite,
        unsigned=unsigned,
        autoincrement=autoincrement,
        length=length,
        precision=precision_scale[0] if precision_scale else None,
        scale=precision_scale[1] if len(precision_scale) > 1 else None,
        native_warning=_native_warning_text(text, "{name}", raw_blob=raw_blob),
    )


def _native_integer(m: re.Match[str], text: str) -> AttributeType:
    if text.lower() == "serial":  # MySQL's alias of bigint unsigned auto_increment
        return _native(text, TypeCategory.INTEGER, "INTEGER", unsigned=True, autoincrement=True)
    unsigned, autoincrement = m.group("unsigned") is not None, m.group("auto") is not None
    return _native(
        text, TypeCategory.INTEGER, "INTEGER", unsigned=unsigned, autoincrement=autoincrement
    )


def _native_decimal(m: re.Match[str], text: str) -> AttributeType:
    numbers = _numbers(m.group("params"))
    unsigned = m.group("unsigned") is not None
    return _native(
        text, TypeCategory.DECIMAL, "NUMERIC", unsigned=unsigned, precision_scale=numbers
    )


def _native_float(m: re.Match[str], text: str) -> AttributeType:
    numbers = _numbers(m.group("params"))
    unsigned = m.group("unsigned") is not None
    return _native(text, TypeCategory.FLOAT, "REAL", unsigned=unsigned, precision_scale=numbers)


def _native_char(m: re.Match[str], text: str) -> AttributeType:
    numbers = _numbers(m.group("params"))
    length = numbers[0] if len(numbers) == 1 else None
    return _native(text, TypeCategory.STRING, "TEXT", length=length)


def _native_temporal(m: re.Match[str], text: str) -> AttributeType:
    keyword = m.group("keyword").lower()
    if keyword == "year":  # the parameter of year is a display width, not a precision
        return _native(text, TypeCategory.YEAR, "INTEGER")
    numbers = _numbers(m.group("params"))
    category = TypeCategory.TIME if keyword == "time" else TypeCategory.TIMESTAMP
    return _native(text, category, "TEXT", precision_scale=numbers[:1])


def _native_blob(m: re.Match[str], text: str) -> AttributeType:
    return _native(text, TypeCategory.BYTES, "BLOB")


def _native_text(m: re.Match[str], text: str) -> AttributeType:
    return _native(text, TypeCategory.TEXT, "TEXT")


def _codec(m: re.Match[str], text: str) -> AttributeType:
    name, at, store = m.group(1).partition("@")
    name = name.strip()
    if not name or re.search(r"[<>@\s]", name):
        raise DataJointError(f"Unsupported attribute type {text}: invalid codec name")
    return AttributeType(
        text, TypeCategory.CODEC, True, "", "", codec=name, store=store.strip() if at else None
    )


_Builder = Callable[[re.Match[str], str], AttributeType]
_PARAMS = r"(?:\s*\((?P<params>.+)\))?"

# Tried in order, each against the whole text. Core spellings come first: `decimal(p,s)` and
# `char(n)` would otherwise be taken by the wider native patterns.
_RULES: tuple[tuple[re.Pattern[str], _Builder], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), builder)
    for pattern, builder in (
        (r"datetime(?:\s*\((\d+)\))?", _core_datetime),
        (r"(?:var)?char\s*\((\d+)\)", _core_char),
        (r"enum\s*\((.+)\)", _core_enum),
        (r"decimal\s*\((\d+)\s*,\s*(\d+)\)", _core_decimal),
        (
            r"(?:(?:tiny|small|medium|big)?int|integer)"
            + _PARAMS
            + r"(?P<unsigned>\s+unsigned)?(?P<auto>\s+auto_increment)?|serial",
            _native_integer,
        ),
        (
            r"(?:decimal|numeric|dec|fixed)"
            + _PARAMS
            + r"(?P<unsigned>\s+unsigned)?(?:\s+zerofill)?",
            _native_decimal,
        ),
        (r"(?:double|float|real)" + _PARAMS + r"(?P<unsigned>\s+unsigned)?", _native_float),
        (r"(?:var)?char\s*\((?P<params>.+)\)", _native_char),
        (r"(?P<keyword>timestamp|time|year)" + _PARAMS, _native_temporal),
        (r"(?:tiny|small|medium|long)?blob", _native_blob),
        (r"(?:tiny|small|medium|long)?text", _native_text),
        (r"<(.+)>", _codec),
    )
)


def parse_type(text: str) -> AttributeType:
    """Parse a declared type; raise ``DataJointError("Unsupported attribute type …")`` if unknown.

    The whole text must match: a near miss such as ``int24`` or ``tinyinteger`` is an error here,
    not a confusing SQL error from the server later.
    """
    text = text.strip()
    plain = _core_plain(text)
    if plain is not None:
        return plain
    for pattern, build in _RULES:
        match = pattern.fullmatch(text)
        if match is not None:
            return build(match, text)
    raise DataJointError(f"Unsupported attribute type {text}")


__all__ = ["AttributeType", "TypeCategory", "parse_type"]

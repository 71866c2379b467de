"""Headings: the attributes of a table or query result, with DataJoint's Attribute fields.

A heading is built from introspected columns (``ColumnInfo``). The ``:type:`` prefix of a column
comment restores the declared core type or codec (the round-trip contract shared with DataJoint).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..codecs import Codec, CodecChain, get_codec, resolve_chain
from ..errors import DataJointError

_COMMENT_TYPE = re.compile(r"^:([^:]+):(.*)$", re.DOTALL)
_INTEGER = re.compile(r"^(tiny|small|medium|big)?int(eger)?\b", re.I)
_FLOAT = re.compile(r"^(float|double|real)\b", re.I)
_DECIMAL = re.compile(r"^(decimal|numeric|dec|fixed)\b", re.I)
_STRING = re.compile(r"^(var)?char\b|^enum\b|^(tiny|medium|long)?text\b", re.I)
_BLOB = re.compile(r"^(tiny|medium|long)?blob$|^bytea$", re.I)
_SQL_LITERALS = {"CURRENT_TIMESTAMP", "NULL"}


@dataclass(frozen=True)
class ColumnInfo:
    """One column as the catalog reports it (SQL type in MySQL terms, on every backend)."""

    name: str
    sql_type: str
    nullable: bool
    default: str | None
    comment: str
    in_key: bool
    autoincrement: bool = False


@dataclass(frozen=True)
class Attribute:
    """One attribute, with DataJoint's field names and order (then Joinery's additions)."""

    name: str
    type: str
    original_type: str | None
    in_key: bool
    nullable: bool
    default: str | None
    comment: str
    autoincrement: bool
    numeric: bool
    string: bool
    uuid: bool
    json: bool
    is_blob: bool
    is_hidden: bool
    codec: Codec | None
    store: str | None
    unsupported: bool
    attribute_expression: str | None
    dtype: Any
    lineage: str | None
    #: The codec chain for codec attributes (resolved lazily on first use; None when plain).
    chain: CodecChain | None = field(default=None, compare=False, repr=False)
    #: The SQL type that decides value conversion (a codec's final stored type).
    storage_type: str = ""

    def replace(self, **changes: Any) -> Attribute:
        for name in changes:
            if name not in _FIELD_NAMES:
                raise TypeError(f"Attribute has no field {name!r}")
        copy = object.__new__(Attribute)  # a frozen dataclass: copy its fields directly (fast)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    def as_nullable(self) -> Attribute:
        """The attribute where some rows may have no value (outer joins, unions)."""
        if self.nullable:
            return self
        dtype = self.dtype if self.dtype is not np.int64 else object
        return self.replace(nullable=True, dtype=dtype)

    def _replace(self, **changes: Any) -> Attribute:  # namedtuple spelling, kept for DataJoint code
        return self.replace(**changes)

    @property
    def sql_expression(self) -> str | None:
        return self.attribute_expression

    @functools.cached_property
    def is_date(self) -> bool:
        return self.storage_type.lower() == "date"

    @functools.cached_property
    def is_datetime(self) -> bool:
        return self.storage_type.lower().startswith(("datetime", "timestamp"))

    @functools.cached_property
    def is_decimal(self) -> bool:
        return bool(_DECIMAL.match(self.storage_type))

    @functools.cached_property
    def is_integer(self) -> bool:
        return bool(_INTEGER.match(self.storage_type))

    @functools.cached_property
    def is_float(self) -> bool:
        return bool(_FLOAT.match(self.storage_type))


_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Attribute))


def attribute_from_column(column: ColumnInfo, lineage: str | None) -> Attribute:
    """Recover an attribute's declared type and comment from its column."""
    original_type: str | None = None
    comment = column.comment or ""
    match = _COMMENT_TYPE.match(comment)
    if match:
        original_type, comment = match.group(1), match.group(2)
        if original_type.startswith("external"):
            raise DataJointError(
                f"Legacy datatype `{original_type}` of attribute `{column.name}`: "
                "see the migration guide to convert it to a codec."
            )
    codec: Codec | None = None
    store: str | None = None
    display_type = column.sql_type
    if original_type and original_type.startswith("<"):
        codec, store, display_type = _codec_parts(original_type)
        original_type = None  # the codec spec is the attribute's type
    sql_type = column.sql_type
    is_uuid = original_type == "uuid"
    is_json = original_type in ("json", "jsonb") or sql_type.lower() == "json"
    is_blob = bool(_BLOB.match(sql_type)) and not is_uuid
    numeric = bool(_INTEGER.match(sql_type) or _FLOAT.match(sql_type) or _DECIMAL.match(sql_type))
    string = bool(_STRING.match(sql_type)) and not is_json
    default = _display_default(column, string)
    dtype: Any = object
    plain_number = numeric and codec is None and not _DECIMAL.match(sql_type)
    if plain_number and (_FLOAT.match(sql_type) or not column.nullable):
        dtype = np.float64 if _FLOAT.match(sql_type) else np.int64
    return Attribute(
        name=column.name,
        type=display_type,
        original_type=original_type,
        in_key=column.in_key,
        nullable=column.nullable,
        default=default,
        comment=comment,
        autoincrement=column.autoincrement,
        numeric=numeric and codec is None,
        string=string and codec is None,
        uuid=is_uuid,
        json=is_json,
        is_blob=is_blob,
        is_hidden=column.name.startswith("_"),
        codec=codec,
        store=store,
        unsupported=False,
        attribute_expression=None,
        dtype=dtype,
        lineage=lineage,
        storage_type=sql_type,
    )


def _codec_parts(spec: str) -> tuple[Codec | None, str | None, str]:
    name, _, store = spec[1:-1].partition("@")
    try:
        codec: Codec | None = get_codec(name)
    except DataJointError:
        codec = None  # an unregistered codec fails on first use, not when the heading loads
    return codec, (store if "@" in spec else None), spec


def _display_default(column: ColumnInfo, string: bool) -> str | None:
    if column.nullable:
        return "null"
    default = column.default
    if default is None:
        return None
    if string and default.upper() not in _SQL_LITERALS:
        return f'"{default}"'
    return default


def codec_chain(attribute: Attribute) -> CodecChain:
    """The codec chain of a codec attribute; raises the unknown-codec error on first use."""
    if attribute.chain is not None:
        return attribute.chain
    return resolve_chain(attribute.type)


class Heading:
    """An ordered set of attributes with the primary key first."""

    def __init__(self, attributes: Iterable[Attribute], *, table_comment: str = "") -> None:
        self._all: dict[str, Attribute] = {}
        self.attributes: dict[str, Attribute] = {}
        key: list[str] = []
        secondary: list[str] = []
        for attribute in attributes:
            name = attribute.name
            self._all[name] = attribute
            if not attribute.is_hidden:
                self.attributes[name] = attribute
                (key if attribute.in_key else secondary).append(name)
        self.table_comment = table_comment
        self.indexes: dict[tuple[str, ...], dict[str, bool]] = {}
        # A heading never changes: its name lists are computed once.
        self._names = tuple(self.attributes)
        self._key = tuple(key)
        self._secondary = tuple(secondary)
        #: What of the heading the SQL text depends on (the query-shape cache keys on it).
        self.signature = (self._names, self._key)

    @classmethod
    def from_columns(
        cls, columns: Iterable[ColumnInfo], lineage: Mapping[str, str], *, table_comment: str = ""
    ) -> Heading:
        return cls(
            (attribute_from_column(c, lineage.get(c.name)) for c in columns),
            table_comment=table_comment,
        )

    # --- the DataJoint heading API -------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self._names)

    @property
    def primary_key(self) -> list[str]:
        return list(self._key)

    @property
    def secondary_attributes(self) -> list[str]:
        return list(self._secondary)

    @property
    def blobs(self) -> list[str]:
        return [n for n, a in self.attributes.items() if a.is_blob or a.codec is not None]

    @property
    def non_blobs(self) -> list[str]:
        blobs = set(self.blobs)
        return [n for n in self.attributes if n not in blobs and not self.attributes[n].json]

    @property
    def has_autoincrement(self) -> bool:
        return any(a.autoincrement for a in self.attributes.values())

    @property
    def hidden_attributes(self) -> dict[str, Attribute]:
        return {n: a for n, a in self._all.items() if a.is_hidden}

    @property
    def all_attributes(self) -> dict[str, Attribute]:
        return dict(self._all)

    @property
    def as_dtype(self) -> np.dtype[Any]:
        return np.dtype({"names": self.names, "formats": [a.dtype for a in self]})

    def __getitem__(self, name: str) -> Attribute:
        return self.attributes[name]

    def __contains__(self, name: object) -> bool:
        return name in self.attributes

    def __iter__(self) -> Iterator[Attribute]:
        return iter(self.attributes.values())

    def __len__(self) -> int:
        return len(self.attributes)

    def __bool__(self) -> bool:
        return bool(self.attributes)

    def __repr__(self) -> str:
        lines = [f"# {self.table_comment}"] if self.table_comment else []
        in_key = True
        for attribute in self:
            if in_key and not attribute.in_key:
                lines.append("---")
                in_key = False
            comment = f" # {attribute.comment}" if attribute.comment else ""
            lines.append(f"{attribute.name:<20} : {attribute.type:<28}{comment}")
        if in_key:
            lines.append("---")
        return "\n".join(lines) + "\n"

    # --- derivations used by the algebra -------------------------------------------------------
    def select(self, names: Iterable[str]) -> Heading:
        """A heading of the named attributes, in the given order."""
        return Heading((self.attributes[n] for n in names), table_comment=self.table_comment)

    def with_primary_key(self, key: Iterable[str]) -> Heading:
        keep = list(key)
        ordered = [self.attributes[n].replace(in_key=True) for n in keep]
        rest = [a.replace(in_key=False) for n, a in self.attributes.items() if n not in keep]
        return Heading(ordered + rest, table_comment=self.table_comment)

"""Check rows for an insert and report every problem of every row, writing nothing.

``Table.insert`` is all-or-nothing and stops at the first bad value. A data-entry form or an
upload needs the whole list instead: for each row, the attributes the table does not have, the
required values missing, the values an attribute cannot hold (insert's own encoders decide, so
what passes here is what insert accepts), a key given twice in the batch or already in the
table, and references to parent rows that do not exist (asked of the database: see
``db.row_lookups``). Codec values are checked by the codec's ``validate`` only: encoding may
write to an object store.

Two keys the database considers equal but Python does not (``'abc'`` and ``'ABC'`` under a
case-insensitive collation) inside one batch are left to the insert, which refuses the batch.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..db.insert import column_already_valid
from ..db.row_lookups import IndexedValues, existing_keys, missing_parents
from ..errors import DataJointError
from ..query.heading import Attribute, Heading, codec_chain
from ..query.values import cached_encoder
from .table import Table

#: The errors of one row: attribute name -> reason (``"*"`` for the row as a whole).
RowErrors = dict[str, str]
ROW = "*"


@dataclass(frozen=True)
class RowReport:
    """The outcome of ``validate_rows``: rows checked and, per bad row (0-based), its errors."""

    count: int
    errors: dict[int, RowErrors] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def __bool__(self) -> bool:
        return self.is_valid


def validate_rows(table: Table, rows: Sequence[Any], *, check_database: bool = True) -> RowReport:
    """Every problem an insert of ``rows`` (mappings) into ``table`` would meet.

    ``check_database=False`` skips the questions to the database (existing keys, missing
    parents), leaving the checks of the values alone.
    """
    heading = table.heading
    textual = not table.connection.dialect.has_column_comments
    errors: dict[int, RowErrors] = {}
    mappings: list[int] = []
    names = set(heading.names)
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[index] = {ROW: "A row is a mapping of attribute names to values."}
            continue
        mappings.append(index)
        for name in row:
            if name not in names:
                errors.setdefault(index, {})[str(name)] = "The table has no such attribute."
    encoded: dict[int, dict[str, Any]] = {index: {} for index in mappings}
    for attribute in heading:
        name = attribute.name
        values = [rows[index].get(name) for index in mappings]
        problems, column = _column(attribute, values, textual)
        for position, problem in problems.items():
            errors.setdefault(mappings[position], {})[name] = problem
        for index, value in zip(mappings, column, strict=True):
            encoded[index][name] = value
    _repeated_keys(heading, encoded, errors)
    if check_database and encoded:
        _database_checks(table, encoded, errors)
    return RowReport(len(rows), dict(sorted(errors.items())))


def value_errors(table: Table, values: Mapping[str, Any]) -> RowErrors:
    """The problems of ``values`` for some of ``table``'s attributes (an update's new values):
    unknown attributes, values an attribute cannot hold, and NULL where the attribute has
    neither a default nor NULL allowed."""
    heading = table.heading
    textual = not table.connection.dialect.has_column_comments
    errors: RowErrors = {}
    for name, value in values.items():
        if name not in heading.names:
            errors[str(name)] = "The table has no such attribute."
            continue
        problems, _ = _column(heading[name], [value], textual)
        if problems:
            errors[name] = problems[0]
    return errors


# --- values ---------------------------------------------------------------------------------------
REQUIRED = "A value is required: the attribute has no default and cannot be NULL."


def _column(
    attribute: Attribute, values: list[Any], textual: bool
) -> tuple[dict[int, str], list[Any]]:
    """The problems of one attribute's values (by position) and the values as insert sends
    them; None stands for the default, and for a bad value (which then takes part in no key
    or reference check)."""
    if attribute.codec is not None or attribute.type.startswith("<"):
        return _codec_column(attribute, values)
    required = _required(attribute)
    if _plain_column(attribute, values, required, textual):
        return {}, values
    encode = cached_encoder(attribute, textual)
    problems: dict[int, str] = {}
    encoded: list[Any] = []
    for position, value in enumerate(values):
        item = None
        if value is not None:
            try:
                item = encode(value)
            except DataJointError as error:
                problems[position] = str(error.args[0])
                encoded.append(None)
                continue
        if item is None and required:
            problems[position] = REQUIRED
        encoded.append(item)
    return problems, encoded


def _codec_column(attribute: Attribute, values: list[Any]) -> tuple[dict[int, str], list[Any]]:
    problems: dict[int, str] = {}
    validate = None
    required = _required(attribute)
    for position, value in enumerate(values):
        if value is None:
            if required:
                problems[position] = REQUIRED
            continue
        try:
            validate = validate or codec_chain(attribute).codecs[0].validate
            validate(value)
        except (DataJointError, TypeError, ValueError) as error:
            problems[position] = str(error)
    return problems, [None if p in problems else v for p, v in enumerate(values)]


def _plain_column(attribute: Attribute, values: list[Any], required: bool, textual: bool) -> bool:
    """True when every value is already what insert sends (insert's own fast check, with
    NULLs allowed where the attribute may be NULL)."""
    if not values or (required and None in values):
        return False
    present = [v for v in values if v is not None]
    return not present or column_already_valid(attribute, present, textual)


def _required(attribute: Attribute) -> bool:
    return not attribute.nullable and attribute.default is None and not attribute.autoincrement


# --- keys and references --------------------------------------------------------------------------
def _repeated_keys(
    heading: Heading, encoded: dict[int, dict[str, Any]], errors: dict[int, RowErrors]
) -> None:
    """A key given again later in the batch: the later rows are the bad ones."""
    key = heading.primary_key
    first: dict[tuple[Any, ...], int] = {}
    for index, values in list(encoded.items()):
        identity = _identity([(heading[name], values[name]) for name in key])
        if identity is None:
            continue
        earlier = first.setdefault(identity, index)
        if earlier != index:
            _add(errors, index, key, f"The key repeats row {earlier}'s.")


def _identity(values: list[tuple[Attribute, Any]]) -> tuple[Any, ...] | None:
    """The key as Python compares it (decimals by value: insert sends them as text); None when
    a value is left to the database (an auto-increment key)."""
    if any(v is None for _, v in values):
        return None
    return tuple(decimal.Decimal(v) if a.is_decimal else v for a, v in values)


def _database_checks(
    table: Table, encoded: dict[int, dict[str, Any]], errors: dict[int, RowErrors]
) -> None:
    conn, database = table._bound()
    _, info = table._load()
    key = table.heading.primary_key
    keyed = _indexed(encoded, key)
    if key and keyed:
        for index in existing_keys(conn, database, table.table_name, key, keyed):
            _add(errors, index, key, "The table already has this key.")
    for foreign_key in info.foreign_keys:
        columns = list(foreign_key.columns)
        parent = f"`{foreign_key.parent_database}`.`{foreign_key.parent_table}`"
        reason = f"No row of {parent} has these values ({', '.join(columns)})."
        for index in missing_parents(conn, foreign_key, _indexed(encoded, columns)):
            _add(errors, index, columns, reason)


def _add(errors: dict[int, RowErrors], index: int, names: list[str], reason: str) -> None:
    """Report ``reason`` for ``names`` of a row, keeping what was found about them before."""
    found = errors.setdefault(index, {})
    for name in names:
        found.setdefault(name, reason)


def _indexed(encoded: dict[int, dict[str, Any]], names: list[str]) -> list[IndexedValues]:
    """Each row's values of ``names``, rows with a NULL among them (no value, or a bad one)
    left out."""
    result = []
    for index, values in encoded.items():
        picked = tuple(values.get(name) for name in names)
        if None not in picked:
            result.append((index, picked))
    return result

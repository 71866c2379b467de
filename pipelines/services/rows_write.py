"""Entering rows: insert a batch (all or nothing, every bad row reported), correct one row,
set one row's file. Every write is audited with the rows it touched."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipelines.core.blob import DJ0_HEADER, MYM_HEADER, ZLIB_PREFIX, unpack
from pipelines.core.schema.validate_rows import validate_rows, value_errors
from pipelines.services.audit import audit_record
from pipelines.services.errors import Invalid
from pipelines.services.row_audit import data_write, keys_payload
from pipelines.services.row_tables import RowTable, check_entry, key_of, key_out, one_row
from pipelines.services.rows_read import browsed, rows_out
from pipelines.services.values import (
    ENTRY_FILE,
    FileValue,
    ValueRefused,
    engine_files,
    safe_filename,
    value_in,
)

#: Rows in one insert request or upload.
MAX_ROWS = 50_000


class RowsInvalid(Invalid):
    """Some rows cannot be inserted; ``details["rows"]`` lists each with its errors."""

    code = "invalid_rows"


@dataclass(frozen=True)
class InsertReport:
    count: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    inserted: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors


def rows_insert(
    *,
    actor: Any,
    target: RowTable,
    rows: Any,
    dry_run: bool = False,
    source: str = "json",
    refused: dict[int, dict[str, str]] | None = None,
) -> InsertReport:
    """Insert ``rows`` (JSON objects) into ``target``, all or nothing.

    Every row is checked first; if any is bad, nothing is written and ``RowsInvalid`` lists
    every bad row with the reason per attribute (``dry_run`` returns that report instead, and
    never writes). ``refused``: problems the caller found already (cells of a file).
    """
    check_entry(target, "insert")
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
        raise Invalid(f"rows: a list of 1 to {MAX_ROWS} rows.")
    converted, errors = _converted(target, rows)
    for index, found in (refused or {}).items():
        errors[index] = {**errors.get(index, {}), **found}
    with _engine_values(target, converted) as engine_rows:
        report = validate_rows(target.table, engine_rows)
        for index, found in report.errors.items():
            errors[index] = {**found, **errors.get(index, {})}
        listed = [{"index": i, "errors": errors[i]} for i in sorted(errors)]
        if listed and not dry_run:
            raise RowsInvalid(
                f"{len(listed)} of {len(rows)} rows cannot be inserted; nothing was written.",
                details={"rows": listed},
            )
        if dry_run:
            return InsertReport(len(rows), listed)
        with data_write():
            target.table.insert(_uniform(engine_rows))
            key = target.heading.primary_key
            audit_record(
                actor=actor, pipeline=target.pipeline, action="rows.insert", target=target.label,
                payload={"source": source, **keys_payload(
                    ({k: row.get(k) for k in key} for row in engine_rows), len(engine_rows)
                )},
            )  # fmt: skip
    return InsertReport(len(rows), inserted=len(rows))


def _converted(target: RowTable, rows: list[Any]) -> tuple[list[Any], dict[int, dict[str, str]]]:
    """JSON values -> the engine's (file objects stay ``FileValue``); refusals per row."""
    kinds = target.kinds
    errors: dict[int, dict[str, str]] = {}
    result: list[Any] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            result.append(row)  # validate_rows reports it
            continue
        values = {}
        for name, value in row.items():
            kind = kinds.get(name)
            if (
                value is None
                or kind is None
                or (kind.scalar and not isinstance(value, dict | list))
            ):
                values[name] = value  # the common case, decided here at little cost
                continue
            try:
                values[name] = value_in(kind, value)
            except ValueRefused as refused:
                errors.setdefault(index, {})[name] = str(refused)
                values[name] = None
        result.append(values)
    return result, errors


@contextlib.contextmanager
def _engine_values(target: RowTable, rows: list[Any]) -> Iterator[list[Any]]:
    """The rows with file objects turned into what the engine takes (attachments become
    scratch files for the duration of the block)."""
    file_kinds = {name: kind for name, kind in target.kinds.items() if kind.entry == ENTRY_FILE}
    with contextlib.ExitStack() as stack:
        if file_kinds:
            rows = [dict(row) if isinstance(row, dict) else row for row in rows]
        for name, kind in file_kinds.items():
            places = [r for r in rows if isinstance(r, dict) and isinstance(r.get(name), FileValue)]
            if places:
                files = stack.enter_context(engine_files(kind, [r[name] for r in places]))
                for row, value in zip(places, files, strict=True):
                    row[name] = value
        yield rows


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with the same attributes (an insert fixes them by its first row); a missing
    one is None, which the engine reads as the attribute's default."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    return [{name: row.get(name) for name in names} for row in rows]


# --- correct one row ------------------------------------------------------------------------------
def row_update(*, actor: Any, target: RowTable, key: Any, values: Any) -> dict[str, Any]:
    """Set secondary attributes of the row ``key``; returns the row as it is now."""
    check_entry(target, "update")
    key = key_of(target, key)
    if not isinstance(values, dict) or not values:
        raise Invalid("values: an object of the secondary attributes to change.")
    in_key = [name for name in values if name in key]
    if in_key:
        raise Invalid(
            f"Key attributes cannot be changed ({', '.join(in_key)}): delete the row and "
            "insert it again.",
            details={"attributes": in_key},
        )
    converted, refused = _converted(target, [values])
    with _engine_values(target, converted) as (new,):
        errors = {**value_errors(target.table, new), **refused.get(0, {})}
        if errors:
            raise Invalid("The row was not changed.", details={"errors": errors})
        _set(actor, target, key, new, action="row.update")
    return rows_out(target, [browsed(target, one_row(target, key)).fetch1()])[0]


def row_file_set(
    *, actor: Any, target: RowTable, key: Any, attribute: str, filename: str, data: bytes
) -> None:
    """Store an uploaded file in one row's bytes-like attribute. A ``<blob>`` takes a file in
    DataJoint's blob format (what the download gives)."""
    check_entry(target, "update")
    key = key_of(target, key)
    kind = target.kinds.get(attribute)
    if kind is None or attribute in key:
        raise Invalid(f"The table has no secondary attribute {attribute!r}.")
    value: Any
    if kind.name == "blob":
        try:
            if not data.startswith((ZLIB_PREFIX, MYM_HEADER, DJ0_HEADER)):
                raise ValueError("no blob header")
            value = unpack(data)
        except Exception:
            raise Invalid(f"The file is not a DataJoint blob, as {attribute!r} needs.") from None
    elif kind.entry == ENTRY_FILE:
        try:
            value = FileValue(data, safe_filename(filename))
        except ValueRefused as refused:
            raise Invalid(str(refused)) from None
    else:
        raise Invalid(f"{attribute!r} ({kind.name}) does not hold files.")
    with _engine_values(target, [{attribute: value}]) as (new,):
        errors = value_errors(target.table, new)
        if errors:
            raise Invalid("The row was not changed.", details={"errors": errors})
        _set(actor, target, key, new, action="row.file", file={"filename": filename})


def _set(
    actor: Any,
    target: RowTable,
    key: dict[str, Any],
    new: dict[str, Any],
    *,
    action: str,
    file: dict[str, Any] | None = None,
) -> None:
    found = one_row(target, key)
    before = rows_out(target, [browsed(target, found).fetch1()])[0]
    with data_write():
        target.table.update1({**key, **new})
        after = rows_out(target, [browsed(target, found).fetch1()])[0]
        audit_record(
            actor=actor, pipeline=target.pipeline, action=action, target=target.label,
            payload={
                "key": key_out(key),
                "before": {name: before[name] for name in new},
                "after": {name: after[name] for name in new},
                **(file or {}),
            },
        )  # fmt: skip

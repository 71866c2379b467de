"""INSERT for a batch of rows: validate and encode every value first, then one transaction.

Nothing is written unless every row is valid; a server-side failure rolls the whole batch back.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DataJointError, DuplicateError, IntegrityError, MissingAttributeError
from ..query.heading import Attribute, Heading, codec_chain
from ..query.values import encoder_for, integer_range
from . import load_data
from .catalog import ForeignKeyInfo
from .connection import Connection


@dataclass(frozen=True)
class InsertTarget:
    database: str
    table_name: str
    heading: Heading  # all attributes, hidden ones included where insertable
    foreign_keys: tuple[ForeignKeyInfo, ...] = ()

    @property
    def display_name(self) -> str:
        return f"`{self.database}`.`{self.table_name}`"


def encode_columns(
    conn: Connection, target: InsertTarget, fields: list[str], columns: list[list[Any]]
) -> list[list[Any]]:
    """Validate and encode every value, column by column; errors name the row and attribute."""
    heading = target.heading
    _check_required(target, fields)
    encoded = list(columns)
    for position, name in enumerate(fields):
        attribute = heading.all_attributes[name]
        values = columns[position]
        if attribute.codec is not None or attribute.type.startswith("<"):
            values = _codec_encode(
                conn, target, attribute, values, _key_columns(target, fields, columns)
            )
        encoded[position] = _encode_column(conn, target, attribute, values)
    return encoded


def _key_columns(
    target: InsertTarget, fields: list[str], columns: list[list[Any]]
) -> dict[str, list[Any]]:
    """The row values of the primary key, as given (codecs build store paths from them)."""
    position = {name: i for i, name in enumerate(fields)}
    return {k: columns[position[k]] for k in target.heading.primary_key if k in position}


def _check_required(target: InsertTarget, fields: list[str]) -> None:
    heading = target.heading
    required: tuple[str, ...] | None = heading.__dict__.get("_required")
    if required is None:  # headings never change: found once per heading
        required = tuple(a.name for a in heading.all_attributes.values() if _required(a))
        heading.__dict__["_required"] = required
    missing = [name for name in required if name not in fields]
    if missing:
        raise MissingAttributeError(
            f"Missing value for attribute{'s' if len(missing) > 1 else ''} "
            f"{', '.join(f'`{m}`' for m in missing)} of {target.display_name}: "
            "it has no default and is not nullable."
        )


def _required(attribute: Attribute) -> bool:
    return not attribute.nullable and attribute.default is None and not attribute.autoincrement


def _encode_column(
    conn: Connection, target: InsertTarget, attribute: Attribute, values: list[Any]
) -> list[Any]:
    textual = not conn.dialect.has_column_comments
    if attribute.codec is not None or attribute.type.startswith("<"):
        attribute = _storage_view(attribute)
    elif column_already_valid(attribute, values, textual):
        return values
    encode = encoder_for(attribute, textual_temporal=textual)
    encoded = []
    for number, value in enumerate(values, start=1):
        try:
            item = encode(value)
        except DataJointError as error:
            raise DataJointError(
                f"{error.args[0]} (row {number} of the insert into {target.display_name})"
            ) from None
        if item is None:
            item = _default_for(attribute, target, number)
        elif type(item) is bytes:
            item = conn.bytes_parameter(item)
        encoded.append(item)
    return encoded


def _storage_view(attribute: Attribute) -> Attribute:
    """A codec column holds the chain's final type: check and convert values as that type.

    The JSON flag comes from the chain, not the column: MariaDB reports a ``json`` column as
    ``longtext``, and a ``<blob@s>`` column must still be sent as JSON text (spec §12 item 17).
    """
    kind = codec_chain(attribute).final_kind
    return attribute.replace(json=kind == "json", is_blob=kind == "bytes", uuid=kind == "uuid")


def _codec_encode(
    conn: Connection,
    target: InsertTarget,
    attribute: Attribute,
    values: list[Any],
    key_columns: dict[str, list[Any]],
) -> list[Any]:
    """Run each value through the codec chain; NULL skips validation and encoding."""
    chain = codec_chain(attribute)
    context = {
        "schema": target.database,
        "table": target.table_name,
        "field": attribute.name,
        "config": conn.config,
    }
    # DataJoint's older spelling of the same facts, kept for codecs written against it.
    base_key = {
        "_schema": target.database,
        "_table": target.table_name,
        "_field": attribute.name,
        "_config": conn.config,
    }
    per_row = chain.reads_key and bool(key_columns)
    encoded: list[Any] = []
    for row, value in enumerate(values):
        if value is None:
            encoded.append(None)
            continue
        key = base_key
        if per_row:
            key = {**base_key, **{name: column[row] for name, column in key_columns.items()}}
        encoded.append(chain.encode(value, key=key, context=context))
    return encoded


def column_already_valid(attribute: Attribute, values: list[Any], textual: bool) -> bool:
    """True when a column is already valid driver input (checked with C-speed builtins)."""
    if not values or attribute.uuid or attribute.json:
        return False
    if attribute.is_integer:
        bounds = integer_range(attribute.storage_type)
        return (
            bounds is not None
            and all(type(v) is int for v in values)
            and bounds[0] <= min(values)
            and max(values) <= bounds[1]
        )
    if attribute.is_float:
        return all(type(v) is float for v in values) and all(map(math.isfinite, values))
    if attribute.is_date:
        return not textual and all(type(v) is dt.date for v in values)
    if attribute.string:
        length = _char_length(attribute.storage_type)
        return (
            length is not None
            and all(type(v) is str for v in values)
            and max(map(len, values)) <= length
        )
    return False


@functools.lru_cache(maxsize=512)
def _char_length(storage_type: str) -> int | None:
    """The length of a ``varchar(n)``/``char(n)`` type, else None."""
    if not storage_type.lower().startswith(("varchar", "char")):
        return None
    return int(storage_type.split("(")[1].split(")")[0])


def _default_for(attribute: Attribute, target: InsertTarget, number: int) -> Any:
    if attribute.nullable or attribute.autoincrement:
        return None
    if attribute.default is None:
        raise MissingAttributeError(
            f"Attribute `{attribute.name}` of {target.display_name} cannot be NULL: it has no "
            f"default (row {number})."
        )
    default = attribute.default.strip('"')
    if default.upper().startswith("CURRENT_TIMESTAMP"):
        return dt.datetime.now().replace(microsecond=0)
    return default


def insert_statement(
    conn: Connection,
    target: InsertTarget,
    fields: Sequence[str],
    *,
    replace: bool,
    skip_duplicates: bool,
) -> str:
    dialect = conn.dialect
    cache: dict[tuple[Any, ...], str] = target.heading.__dict__.setdefault("_inserts", {})
    key = (
        dialect.name,
        target.database,
        target.table_name,
        tuple(fields),
        replace,
        skip_duplicates,
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    table = dialect.table_ref(target.database, target.table_name)
    verb = dialect.insert_verb(replace=replace, skip_duplicates=skip_duplicates)
    columns = ",".join(dialect.quote(f) for f in fields)
    marks = ",".join([dialect.placeholder] * len(fields))
    sql = f"{verb} INTO {table}({columns}) VALUES ({marks})"
    if skip_duplicates and not replace:
        first_key = target.heading.primary_key[0] if target.heading.primary_key else fields[0]
        sql += dialect.skip_duplicates_clause(table, first_key)
    if len(cache) < 64:
        cache[key] = sql
    return sql


def execute_insert(
    conn: Connection,
    target: InsertTarget,
    fields: list[str],
    columns: list[list[Any]],
    *,
    count: int,
    replace: bool,
    skip_duplicates: bool,
    chunk_size: int | None,
) -> None:
    """Send the encoded rows in one transaction (joining an open one)."""
    if not count:
        return
    sql = insert_statement(conn, target, fields, replace=replace, skip_duplicates=skip_duplicates)
    # Always one transaction: the driver may split a large batch into several statements.
    own = not conn.in_transaction
    if own:
        conn.start_transaction()
    try:
        if not _bulk_loaded(conn, target, fields, columns, count, replace or skip_duplicates):
            rows = list(zip(*columns, strict=True)) if columns else [()] * count
            size = chunk_size or count
            for start in range(0, count, size):
                conn.executemany(sql, rows[start : start + size])
    except (DuplicateError, IntegrityError, MissingAttributeError) as error:
        if own:
            conn.cancel_transaction()
        raise explain_insert_error(error, target) from error
    except BaseException:
        if own:
            conn.cancel_transaction()
        raise
    if own:
        conn.commit_transaction()


def _bulk_loaded(
    conn: Connection,
    target: InsertTarget,
    fields: list[str],
    columns: list[list[Any]],
    count: int,
    conflict_mode: bool,
) -> bool:
    """Load a large batch with LOAD DATA when the server allows it; False when not used.

    A shortfall (a conflict or a missing parent the server skipped) undoes the load inside the
    open transaction, so the plain INSERT that follows raises the server's own error.
    """
    if conflict_mode or not conn.dialect.has_load_data:
        return False
    if count < load_data.MIN_ROWS and load_data.binary_size(columns) < load_data.MIN_BINARY_BYTES:
        return False
    if conn.metadata_cache.get("load_data_refused"):
        return False
    text = load_data.tsv(columns)
    if text is None:
        return False
    table = conn.dialect.table_ref(target.database, target.table_name)
    conn.query("SAVEPOINT joinery_bulk")
    try:
        loaded = load_data.load(conn, table, fields, text)
    except DataJointError:
        raise
    except Exception:  # the server or client refuses LOCAL INFILE: remember, use INSERT
        conn.query("ROLLBACK TO SAVEPOINT joinery_bulk")
        conn.metadata_cache["load_data_refused"] = True
        return False
    if loaded == count:
        return True
    conn.query("ROLLBACK TO SAVEPOINT joinery_bulk")
    return False


def explain_insert_error(error: DataJointError, target: InsertTarget) -> DataJointError:
    """The server's error, naming the table, with DataJoint's hint or the parents to check."""
    message = f"{error.args[0]} (inserting into {target.display_name})"
    if isinstance(error, DuplicateError):
        return DuplicateError(
            message, "To ignore duplicate entries in insert, set skip_duplicates=True"
        )
    if isinstance(error, IntegrityError):
        parents = ", ".join(
            f"`{fk.parent_database}`.`{fk.parent_table}` ({', '.join(fk.columns)})"
            for fk in target.foreign_keys
        )
        hint = f" A referenced row is missing in one of: {parents}." if parents else ""
        return IntegrityError(message + hint)
    return error.__class__(message)

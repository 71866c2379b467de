"""Which of a batch of rows already exist in a table, and which reference missing parent rows.

The rows travel to the database as a common table expression (``WITH v(i, c0, …) AS (VALUES
…)``) and are joined there, so the database's own comparison rules decide what counts as the
same key (a case-insensitive collation, numbers given as text) and each answer names the row
it is about. Values must already be encoded as insert encodes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .catalog import ForeignKeyInfo
from .connection import Connection

#: Rows per statement: enough to keep statements few, few enough for any driver's limit on
#: bound parameters (SQLite's default is 32766).
CHUNK_ROWS = 2000

#: ``(row index, values in column order)``.
IndexedValues = tuple[int, tuple[Any, ...]]


def existing_keys(
    conn: Connection, database: str, table: str, key: Sequence[str], rows: Sequence[IndexedValues]
) -> list[int]:
    """The indexes of the rows whose ``key`` values are already in ``database``.``table``."""
    dialect = conn.dialect
    ref = dialect.table_ref(database, table)
    match = " AND ".join(f"t.{dialect.quote(name)} = v.c{n}" for n, name in enumerate(key))
    found: list[int] = []
    for chunk in _chunks(rows, len(key)):
        values_sql, params = _values(conn, chunk, len(key))
        sql = f"{values_sql} SELECT v.i FROM v JOIN {ref} t ON {match}"
        found.extend(int(row[0]) for row in conn.query(sql, params).fetchall())
    return sorted(set(found))


def missing_parents(
    conn: Connection, foreign_key: ForeignKeyInfo, rows: Sequence[IndexedValues]
) -> list[int]:
    """The indexes of the rows (values of the foreign key's columns, none NULL) that reference
    no row of the parent table."""
    dialect = conn.dialect
    parent = dialect.table_ref(foreign_key.parent_database, foreign_key.parent_table)
    match = " AND ".join(
        f"p.{dialect.quote(name)} = v.c{n}" for n, name in enumerate(foreign_key.parent_columns)
    )
    found: list[int] = []
    width = len(foreign_key.columns)
    for chunk in _chunks(rows, width):
        values_sql, params = _values(conn, chunk, width)
        absent = f"NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})"
        sql = f"{values_sql} SELECT v.i FROM v WHERE {absent}"
        found.extend(int(row[0]) for row in conn.query(sql, params).fetchall())
    return sorted(set(found))


def _chunks(rows: Sequence[IndexedValues], width: int) -> list[Sequence[IndexedValues]]:
    size = max(1, min(CHUNK_ROWS, 30000 // (width + 1)))
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _values(conn: Connection, rows: Sequence[IndexedValues], width: int) -> tuple[str, list[Any]]:
    """``WITH v(i, c0, …) AS (VALUES (…), …)`` and its parameters."""
    mark = conn.dialect.placeholder
    row_sql = "(" + ",".join([mark] * (width + 1)) + ")"
    columns = ",".join(["i", *(f"c{n}" for n in range(width))])
    params: list[Any] = []
    for index, values in rows:
        params.append(index)
        params.extend(conn.bytes_parameter(v) if type(v) is bytes else v for v in values)
    return f"WITH v({columns}) AS (VALUES {','.join([row_sql] * len(rows))})", params

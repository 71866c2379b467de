"""``update1``: correct one existing row's secondary attributes (spec/engine.md §3.2).

The checks run in DataJoint's order, each with its message. Values are validated and encoded by
insert's own code, so an update accepts and stores exactly what an insert would, including
``None`` (and ``NaN``/``""`` for numbers) meaning the column's default: NULL where nullable, the
declared default otherwise (a ``CURRENT_TIMESTAMP`` default stamps the time again), an error where
there is none. The default is resolved before the statement is sent, as insert does, so the same
UPDATE text works on SQLite, which has no ``SET col = DEFAULT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..db.insert import InsertTarget, encode_columns
from ..errors import DataJointError, DuplicateError, IntegrityError
from ..sql.select import where_clause


def update1(table: Any, row: Any) -> None:
    if not isinstance(row, Mapping):
        raise DataJointError("The argument of update1 must be dict-like.")
    heading = table.heading
    key_names = heading.primary_key
    if not set(row).issuperset(key_names):
        raise DataJointError("The argument of update1 must supply all primary key values.")
    unknown = next((name for name in row if name not in heading.names), None)
    if unknown is not None:
        raise DataJointError(f"Attribute `{unknown}` not found.")
    if table.is_restricted:
        raise DataJointError("Update cannot be applied to a restricted table.")
    updated = [name for name in row if name not in key_names]
    if not updated:
        # DataJoint sends `UPDATE t SET  WHERE …` here, a syntax error (spec §12).
        raise DataJointError(
            "update1 has nothing to update: the row holds only primary key values. Name at "
            "least one secondary attribute to change."
        )
    key = {name: row[name] for name in key_names}
    matched = table & key
    if len(matched) != 1:
        raise DataJointError("Update can only be applied to one existing entry.")
    _execute(table, matched, key_names, updated, row)


def _execute(
    table: Any, matched: Any, key_names: list[str], updated: list[str], row: Mapping[str, Any]
) -> None:
    conn, database = table._bound()
    dialect = conn.dialect
    fields = [*key_names, *updated]
    # Insert's encoder with the key included: codecs that place objects by key (object
    # storage) see the row's key, and nothing counts as missing.
    target = InsertTarget(database, table.table_name, table.heading.select(fields))
    encoded = encode_columns(conn, target, fields, [[row[name]] for name in fields])
    values = [column[0] for column in encoded[len(key_names) :]]
    select = matched.compiler().build(matched.node)
    assignments = ",".join(f"{dialect.quote(name)}={dialect.placeholder}" for name in updated)
    sql = f"UPDATE {dialect.table_ref(database, table.table_name)} SET {assignments}"
    sql += where_clause(select)
    try:
        conn.query(sql, [*values, *(value for _, value in select.where_params)])
    except (DuplicateError, IntegrityError) as error:
        raise error.__class__(f"{error.args[0]} (updating {target.display_name})") from error

"""CREATE TABLE text for a resolved definition, per dialect.

On MySQL the text is byte-for-byte what DataJoint 2.x sends, so both clients create identical
tables. On SQLite, types become storage affinities, indexes become separate statements, and the
declared types and comments go to the metadata table (see ``metadata_rows``).
"""

from __future__ import annotations

import re

from ..definition.parser import format_default_sql
from ..definition.resolved import Column, ForeignKey, ResolvedTable
from .dialects import Dialect

_CURRENT_TIMESTAMP = re.compile(r"^CURRENT_TIMESTAMP(\((\d)\))?$", re.I)


def escape_comment(text: str) -> str:
    """Text for ``COMMENT "…"``: backslashes and double quotes escaped."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def sqlite_affinity(sql_type: str) -> str:
    """The SQLite storage class that keeps a MySQL-typed value intact."""
    base = sql_type.lower()
    if re.match(r"^(tiny|small|medium|big)?int(eger)?\b|^serial\b", base):
        # "INT", not "INTEGER": a lone INTEGER PRIMARY KEY would become SQLite's rowid alias,
        # which ignores DEFAULT and invents values for omitted keys.
        return "INT"
    if re.match(r"^(float|double|real)\b", base):
        return "REAL"
    if re.match(r"^(decimal|numeric|dec|fixed)\b", base):
        return "NUMERIC"
    if re.match(r"^((tiny|medium|long)?blob|binary|varbinary|bytea)\b", base):
        return "BLOB"
    return "TEXT"


def create_table_sql(table: ResolvedTable, dialect: Dialect) -> list[str]:
    """The statements that create ``table``: one on MySQL, several on SQLite."""
    if dialect.inline_indexes:
        return [_mysql_create(table, dialect)]
    return _sqlite_create(table, dialect)


def _mysql_create(table: ResolvedTable, dialect: Dialect) -> str:
    q = dialect.quote
    lines = [mysql_column_sql(column, dialect) for column in table.columns]
    lines.append(f"PRIMARY KEY ({', '.join(q(k) for k in table.primary_key)})")
    lines += [foreign_key_sql(fk, dialect) for fk in table.foreign_keys]
    for index in table.indexes:
        items = ",".join(q(i) if i.isidentifier() else i for i in index.items)
        lines.append(f"{'unique ' if index.unique else ''}index ({items})")
    comment = f', COMMENT "{escape_comment(table.comment)}"' if table.comment else ""
    return (
        f"CREATE TABLE IF NOT EXISTS {dialect.table_ref(table.database, table.table_name)} (\n"
        + ",\n".join(lines)
        + f"\n) ENGINE=InnoDB{comment}"
    )


def foreign_key_sql(fk: ForeignKey, dialect: Dialect) -> str:
    q = dialect.quote
    return (
        f"FOREIGN KEY ({', '.join(q(c) for c in fk.columns)}) REFERENCES "
        f"{dialect.table_ref(fk.parent_database, fk.parent_table)} "
        f"({', '.join(q(c) for c in fk.parent_columns)}) ON UPDATE CASCADE ON DELETE RESTRICT"
    )


def mysql_column_sql(column: Column, dialect: Dialect) -> str:
    """A column as CREATE TABLE (and ALTER TABLE) writes it on MySQL (spec §1.10)."""
    text = f"{dialect.quote(column.name)} {column.sql_type}"
    text += _null_and_default(column, dialect)
    if column.comment:
        text += f' COMMENT "{escape_comment(column.comment)}"'
    return text


def _null_and_default(column: Column, dialect: Dialect) -> str:
    if column.omit_null_clause:
        return ""
    if column.nullable:
        return " DEFAULT NULL"
    if column.default is None:
        return " NOT NULL"
    return f" NOT NULL DEFAULT {_default_sql(column, dialect)}"


def _default_sql(column: Column, dialect: Dialect) -> str:
    assert column.default is not None
    timestamp = _CURRENT_TIMESTAMP.match(column.default.strip())
    if timestamp and not dialect.has_column_comments:
        digits = timestamp.group(2) or _fraction_digits(column.sql_type)
        if digits and digits != "0":
            return "(strftime('%Y-%m-%d %H:%M:%f', 'now'))"
        return "CURRENT_TIMESTAMP"
    return format_default_sql(column.default)


def _fraction_digits(sql_type: str) -> str | None:
    match = re.match(r"^(datetime|timestamp)\((\d)\)", sql_type.lower())
    return match.group(2) if match else None


def _sqlite_create(table: ResolvedTable, dialect: Dialect) -> list[str]:
    q = dialect.quote
    auto = [c for c in table.columns if c.autoincrement]
    lines = []
    for column in table.columns:
        if column in auto and table.primary_key == (column.name,):
            lines.append(f"{q(column.name)} INTEGER PRIMARY KEY AUTOINCREMENT")
            continue
        lines.append(
            f"{q(column.name)} {sqlite_affinity(column.sql_type)}"
            + _null_and_default(column, dialect)
        )
    if not (auto and table.primary_key == (auto[0].name,)):
        lines.append(f"PRIMARY KEY ({', '.join(q(k) for k in table.primary_key)})")
    lines += [foreign_key_sql(fk, dialect) for fk in table.foreign_keys]
    target = dialect.table_ref(table.database, table.table_name)
    statements = [f"CREATE TABLE IF NOT EXISTS {target} (\n" + ",\n".join(lines) + "\n)"]
    for number, index in enumerate(table.indexes):
        items = ", ".join(q(i) if i.isidentifier() else i for i in index.items)
        name = q(f"{table.database}.{table.table_name}.{'u' if index.unique else 'i'}{number}")
        unique = "UNIQUE " if index.unique else ""
        statements.append(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON {target} ({items})")
    return statements


def normalize_type(sql_type: str) -> str:
    """A type as MariaDB reports it: keywords lower case, no spaces around ``(``, ``,``, ``)``
    (quoted enum values are kept as written)."""
    parts = re.split(r"('(?:[^']|'')*')", sql_type.strip())
    for i in range(0, len(parts), 2):
        text = re.sub(r"\s*([(),])\s*", r"\1", parts[i].lower())
        parts[i] = re.sub(r"\s+", " ", text)
    return "".join(parts)


def metadata_rows(table: ResolvedTable) -> list[tuple[str, str, int, str, str]]:
    """(table, attribute, position, sql_type, comment) rows; the table comment has attribute ''."""
    full = f"{table.database}.{table.table_name}"
    rows = [(full, "", 0, "", table.comment)]
    rows += [
        (full, c.name, position, normalize_type(c.sql_type), c.comment)
        for position, c in enumerate(table.columns, start=1)
    ]
    return rows

"""The module to write for a table that has no registered compute code ("show the code").

The skeleton is a complete module: a deferred schema, an ``activate`` that binds it (the workers
call it with their connection) with the schema's other tables reachable as ``upstream.<Class>``,
the table's class with its definition as the database holds it, its parts, and a ``make`` whose
insert names every attribute to fill. Only the computation is left to write.
"""

from __future__ import annotations

import keyword
from types import SimpleNamespace
from typing import Any

import pipelines.core as dj
from pipelines.core.definition.naming import class_name_to_snake
from pipelines.services.definition_code import (
    INDENT,
    MAKE_SIGNATURE,
    definition_lines,
    insert_call,
    module_start,
)
from pipelines.services.tables import TableName, class_name_of


def code_skeleton(table: TableName, engine_table: Any) -> str:
    """Python source of a module defining ``table`` with a ``make`` to complete."""
    aliases: dict[str, str] = {}
    definition = _described(engine_table, table.schema, aliases)
    module = class_name_to_snake(table.name)
    names = ", ".join(f'"{alias}": {alias}' for alias in ["upstream", *aliases.values()])
    lines = [
        *module_start(
            [
                f"Compute code for {table.schema}.{table.name}: a starting point written by Joinery.",
                "",
                f'List this module in JOINERY_PIPELINE_MODULES as "<your package>.{module}@{table.schema}";',
                f"the portal's workers then call make() for every key of {table.name} not yet computed.",
            ],
            imports=[],
        ),
        f'schema = dj.Schema()  # bound to "{table.schema}" by activate()',
        f'upstream: Any = None  # the tables of "{table.schema}" as classes, once activated',
        *[
            f"{alias}: Any = None  # the tables of schema {other!r}"
            for other, alias in aliases.items()
        ],
        "",
        "",
        f'def activate(connection: dj.Connection, schema_name: str = "{table.schema}") -> dj.Schema:',
        f'{INDENT}"""Bind the schema (the workers call this with their connection)."""',
        f"{INDENT}global upstream{''.join(', ' + a for a in aliases.values())}",
        f'{INDENT}upstream = dj.VirtualModule("upstream", schema_name, connection=connection)',
        *[
            f'{INDENT}{alias} = dj.VirtualModule("{alias}", "{other}", connection=connection)'
            for other, alias in aliases.items()
        ],
        f"{INDENT}names = {{{names}}}",
        f"{INDENT}schema.activate(schema_name, connection=connection, add_objects=names)",
        f"{INDENT}return schema",
        "",
        "",
        "@schema",
        f"class {table.name}(dj.{table.tier}):",
        *definition_lines(definition, 1),
        *_parts(engine_table, table, aliases),
        "",
        MAKE_SIGNATURE,
        *_make_body(engine_table, table),
    ]
    return "\n".join(lines) + "\n"


def _described(engine_table: Any, schema: str, aliases: dict[str, str]) -> str:
    """The definition as the database holds it, parents named ``upstream.<Class>`` (same
    schema) or ``<schema alias>.<Class>``."""
    context: dict[str, Any] = {}
    for full_name, _ in engine_table.parents(foreign_key_info=True):
        database, table_name = (part.strip("`") for part in full_name.split("`.`"))
        named = class_name_of(table_name)
        if named is None:
            continue
        alias = "upstream" if database == schema else aliases.setdefault(database, _alias(database))
        context[f"{alias}.{named[0]}"] = SimpleNamespace(full_table_name=full_name)
    return str(engine_table.describe(context=context))


def _alias(schema: str) -> str:
    return f"{schema}_" if keyword.iskeyword(schema) or schema == "upstream" else schema


def _parts(engine_table: Any, table: TableName, aliases: dict[str, str]) -> list[str]:
    lines: list[str] = []
    for part in _part_tables(engine_table):
        named = class_name_of(part.table_name)
        if named is None:
            continue
        text = _described(part, table.schema, aliases).replace(
            f"upstream.{table.name}\n", "master\n"
        )
        lines += ["", f"{INDENT}class {named[0].split('.')[-1]}(dj.Part):"]
        lines += definition_lines(text, 2)
    return lines


def _part_tables(engine_table: Any) -> list[Any]:
    prefix = engine_table.table_name + "__"
    names = engine_table.connection.catalog.list_tables(engine_table.database)
    return [
        dj.FreeTable(engine_table.connection, f"`{engine_table.database}`.`{name}`")
        for name in sorted(names)
        if name.startswith(prefix)
    ]


def _make_body(engine_table: Any, table: TableName) -> list[str]:
    pad = INDENT * 2
    parents = _upstream_names(engine_table, table.schema)
    lines = [f"{pad}# Fetch what this key depends on, e.g."]
    lines += [f"{pad}#     row = (upstream.{name} & key).fetch1()" for name in parents[:3]]
    lines += [
        f"{pad}# compute; in a long computation report how far it is:",
        f'{pad}#     self.progress_update(0.5, "halfway")',
    ]
    filled: list[tuple[str, str]] = []
    for attribute in engine_table.heading.attributes.values():
        if attribute.in_key or attribute.is_hidden:
            continue
        declared = attribute.original_type or attribute.type
        filled.append(
            (attribute.name, f"{declared}: {attribute.comment}" if attribute.comment else declared)
        )
    lines += insert_call(filled)
    for part in _part_tables(engine_table):
        named = class_name_of(part.table_name)
        if named is not None:
            lines.append(f"{pad}# self.{named[0].split('.')[-1]}.insert([...])  # its part rows")
    return lines


def _upstream_names(engine_table: Any, schema: str) -> list[str]:
    names = []
    for full_name in engine_table.parents():
        database, table_name = (part.strip("`") for part in full_name.split("`.`"))
        named = class_name_of(table_name)
        if named is not None and database == schema:
            names.append(named[0])
    return names

"""Virtual modules: classes made on the fly for every table of an existing schema."""

from __future__ import annotations

import types
from typing import Any

from ..db.connection import Connection
from ..db.default import conn as default_connection
from ..definition.naming import master_of, snake_to_class_name, tier_of_table_name
from ..errors import DataJointError
from .schema import Schema
from .tiers import Computed, Imported, Lookup, Manual, Part

_TIERS: dict[str, type] = {
    "Manual": Manual,
    "Lookup": Lookup,
    "Imported": Imported,
    "Computed": Computed,
}
_PREFIXES = {"Manual": "", "Lookup": "#", "Imported": "_", "Computed": "__"}


def make_classes(schema: Schema) -> dict[str, type]:
    """A class per table of ``schema`` (parts nested in their masters), keyed by class name."""
    classes: dict[str, type] = {}
    by_table: dict[str, type] = {}
    tables = schema.list_tables()
    for table in tables:
        tier = tier_of_table_name(table)
        if tier in _TIERS:
            name = snake_to_class_name(table[len(_PREFIXES[tier]) :])
            cls = type(name, (_TIERS[tier],), {"definition": "", "__module__": __name__})
            schema._bind(cls)
            classes[name] = cls
            by_table[table] = cls
    for table in tables:
        if tier_of_table_name(table) != "Part" or table in by_table:
            continue
        master_name = master_of(table)
        master = by_table.get(master_name or "")
        if master is None:
            raise DataJointError(f"The table {table} does not follow DataJoint naming conventions")
        part_name = snake_to_class_name(table[len(master_name or "") + 2 :])
        part = type(
            part_name, (Part,), {"definition": "", "master": master, "__module__": __name__}
        )
        schema._bind(part)
        setattr(master, part_name, part)
    return classes


class VirtualModule(types.ModuleType):
    """A module whose attributes are the table classes of an existing schema."""

    def __init__(
        self,
        module_name: str,
        schema_name: str,
        *,
        create_schema: bool = False,
        create_tables: bool = False,
        connection: Connection | None = None,
        add_objects: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(module_name)
        schema = Schema(
            schema_name,
            connection=connection or default_connection(),
            create_schema=create_schema,
            create_tables=create_tables,
        )
        for name, value in (add_objects or {}).items():
            setattr(self, name, value)
        for name, cls in make_classes(schema).items():
            setattr(self, name, cls)
        self.schema = schema


def virtual_schema(
    schema_name: str,
    *,
    connection: Connection | None = None,
    create_schema: bool = False,
    create_tables: bool = False,
    add_objects: dict[str, Any] | None = None,
) -> VirtualModule:
    return VirtualModule(
        schema_name,
        schema_name,
        connection=connection,
        create_schema=create_schema,
        create_tables=create_tables,
        add_objects=add_objects,
    )


def list_schemas(connection: Connection | None = None) -> list[str]:
    return (connection or default_connection()).catalog.list_schemas()

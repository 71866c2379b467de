"""Virtual modules: classes made on the fly for every table of an existing schema."""

from __future__ import annotations

import types
from typing import Any

from ..db.connection import Connection
from ..db.default import conn as default_connection
from .classes import make_classes
from .schema import Schema


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

"""Classes made on the fly for the tables of an existing schema (tier read from each name)."""

from __future__ import annotations

from typing import Any

from ..definition.naming import master_of, snake_to_class_name, tier_of_table_name
from ..errors import DataJointError
from .tiers import Computed, Imported, Lookup, Manual, Part


def register_tier(name: str, cls: type) -> None:
    """Use ``cls`` for tables of tier ``name`` in generated classes (the populate layer
    registers its Imported/Computed, which this layer cannot import)."""
    _TIERS[name] = cls


_TIERS: dict[str, type] = {
    "Manual": Manual,
    "Lookup": Lookup,
    "Imported": Imported,
    "Computed": Computed,
}
_PREFIXES = {"Manual": "", "Lookup": "#", "Imported": "_", "Computed": "__"}


def make_classes(schema: Any) -> dict[str, type]:
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

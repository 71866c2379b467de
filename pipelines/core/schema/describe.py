"""``describe()``: regenerate a definition from a live table, in DataJoint's layout."""

from __future__ import annotations

from typing import Any

from ..db.catalog import ForeignKeyInfo, TableInfo
from ..db.connection import Connection
from ..query.heading import Attribute, Heading


def describe_table(
    conn: Connection,
    database: str,
    table_name: str,
    heading: Heading,
    info: TableInfo,
    context: dict[str, Any] | None,
) -> str:
    lines: list[str] = [f"# {info.comment}"] if info.comment else []
    attributes = heading.all_attributes
    fk_columns = {c for fk in info.foreign_keys for c in fk.columns}
    pending = list(info.foreign_keys)
    reached: set[str] = set()
    in_key = True
    for name, attribute in attributes.items():
        if attribute.is_hidden:
            continue
        if in_key and not attribute.in_key:
            lines.append("---")
            in_key = False
        reached.add(name)
        for fk in [fk for fk in pending if set(fk.columns) <= reached]:
            pending.remove(fk)
            lines.append(_foreign_key_line(fk, heading, info, context, database))
        if name not in fk_columns:
            lines.append(_attribute_line(attribute))
    fk_indexes = {tuple(fk.columns) for fk in info.foreign_keys}
    for columns, props in info.indexes.items():
        if columns in fk_indexes:
            continue
        unique = "UNIQUE " if props["unique"] else ""
        lines.append(f"{unique}INDEX ({', '.join(columns)})")
    return "\n".join(lines) + "\n"


def _attribute_line(attribute: Attribute) -> str:
    declared = attribute.original_type or attribute.type
    if attribute.autoincrement:
        declared += " auto_increment"
    name = attribute.name
    if attribute.default is not None:
        name = f"{name}={attribute.default}"
    comment = f"# {attribute.comment}" if attribute.comment else ""
    return f"{name:<20} : {declared:<28} {comment}"


def _foreign_key_line(
    fk: ForeignKeyInfo,
    heading: Heading,
    info: TableInfo,
    context: dict[str, Any] | None,
    database: str,
) -> str:
    options = []
    attributes = heading.all_attributes
    if any(attributes[c].nullable for c in fk.columns):
        options.append("nullable")
    index = info.indexes.get(tuple(fk.columns))
    if index and index["unique"] and not all(attributes[c].in_key for c in fk.columns):
        options.append("unique")
    reference = _class_name(fk, context, database)
    renames = {c: p for c, p in fk.attr_map.items() if c != p}
    if renames:
        reference += ".proj(" + ", ".join(f'{c}="{p}"' for c, p in renames.items()) + ")"
    prefix = f"-> [{', '.join(options)}] " if options else "-> "
    return prefix + reference


def _class_name(fk: ForeignKeyInfo, context: dict[str, Any] | None, database: str) -> str:
    wanted = f"`{fk.parent_database}`.`{fk.parent_table}`"
    for name, value in (context or {}).items():
        if _full_name(value) == wanted:
            return name
        for part_name, part in vars(value).items() if isinstance(value, type) else []:
            if isinstance(part, type) and _full_name(part) == wanted:
                return f"{name}.{part_name}"
    return wanted


def _full_name(value: Any) -> str | None:
    try:
        name = getattr(value, "full_table_name", None)
    except Exception:
        return None
    return name if isinstance(name, str) else None

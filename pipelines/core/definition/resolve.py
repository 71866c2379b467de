"""Turn a parsed definition and its resolved parents into the columns, keys and indexes to create.

Pure: the caller evaluates each ``->`` reference against its context and hands in a ``ParentKey``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from ..codecs import resolve_chain
from ..errors import DataJointError
from ..types import parse_type
from .resolved import Column, ForeignKey, Index, ParentKey, ResolvedTable
from .spec import AttributeSpec, ForeignKeySpec, IndexSpec, TableSpec

logger = logging.getLogger("pipelines.core")

SINGLETON = Column(
    name="_singleton",
    sql_type="tinyint",
    in_key=True,
    nullable=False,
    default="1",
    comment=":bool:singleton primary key",
    is_hidden=True,
)


def resolve_table(
    spec: TableSpec,
    *,
    database: str,
    table_name: str,
    parents: Sequence[ParentKey],
    auto_populated: bool = False,
    allow_native_pk: bool = False,
) -> ResolvedTable:
    """Resolve ``spec``; ``parents[i]`` is what the i-th ``->`` line refers to."""
    if len(parents) != len(spec.foreign_keys):
        raise DataJointError("Every foreign key of the definition needs a resolved parent.")
    columns: dict[str, Column] = {}
    foreign_keys: list[ForeignKey] = []
    indexes: list[Index] = []
    parent_iter = iter(parents)
    for item in spec.items:
        if isinstance(item, AttributeSpec):
            _add_column(columns, _attribute_column(item, database, table_name), item)
        elif isinstance(item, ForeignKeySpec):
            parent = next(parent_iter)
            fk = _foreign_key(item, parent, columns)
            foreign_keys.append(fk)
            if item.unique:
                indexes.append(Index(unique=True, items=fk.columns))
        elif isinstance(item, IndexSpec):
            indexes.append(Index(unique=item.unique, items=item.items))
    primary_key = [c.name for c in columns.values() if c.in_key]
    if auto_populated and not allow_native_pk:
        _check_fk_only_key(spec, table_name)
    if not primary_key:
        singleton = dataclasses.replace(SINGLETON, lineage=f"{database}.{table_name}._singleton")
        columns[singleton.name] = singleton
        primary_key = [singleton.name]
    _check_indexes(indexes, columns)
    return ResolvedTable(
        database=database,
        table_name=table_name,
        comment=spec.comment,
        columns=tuple(columns.values()),
        primary_key=tuple(primary_key),
        foreign_keys=tuple(foreign_keys),
        indexes=tuple(indexes),
    )


def _add_column(columns: dict[str, Column], column: Column, item: AttributeSpec) -> None:
    if column.name in columns:
        raise DataJointError(
            f"Duplicate attribute `{column.name}` (line {item.source.number}: `{item.source.text}`)"
        )
    columns[column.name] = column


def _attribute_column(item: AttributeSpec, database: str, table_name: str) -> Column:
    attribute_type = parse_type(item.type_text)
    warning = attribute_type.native_warning_for(item.name)
    if warning:
        logger.warning(warning)
    sql_type = attribute_type.mysql
    if attribute_type.codec is not None:
        sql_type = parse_type(resolve_chain(item.type_text).final_type).mysql
    if item.in_key and (attribute_type.is_blob or attribute_type.codec or _is_json(item.type_text)):
        raise DataJointError(
            "Blob or JSON attributes are not allowed in the primary key "
            f"(line {item.source.number}: `{item.source.text}`)"
        )
    marker = f":{item.type_text}:" if attribute_type.core else ""
    return Column(
        name=item.name,
        sql_type=sql_type,
        in_key=item.in_key,
        nullable=item.nullable,
        default=item.default,
        comment=marker + item.comment,
        autoincrement=attribute_type.autoincrement,
        lineage=f"{database}.{table_name}.{item.name}" if item.in_key else None,
    )


def _foreign_key(item: ForeignKeySpec, parent: ParentKey, columns: dict[str, Column]) -> ForeignKey:
    parent_names = {a.name for a in parent.attributes}
    for old in parent.renames.values():
        if old not in parent_names:
            raise DataJointError(
                f"Attribute `{old}` renamed in the reference is not in the primary key of "
                f"`{parent.table_name}` (line {item.source.number}: `{item.source.text}`)"
            )
    child_names = []
    for attribute in parent.attributes:
        name = parent.child_name(attribute.name)
        child_names.append(name)
        if name in columns:
            continue  # shared key prefix: two references reuse the same column
        comment = (":uuid:" if attribute.is_uuid else "") + attribute.comment
        lineage = attribute.lineage or f"{parent.database}.{parent.table_name}.{attribute.name}"
        columns[name] = Column(
            name=name,
            sql_type=attribute.sql_type,
            in_key=item.in_key,
            nullable=item.nullable,
            default=None,
            comment=comment,
            omit_null_clause=item.nullable,
            lineage=lineage,
        )
    return ForeignKey(
        columns=tuple(child_names),
        parent_database=parent.database,
        parent_table=parent.table_name,
        parent_columns=tuple(a.name for a in parent.attributes),
        nullable=item.nullable,
        in_key=item.in_key,
        source=item.source,
    )


def _check_fk_only_key(spec: TableSpec, table_name: str) -> None:
    native = [a.name for a in spec.attributes if a.in_key]
    if native:
        raise DataJointError(
            f"Auto-populated table `{table_name}` has non-FK primary key attribute(s): "
            f"{', '.join(native)}. Every primary key attribute of a Computed or Imported table must "
            "come from a foreign key; set dj.config['jobs.allow_new_pk_fields_in_computed_tables'] "
            "= True to allow it."
        )


def _check_indexes(indexes: list[Index], columns: dict[str, Column]) -> None:
    for index in indexes:
        for item in index.items:
            if item.isidentifier() and item not in columns:
                raise DataJointError(f"Index refers to unknown attribute `{item}`")


def _is_json(type_text: str) -> bool:
    return type_text.strip().lower() in ("json", "jsonb")

"""Declare a table class: parse its definition, resolve its references, create it atomically."""

from __future__ import annotations

from typing import Any

from ..db.connection import Connection
from ..definition.job_metadata import takes_job_metadata, with_job_metadata
from ..definition.naming import check_table_name_length
from ..definition.parser import parse_definition
from ..definition.resolve import resolve_table
from ..definition.resolved import ParentAttribute, ParentKey, ResolvedTable
from ..definition.spec import ForeignKeySpec
from ..errors import DataJointError
from ..query.nodes import Project, TableRef
from ..sql.ddl import create_table_sql, metadata_rows


def declare_table(
    conn: Connection,
    database: str,
    table_name: str,
    definition: str,
    context: dict[str, Any],
    *,
    auto_populated: bool,
) -> ResolvedTable:
    """Create the table; on any failure nothing of it is left behind."""
    if conn.in_transaction:
        raise DataJointError("Cannot declare new tables inside a transaction.")
    if not isinstance(definition, str) or not definition.strip():
        raise NotImplementedError(f"Table `{table_name}` has no definition.")
    resolved = resolve_definition(
        conn, database, table_name, definition, context, auto_populated=auto_populated
    )
    create_resolved(conn, resolved)
    return resolved


def resolve_definition(
    conn: Connection,
    database: str,
    table_name: str,
    definition: str,
    context: dict[str, Any],
    *,
    auto_populated: bool,
) -> ResolvedTable:
    """What declaring ``definition`` as ``database.table_name`` would create (nothing runs).

    The same steps as a declaration: parse, resolve every ``->`` against ``context``, add the
    job metadata columns when configured. Errors name the definition's line.
    """
    if not isinstance(definition, str) or not definition.strip():
        raise DataJointError(f"Table `{table_name}` has no definition.")
    check_table_name_length(table_name, conn.dialect.max_table_name_length)
    spec = parse_definition(definition)
    parents = [resolve_reference(fk, context) for fk in spec.foreign_keys]
    resolved = resolve_table(
        spec,
        database=database,
        table_name=table_name,
        parents=parents,
        auto_populated=auto_populated,
        allow_native_pk=bool(conn.config["jobs.allow_new_pk_fields_in_computed_tables"]),
    )
    if conn.config["jobs.add_job_metadata"] and takes_job_metadata(table_name):
        resolved = with_job_metadata(resolved)
    return resolved


def create_resolved(conn: Connection, resolved: ResolvedTable) -> None:
    """Create the table, its metadata and lineage; on failure leave nothing of this attempt.

    Where DDL is transactional (SQLite) it all runs in one transaction, so two processes
    declaring the same table at once cannot interleave. Elsewhere a failed attempt drops the
    table only if this attempt created it.
    """
    catalog = conn.catalog
    if conn.dialect.transactional_ddl:
        try:
            with conn.transaction:
                _create(conn, resolved)
        finally:
            conn.invalidate_metadata()
        return
    existed = catalog.table_exists(resolved.database, resolved.table_name)
    try:
        _create(conn, resolved)
    except BaseException:
        if not existed and catalog.table_exists(resolved.database, resolved.table_name):
            catalog.delete_lineage(resolved.database, resolved.table_name)
            catalog.drop_table(resolved.database, resolved.table_name)
        raise
    finally:
        conn.invalidate_metadata()


def _create(conn: Connection, resolved: ResolvedTable) -> None:
    for statement in create_table_sql(resolved, conn.dialect):
        conn.query(conn.dialect.escape_percent(statement))  # DDL text holds no parameters
    conn.catalog.write_table_metadata(metadata_rows(resolved))
    conn.catalog.write_lineage(resolved.database, resolved.table_name, resolved.lineage_rows())


def resolve_reference(fk: ForeignKeySpec, context: dict[str, Any]) -> ParentKey:
    """What a ``->`` line refers to (spec §1.6), evaluated in ``context`` only: the reference
    is an expression over the context's names (``Parent``, ``Parent.proj(a='b')``,
    ``other.Table``), with no builtins, so a definition cannot call anything else."""
    where = f"(line {fk.source.number}: `{fk.source.text}`)"
    try:
        target = eval(fk.reference, {"__builtins__": {}}, dict(context))
    except Exception as error:
        raise DataJointError(
            f"Foreign key reference {fk.reference} could not be resolved {where}: {error}"
        ) from None
    if isinstance(target, type):
        target = target()
    node = getattr(target, "node", None)
    renames: dict[str, str] = {}
    if isinstance(node, Project) and isinstance(node.child, TableRef):
        renames = {f.name: f.source for f in node.fields if f.source and f.source != f.name}
        node = node.child
    if not isinstance(node, TableRef):
        raise DataJointError(
            f"Dependency {fk.reference} is not supported (yet) {where}: "
            "reference a table or a projection of a table."
        )
    heading = node.heading
    attributes = tuple(
        ParentAttribute(
            name=name,
            sql_type=heading[name].storage_type,
            comment=heading[name].comment,
            is_uuid=heading[name].uuid,
            lineage=heading[name].lineage,
        )
        for name in heading.primary_key
    )
    return ParentKey(node.database, node.table_name, attributes, renames)

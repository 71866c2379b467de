"""Rebuild a schema's ``~lineage`` rows from its tables and foreign keys."""

from __future__ import annotations

from ..db.connection import Connection


def rebuild_lineage(conn: Connection, database: str, tables: list[str]) -> None:
    """Write each table's lineage rows; ``tables`` must list parents before children."""
    catalog = conn.catalog
    known: dict[tuple[str, str], dict[str, str]] = {}
    for table in tables:
        info = catalog.table_info(database, table)
        key = [c.name for c in info.columns if c.in_key]
        lineage: dict[str, str] = {}
        for fk in info.foreign_keys:
            parent = known.get((fk.parent_database, fk.parent_table))
            if parent is None:
                parent = catalog.read_lineage(fk.parent_database, fk.parent_table)
            for child_column, parent_column in fk.attr_map.items():
                origin = f"{fk.parent_database}.{fk.parent_table}.{parent_column}"
                lineage[child_column] = parent.get(parent_column, origin)
        for name in key:
            lineage.setdefault(name, f"{database}.{table}.{name}")
        known[(database, table)] = lineage
        catalog.write_lineage(database, table, [(table, a, o) for a, o in lineage.items()])
    conn.invalidate_metadata()

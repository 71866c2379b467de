"""Load (and cache per connection) a table's heading and catalog entry."""

from __future__ import annotations

from ..db.catalog import TableInfo
from ..db.connection import Connection
from ..errors import DataJointError
from ..query.heading import Heading


def load_table(conn: Connection, database: str, table_name: str) -> tuple[Heading, TableInfo]:
    key = ("table", database, table_name)
    cached = conn.metadata_cache.get(key)
    if cached is not None:
        heading, info = cached
        return heading, info
    catalog = conn.catalog
    if not catalog.table_exists(database, table_name):
        raise DataJointError(f"The table {database}.{table_name} is not defined.")
    info = catalog.table_info(database, table_name)
    lineage = catalog.read_lineage(database, table_name)
    heading = Heading.from_columns(info.columns, lineage, table_comment=info.comment)
    heading.indexes = info.indexes
    conn.metadata_cache[key] = (heading, info)
    return heading, info

"""A pipeline's diagram as JSON: every table of its schemas and every foreign key between them.

The engine's ``Diagram`` gives the layout facts (tiers, primary keys, parts, which edges are
primary or renamed); this adds what the portal shows beside each table: its class name as
queries address it, its attributes (shown on hover) and its number of rows (one ``count(*)``
per table, measured in ``bench``-style tests to stay cheap).
"""

from __future__ import annotations

from typing import Any

import pipelines.core as dj
from pipelines.core.query.heading import Attribute
from pipelines.core.schema.graph import DependencyGraph
from pipelines.models import Pipeline
from pipelines.services.data import data_connection
from pipelines.services.tables import TableName, class_name_of, table_query


def diagram_get(*, pipeline: Pipeline, counts: bool = True) -> dict[str, Any]:
    """``{"schemas", "direction", "nodes", "edges", "tiers"}`` of the pipeline's tables
    (``counts=False`` leaves out the row counts, which cost one query per table)."""
    connection = data_connection()
    schemas = [s for s in pipeline.schemas if connection.catalog.schema_exists(s)]
    graph = DependencyGraph.load(connection, schemas)
    tables = {}
    for node in graph.nodes.values():
        named = class_name_of(node.table_name)
        if named is not None:  # hidden and foreign (non-DataJoint) tables are not drawn
            tables[node.name] = TableName(node.database, named[0], node.table_name, named[1])
    drawn = dj.Diagram.from_graph(graph, tables).to_json()
    nodes = [_node(item, tables[item["id"]], counts) for item in drawn["nodes"]]
    return {
        "schemas": schemas,
        "direction": drawn["direction"],
        "nodes": nodes,
        "edges": [_edge(edge, graph) for edge in drawn["edges"]],
        "tiers": drawn["tiers"],
    }


def _node(drawn: dict[str, Any], table: TableName, counts: bool) -> dict[str, Any]:
    query = table_query(table)
    heading = query.heading
    return {
        "id": drawn["id"],
        "schema": table.schema,
        "name": table.name,
        "table_name": table.table_name,
        "tier": table.tier,
        "master": drawn["master"],
        "primary_key": list(heading.primary_key),
        "attributes": [_attribute(heading[name]) for name in heading.names],
        "introduces_dimension": drawn["introduces_dimension"],
        "rows": _count(query) if counts else None,
    }


def _attribute(attribute: Attribute) -> dict[str, Any]:
    return {
        "name": attribute.name,
        "type": attribute.original_type or attribute.type,
        "in_key": attribute.in_key,
        "nullable": attribute.nullable,
        "default": attribute.default,
        "comment": attribute.comment,
    }


def _count(table: Any) -> int:
    """``SELECT count(*) FROM t``: cheaper than ``len()``, which counts distinct keys."""
    return int(dj.U().aggr(table, n="count(*)").fetch1("n"))


def _edge(drawn: dict[str, Any], graph: DependencyGraph) -> dict[str, Any]:
    child = graph.nodes[drawn["child"]]
    attr_map = dict(drawn["attr_map"])
    return {
        "parent": drawn["parent"],
        "child": drawn["child"],
        "primary": drawn["primary"],
        "multi": drawn["multi"],
        "aliased": drawn["aliased"],
        "attr_map": attr_map,
        "renamed": {c: p for c, p in attr_map.items() if c != p},
        "part_of_master": child.master == drawn["parent"],
    }

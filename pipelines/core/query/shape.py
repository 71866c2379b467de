"""The shape of a query: its structure without its values.

Two queries of the same shape compile to the same SQL text and differ only in their bound
parameters, so the compiler caches SQL by shape and extracts the parameters here, in the order
the compiler emits them (children before the node's own condition, items left to right).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from .conditions import (
    And,
    Compare,
    Condition,
    FalseCondition,
    InQuery,
    InValues,
    Negate,
    Or,
    RawSQL,
    TrueCondition,
)
from .heading import Heading
from .nodes import Aggregate, Distinct, Join, Limit, Node, Project, Restrict, TableRef, Union

Encode = Callable[[Heading, str, Any], Any]


def node_shape(node: Node) -> Hashable:
    """A hashable key that equals for queries compiling to the same SQL text (kept on the
    node: nodes never change)."""
    cached = node.__dict__.get("_shape")
    if cached is None:
        cached = _node_shape(node)
        object.__setattr__(node, "_shape", cached)
    return cached


def _node_shape(node: Node) -> Hashable:
    if isinstance(node, TableRef):
        return ("T", node.database, node.table_name, _signature(node.heading))
    if isinstance(node, Restrict):
        return (
            "R",
            node_shape(node.child),
            condition_shape(node.condition),
            _signature(node.heading),
        )
    if isinstance(node, Project):
        return ("P", node_shape(node.child), node.fields, _signature(node.heading))
    if isinstance(node, Limit):
        return ("L", node_shape(node.child), node.top, _signature(node.heading))
    if isinstance(node, Join):
        shapes = (node_shape(node.left), node_shape(node.right))
        return ("J", *shapes, node.using, node.left_join, _signature(node.heading))
    if isinstance(node, Aggregate):
        shape = (node_shape(node.child), node.group_by, node.fields, node.per_row)
        return ("A", *shape, _signature(node.heading))
    if isinstance(node, Union):
        return ("U", node_shape(node.left), node_shape(node.right), _signature(node.heading))
    if isinstance(node, Distinct):
        return ("D", node_shape(node.child), _signature(node.heading))
    raise TypeError(type(node).__name__)


def _signature(heading: Heading) -> Hashable:
    """What of a heading the SQL text depends on: names and primary key, in order."""
    return heading.signature


def condition_shape(condition: Condition) -> Hashable:
    if isinstance(condition, Compare):
        return (
            "=",
            condition.attribute,
            condition.operator,
            condition.path,
            condition.cast,
            condition.value is None,
        )
    if isinstance(condition, InValues):
        return ("in", condition.attribute, len(condition.values))
    if isinstance(condition, RawSQL):
        return ("raw", condition.text)
    if isinstance(condition, And | Or):
        return (type(condition).__name__, tuple(condition_shape(i) for i in condition.items))
    if isinstance(condition, Negate):
        return ("not", condition_shape(condition.item))
    if isinstance(condition, InQuery):
        return ("semi", condition.attributes, condition.inner_names, node_shape(condition.query))
    if isinstance(condition, TrueCondition | FalseCondition):
        return type(condition).__name__
    raise TypeError(type(condition).__name__)


def node_params(node: Node, encode: Encode) -> list[Any]:
    params: list[Any] = []
    _collect_node(node, encode, params)
    return params


def _collect_node(node: Node, encode: Encode, params: list[Any]) -> None:
    if isinstance(node, Restrict):
        _collect_node(node.child, encode, params)
        _collect_condition(node.condition, node.child.heading, encode, params)
    elif isinstance(node, Project | Limit | Aggregate | Distinct):
        _collect_node(node.child, encode, params)
    elif isinstance(node, Join | Union):
        _collect_node(node.left, encode, params)
        _collect_node(node.right, encode, params)


def _collect_condition(
    condition: Condition, heading: Heading, encode: Encode, params: list[Any]
) -> None:
    if isinstance(condition, Compare):
        if condition.path is not None:
            value = condition.value
            params.append(json.dumps(value) if isinstance(value, dict | list) else value)
        elif condition.value is not None:
            params.append(encode(heading, condition.attribute, condition.value))
    elif isinstance(condition, InValues):
        params.extend(encode(heading, condition.attribute, v) for v in condition.values)
    elif isinstance(condition, And | Or):
        for item in condition.items:
            _collect_condition(item, heading, encode, params)
    elif isinstance(condition, Negate):
        _collect_condition(condition.item, heading, encode, params)
    elif isinstance(condition, InQuery):
        _collect_node(condition.query, encode, params)

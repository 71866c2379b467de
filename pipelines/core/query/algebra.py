"""Headings of the algebra's results: which attributes, in what order, with which primary key.

Pure functions over headings (§4.3–§4.8); the user-facing operators call these, then wrap the
operands in nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import DataJointError
from .heading import Attribute, Heading
from .lineage import check_namesakes


def determines(a: Heading, b: Heading) -> bool:
    """A -> B: every primary-key attribute of B is an attribute of A."""
    return all(name in a.attributes for name in b.primary_key)


def join_heading(
    a: Heading, b: Heading, *, left: bool = False, semantic_check: bool = True
) -> tuple[Heading, tuple[str, ...]]:
    """The heading of ``a * b`` and the attributes it joins on (A's order)."""
    using = tuple(n for n in a.names if n in b.attributes)
    if semantic_check:
        check_namesakes(a, b, using)
    a_to_b, b_to_a = determines(a, b), determines(b, a)
    if left and not a_to_b:
        missing = [n for n in b.primary_key if n not in a.attributes]
        raise DataJointError(
            "Left join requires the left operand to determine the right operand (A → B). "
            "The following attributes from the right operand's primary key are not in the left "
            f"operand: {missing}. Use an inner join or restructure the query."
        )
    if a_to_b or b_to_a:
        first, second = (a, b) if a_to_b else (b, a)
        key = first.primary_key
        ordered = [first[n] for n in first.names] + [
            second[n] for n in second.names if n not in first.attributes
        ]
    else:
        promoted = [n for n in b.primary_key if n not in a.primary_key]
        key = a.primary_key + promoted
        ordered = (
            [a[n] for n in a.primary_key]
            + [a[n] if n in a.attributes else b[n] for n in promoted]
            + [a[n] for n in a.secondary_attributes if n not in b.primary_key]
            + [b[n] for n in b.secondary_attributes if n not in a.attributes]
        )
    in_key = set(key)
    attributes = [_keyed(attribute, attribute.name in in_key) for attribute in ordered]
    if left:
        attributes = [x if x.name in a.attributes else x.as_nullable() for x in attributes]
    return _ordered_by_key(attributes, key), using


def _keyed(attribute: Attribute, in_key: bool) -> Attribute:
    return attribute if attribute.in_key == in_key else attribute.replace(in_key=in_key)


def _ordered_by_key(attributes: Sequence[Attribute], key: Sequence[str]) -> Heading:
    by_name = {a.name: a for a in attributes}
    in_key = set(key)
    return Heading([by_name[k] for k in key] + [a for a in attributes if a.name not in in_key])


def check_aggregation(a: Heading, b: Heading) -> None:
    """``a.aggr(b)`` needs every primary-key attribute of ``a`` in ``b``."""
    missing = [n for n in a.primary_key if n not in b.attributes]
    if missing:
        raise DataJointError(
            "Aggregation requires the group expression to contain all primary key attributes "
            f"of the grouping expression. Missing attributes: {missing}."
        )


def union_heading(a: Heading, b: Heading) -> Heading:
    if set(a.primary_key) != set(b.primary_key):
        raise DataJointError("The operands of a union must share the same primary key.")
    shared = set(a.secondary_attributes) & set(b.secondary_attributes)
    if shared:
        raise DataJointError("The operands of a union must not share any secondary attributes.")
    # Keys found on one side only get NULL for the other side's attributes.
    key = [a[n] for n in a.primary_key]
    secondary = [a[n] for n in a.secondary_attributes] + [b[n] for n in b.secondary_attributes]
    return Heading(key + [x.as_nullable() for x in secondary])

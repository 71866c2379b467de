"""Attribute selection for ``proj``/``aggr`` and the attributes that SQL expressions compute."""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from ..query.heading import Attribute, Heading


def selected_attributes(heading: Heading, attributes: tuple[Any, ...]) -> list[str]:
    selected = list(heading.primary_key)
    excluded: set[str] = set()
    for item in attributes:
        if item is Ellipsis:
            selected += [n for n in heading.secondary_attributes if n not in selected]
            continue
        if not isinstance(item, str):
            raise DataJointError(f"{item!r} is not a valid data type for an attribute in .proj")
        if item.startswith("-"):
            name = item[1:].strip()
            if name in heading.primary_key:
                raise DataJointError(f"Cannot exclude primary key attribute `{name}`")
            if name not in heading.names:
                raise DataJointError(f"Attribute `{name}` not found.")
            excluded.add(name)
            if not any(a is Ellipsis for a in attributes):
                selected += [n for n in heading.secondary_attributes if n not in selected]
            continue
        if item not in heading.names:
            raise DataJointError(f"Attribute `{item}` not found.")
        if item not in selected:
            selected.append(item)
    return [n for n in selected if n not in excluded]


_COMPUTED = Attribute(
    name="",
    type="expression",
    original_type=None,
    in_key=False,
    nullable=True,
    default=None,
    comment="calculated attribute",
    autoincrement=False,
    numeric=False,
    string=False,
    uuid=False,
    json=False,
    is_blob=False,
    is_hidden=False,
    codec=None,
    store=None,
    unsupported=False,
    attribute_expression=None,
    dtype=object,
    lineage=None,
)


def computed_attribute(heading: Heading, name: str) -> Attribute:
    """An attribute whose values an SQL expression computes: secondary, no lineage."""
    return _COMPUTED.replace(name=name)

"""Join, aggregation and union on query expressions (§4.3, §4.6, §4.7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataJointError
from ..query.algebra import check_aggregation, join_heading, union_heading
from ..query.coerce import is_query
from ..query.heading import Heading
from ..query.nodes import Aggregate, Field, Join, Node, Union
from .computed import computed_attribute, selected_attributes

if TYPE_CHECKING:
    from .expression import QueryExpression


def operand(value: Any, operation: str) -> QueryExpression:
    """A query argument: table classes are instantiated; anything else is refused."""
    if isinstance(value, type) and hasattr(value, "definition"):
        value = value()
    if hasattr(value, "universal_attributes"):
        raise DataJointError(
            "table * dj.U(...) is no longer supported in DataJoint 2.0. "
            "Use dj.U(...) & table to get distinct values, or dj.U(...).aggr(table, ...)."
        )
    if not (is_query(value)):
        raise DataJointError(f"The argument of {operation} must be a QueryExpression")
    return value  # type: ignore[no-any-return]


class AlgebraMixin:
    """Binary operators; the host class provides ``node``, ``heading`` and ``_derive``."""

    if TYPE_CHECKING:

        @property
        def node(self) -> Node: ...
        @property
        def heading(self) -> Heading: ...
        def _derive(self, node: Node) -> QueryExpression: ...
        def _check_connection(self, other: Any) -> None: ...

    def join(self, other: Any, semantic_check: bool = True, left: bool = False) -> QueryExpression:
        other = operand(other, "join")
        self._check_connection(other)
        heading, using = join_heading(
            self.heading, other.heading, left=left, semantic_check=semantic_check
        )
        return self._derive(Join(self.node, other.node, using, left, heading))

    def __mul__(self, other: Any) -> QueryExpression:
        return self.join(other)

    def extend(self, other: Any, semantic_check: bool = True) -> QueryExpression:
        """Add ``other``'s attributes to every row, NULL where nothing matches (a left join)."""
        return self.join(other, semantic_check=semantic_check, left=True)

    def aggr(
        self,
        group: Any,
        *attributes: Any,
        exclude_nonmatching: bool = False,
        **computations: str,
    ) -> QueryExpression:
        """Per row of this query, aggregates over the matching rows of ``group``."""
        other = operand(group, "aggr")
        self._check_connection(other)
        heading = self.heading
        check_aggregation(heading, other.heading)
        joined, using = join_heading(heading, other.heading)
        kept = selected_attributes(heading, attributes)
        for name in computations:
            if name in kept:
                raise DataJointError(f"Attribute `{name}` already exists")
        fields = [Field(name) for name in kept] + [
            Field(name, expression=expression) for name, expression in computations.items()
        ]
        result = Heading(
            [heading[name] for name in kept]
            + [computed_attribute(heading, name) for name in computations]
        )
        join = Join(self.node, other.node, using, not exclude_nonmatching, joined)
        return self._derive(Aggregate(join, tuple(kept), tuple(fields), result, per_row=True))

    def __add__(self, other: Any) -> QueryExpression:
        if isinstance(other, type) and hasattr(other, "definition"):
            other = other()
        if not (is_query(other)):
            raise DataJointError(
                "A QueryExpression can only be unioned with another QueryExpression"
            )
        self._check_connection(other)
        heading = union_heading(self.heading, other.heading)
        return self._derive(Union(self.node, other.node, heading))

"""``dj.U``: the universal set. ``dj.U('a') & q`` gives the distinct values of ``a`` in ``q``;
``dj.U('a').aggr(q, n='count(*)')`` aggregates ``q`` grouped by ``a`` (§4.8)."""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from ..query.heading import Heading
from ..query.nodes import Aggregate, Distinct, Field, Project
from .computed import computed_attribute
from .expression import QueryExpression


class U:
    def __init__(self, *attributes: str) -> None:
        for name in attributes:
            if not isinstance(name, str):
                raise DataJointError(f"dj.U takes attribute names, got {name!r}")
        self.universal_attributes: tuple[str, ...] = tuple(attributes)

    def __repr__(self) -> str:
        return f"U({', '.join(map(repr, self.universal_attributes))})"

    def _query(self, other: Any, operation: str) -> QueryExpression:
        if isinstance(other, type) and hasattr(other, "definition"):
            other = other()
        if not isinstance(other, QueryExpression):
            raise DataJointError(operation)
        missing = [a for a in self.universal_attributes if a not in other.heading.names]
        if missing:
            raise DataJointError(f"Attributes {missing} not found in the group expression.")
        return other

    def __and__(self, other: Any) -> QueryExpression:
        query = self._query(other, "Set U can only be restricted with a QueryExpression.")
        names = self.universal_attributes
        heading = Heading([query.heading[n].replace(in_key=True) for n in names])
        project = Project(query.node, tuple(Field(n) for n in names), heading)
        return query._derive(Distinct(project, heading))

    def aggr(
        self, group: Any, *attributes: Any, exclude_nonmatching: bool = True, **computations: str
    ) -> QueryExpression:
        if not exclude_nonmatching:
            raise DataJointError(
                "Cannot set exclude_nonmatching=False when aggregating on a universal set."
            )
        if attributes:
            raise DataJointError("dj.U.aggr takes computations only (name='expression').")
        query = self._query(group, "dj.U.aggr requires a QueryExpression as the group argument.")
        names = self.universal_attributes
        fields = [Field(n) for n in names] + [
            Field(n, expression=e) for n, e in computations.items()
        ]
        heading = Heading(
            [query.heading[n].replace(in_key=True) for n in names]
            + [computed_attribute(query.heading, n) for n in computations]
        )
        return query._derive(Aggregate(query.node, names, tuple(fields), heading))

    def __mul__(self, other: Any) -> QueryExpression:
        raise DataJointError(
            "dj.U(...) * table is no longer supported in DataJoint 2.0. "
            "Use dj.U(...) & table or dj.U(...).aggr(table, ...)."
        )

    def __sub__(self, other: Any) -> QueryExpression:
        raise DataJointError(
            "dj.U(...) - table produces an infinite set and is not supported. "
            "Restrict the table instead: table - other."
        )

"""``QueryExpression``: the user-facing query object. Immutable; every operator returns a new one.

It holds a query node and the connection that runs it. Building, compiling and executing stay
apart: nodes come from ``query``, SQL from ``sql.compiler``, rows from ``db.fetch``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..db.connection import Connection
from ..errors import DataJointError
from ..query.coerce import Not, coerce, is_query
from ..query.conditions import TrueCondition
from ..query.heading import Heading
from ..query.nodes import Field, Limit, Node, Project, Restrict
from ..query.top import Top
from ..sql.compiler import Compiler
from .computed import computed_attribute, selected_attributes
from .fetching import FetchMixin
from .operators import AlgebraMixin

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_DUPLICATE = re.compile(r"\(\s*[a-z_][a-z0-9_]*\s*\)")


class QueryExpression(AlgebraMixin, FetchMixin):
    """A lazy description of a SELECT with a known heading and primary key."""

    _connection: Connection | None = None
    _node_override: Node | None = None

    # --- identity --------------------------------------------------------------------------------
    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise DataJointError("This query is not bound to a connection.")
        return self._connection

    @property
    def node(self) -> Node:
        if self._node_override is None:
            raise DataJointError("This query has no definition.")
        return self._node_override

    @property
    def heading(self) -> Heading:
        return self.node.heading

    @property
    def primary_key(self) -> list[str]:
        return self.heading.primary_key

    def _derive(self, node: Node) -> QueryExpression:
        result = object.__new__(type(self))
        result.__dict__.update(self.__dict__)
        result._node_override = node
        return result

    def compiler(self) -> Compiler:
        return Compiler(self.connection.dialect)

    def make_sql(self) -> str:
        sql, _ = self.compiler().sql(self.node)
        return sql

    # --- restriction -----------------------------------------------------------------------------
    def restrict(self, restriction: Any, semantic_check: bool = True) -> QueryExpression:
        if type(restriction) is dict:  # the common case: restriction by a key
            node = self.node
            condition = coerce(restriction, node.heading)
            if isinstance(condition, TrueCondition):
                return self._unmatched(restriction)
            return self._derive(Restrict(node, condition, node.heading))
        if isinstance(restriction, Top):
            return self._derive(Limit(self.node, restriction, self.heading))
        if isinstance(restriction, type) and hasattr(restriction, "definition"):
            restriction = restriction()
        self._check_connection(restriction)
        condition = coerce(restriction, self.heading, semantic_check=semantic_check)
        if isinstance(condition, TrueCondition):
            return self._unmatched(restriction) if isinstance(restriction, Mapping) else self
        return self._derive(Restrict(self.node, condition, self.heading))

    #: Keys of dict restrictions that matched no attribute (each restricted nothing).
    _unmatched_keys: tuple[tuple[str, ...], ...] = ()

    def _unmatched(self, restriction: Mapping[str, Any]) -> QueryExpression:
        """``self``, remembering a non-empty key dict that named no attribute of it: queries
        ignore such keys (a key may carry other tables' attributes), but a delete must not
        take "restricted by nothing" for "every row" (a typo in a key name)."""
        if not restriction:
            return self
        result = self._derive(self.node)
        result._unmatched_keys = (*self._unmatched_keys, tuple(str(k) for k in restriction))
        return result

    def _check_connection(self, other: Any) -> None:
        """Refuse queries from another connection, also inside Not, lists and AndLists."""
        if isinstance(other, Not):
            self._check_connection(other.restriction)
            return
        if isinstance(other, list | tuple | set):
            for item in other:
                self._check_connection(item)
            return
        other_connection = getattr(other, "_connection", None)
        if (
            other_connection is not None
            and is_query(other)
            and (other_connection is not self._connection)
        ):
            raise DataJointError(
                "Cannot operate on expressions from different connections. Ensure both operands "
                "use the same connection."
            )

    def __and__(self, restriction: Any) -> QueryExpression:
        return self.restrict(restriction)

    def __sub__(self, restriction: Any) -> QueryExpression:
        if isinstance(restriction, type) and hasattr(restriction, "definition"):
            restriction = restriction()
        return self.restrict(Not(restriction))

    def __neg__(self) -> Not:
        return Not(self)

    def __xor__(self, other: Any) -> QueryExpression:
        raise DataJointError(
            "The ^ operator has been removed in DataJoint 2.0. Use .restrict(other, "
            "semantic_check=False) for restrictions without semantic checking."
        )

    def __matmul__(self, other: Any) -> QueryExpression:
        raise DataJointError(
            "The @ operator has been removed in DataJoint 2.0. Use .join(other, "
            "semantic_check=False) for joins without semantic checking."
        )

    # --- projection ------------------------------------------------------------------------------
    def proj(self, *attributes: Any, **named: str) -> QueryExpression:
        """Keep, exclude (``'-a'``), rename (``new='old'``) or compute (``new='expr'``) attributes."""
        node = self.node
        heading = node.heading
        if named or not all(type(a) is str or a is Ellipsis for a in attributes):
            fields, projected = _projection(heading, attributes, named)
            return self._derive(Project(node, fields, projected))
        # A selection of names (``fetch1("x")`` in every make) is built once per heading: the
        # same Heading object then also finds its decoders and SQL shape already cached.
        cache: dict[tuple[Any, ...], tuple[tuple[Field, ...], Heading]]
        cache = heading.__dict__.setdefault("_projections", {})
        entry = cache.get(attributes)
        if entry is None:
            entry = _projection(heading, attributes, named)
            if len(cache) < 64:
                cache[attributes] = entry
        return self._derive(Project(node, entry[0], entry[1]))


def _projection(
    heading: Heading, attributes: tuple[Any, ...], named: dict[str, str]
) -> tuple[tuple[Field, ...], Heading]:
    """The fields and heading of ``proj(*attributes, **named)`` over ``heading``."""
    known = heading.attributes
    selected = selected_attributes(heading, attributes)
    renames = {
        new: old.strip()
        for new, old in named.items()
        if _IDENTIFIER.match(old.strip()) and old.strip() in known
    }
    duplicates = {
        new: old.strip()[1:-1].strip()
        for new, old in named.items()
        if _DUPLICATE.fullmatch(old.strip()) and old.strip()[1:-1].strip() in known
    }
    computed = {n: e for n, e in named.items() if n not in renames and n not in duplicates}
    for new in named:
        if (new in selected and new not in renames.values()) or list(named).count(new) > 1:
            raise DataJointError(f"Attribute `{new}` already exists")
    explicit = {a for a in attributes if isinstance(a, str)}
    renamed_away = set(renames.values()) - explicit
    fields: list[Field] = []
    attributes_out = []
    for name in heading.names:
        attribute = heading[name]
        new_names = [n for n, old in renames.items() if old == name]
        if (name in selected and name not in renamed_away) or (attribute.in_key and not new_names):
            fields.append(Field(name=name))
            attributes_out.append(attribute)
        for new in new_names:
            fields.append(Field(name=new, source=name))
            attributes_out.append(attribute.replace(name=new))
        for new, source in duplicates.items():
            if source == name:
                fields.append(Field(name=new, source=name))
                attributes_out.append(attribute.replace(name=new, in_key=False))
    for new, expression in computed.items():
        fields.append(Field(name=new, expression=expression))
        attributes_out.append(computed_attribute(heading, new))
    return tuple(fields), Heading(attributes_out)

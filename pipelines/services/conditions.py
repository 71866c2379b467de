"""JSON condition trees from the browser and from scripts, turned into engine restrictions.

The grammar (every value is a JSON value, bound as a parameter by the engine; every name is
checked against the table's heading or the pipeline's tables)::

    condition := {"attribute": name, "operator": op, "value": v}
               | {"and": [condition, ...]} | {"or": [condition, ...]} | {"not": condition}
               | {"table": {"schema": s, "name": T}, "where": condition?}
    op        := "=" "!=" "<" "<=" ">" ">=" "like" "not like"   (value: a scalar)
               | "in" "not in"                                    (value: a list)
               | "between"                                        (value: [low, high])
               | "is null" "is not null"                          (no value)

``{"table": …}`` keeps the rows that have a match in the other table (optionally restricted
itself): restriction by another table, a semijoin on the shared attributes. An error names the
place in the tree (``where.and[1].value``) and what was wrong there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pipelines.core as dj
from pipelines.core.query.conditions import Compare, InValues, negation
from pipelines.services.errors import Invalid

#: ``(schema, class name) -> the table as an engine query`` (checked against the pipeline).
TableResolver = Callable[[str, str], Any]

SCALAR_OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "like", "not like")
LIST_OPERATORS = ("in", "not in")
NULL_OPERATORS = ("is null", "is not null")
OPERATORS = (*SCALAR_OPERATORS, *LIST_OPERATORS, "between", *NULL_OPERATORS)
MAX_DEPTH = 10
MAX_NODES = 500
MAX_LIST = 5000


def restriction_from_json(
    tree: Any, heading_names: list[str], resolve: TableResolver, *, where: str = "where"
) -> Any:
    """An argument for ``query & …`` equivalent to ``tree`` (None or {} restricts nothing)."""
    if tree is None or tree == {}:
        return dj.AndList([])
    budget = [MAX_NODES]
    return _node(tree, set(heading_names), resolve, where, 0, budget)


def _node(
    tree: Any, names: set[str], resolve: TableResolver, at: str, depth: int, budget: list[int]
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise Invalid(f"The condition has more than {MAX_NODES} parts.", details={"at": at})
    if depth > MAX_DEPTH:
        raise Invalid(f"The condition nests deeper than {MAX_DEPTH}.", details={"at": at})
    if not isinstance(tree, dict):
        raise Invalid(f"{at}: a condition is a JSON object.", details={"at": at})
    keys = set(tree)
    if keys == {"and"} or keys == {"or"}:
        kind = "and" if "and" in tree else "or"
        items = tree[kind]
        if not isinstance(items, list):
            raise Invalid(f"{at}.{kind}: a list of conditions.", details={"at": f"{at}.{kind}"})
        parts = [
            _node(item, names, resolve, f"{at}.{kind}[{i}]", depth + 1, budget)
            for i, item in enumerate(items)
        ]
        return dj.AndList(parts) if kind == "and" else parts
    if keys == {"not"}:
        return dj.Not(_node(tree["not"], names, resolve, f"{at}.not", depth + 1, budget))
    if "table" in keys and keys <= {"table", "where"}:
        return _table(tree, resolve, at, depth, budget)
    if "attribute" in keys and keys <= {"attribute", "operator", "value"}:
        return _comparison(tree, names, at)
    raise Invalid(
        f"{at}: expected one of attribute/operator/value, and, or, not, or table/where; "
        f"got {sorted(keys)}.",
        details={"at": at},
    )


def _table(
    tree: dict[str, Any], resolve: TableResolver, at: str, depth: int, budget: list[int]
) -> Any:
    ref = tree["table"]
    if not isinstance(ref, dict) or set(ref) != {"schema", "name"}:
        raise Invalid(f'{at}.table: {{"schema": …, "name": …}}.', details={"at": f"{at}.table"})
    if not all(isinstance(v, str) for v in ref.values()):
        raise Invalid(f"{at}.table: schema and name are strings.", details={"at": f"{at}.table"})
    other = resolve(ref["schema"], ref["name"])
    inner = tree.get("where")
    if inner is not None:
        other = other & _node(
            inner, set(other.heading.names), resolve, f"{at}.where", depth + 1, budget
        )
    return other


def _comparison(tree: dict[str, Any], names: set[str], at: str) -> Any:
    attribute = tree["attribute"]
    if not isinstance(attribute, str) or attribute not in names:
        raise Invalid(
            f"{at}.attribute: the table has no attribute {attribute!r}.",
            details={"at": f"{at}.attribute", "attributes": sorted(names)},
        )
    operator = tree.get("operator", "=")
    if not isinstance(operator, str) or operator.lower() not in OPERATORS:
        raise Invalid(
            f"{at}.operator: {operator!r} is not one of {', '.join(OPERATORS)}.",
            details={"at": f"{at}.operator"},
        )
    operator = operator.lower()
    here = f"{at}.value"
    if operator in NULL_OPERATORS:
        if "value" in tree:
            raise Invalid(f"{here}: {operator} takes no value.", details={"at": here})
        return Compare(attribute, "=" if operator == "is null" else "!=", None)
    if "value" not in tree:
        raise Invalid(f"{here}: {operator} needs a value.", details={"at": here})
    value = tree["value"]
    if operator in LIST_OPERATORS or operator == "between":
        if not isinstance(value, list) or len(value) > MAX_LIST:
            raise Invalid(f"{here}: a list of at most {MAX_LIST} values.", details={"at": here})
        if operator == "between":
            if len(value) != 2:
                raise Invalid(f"{here}: between takes [low, high].", details={"at": here})
            _check_scalars(value, here)
            return dj.AndList(
                [Compare(attribute, ">=", value[0]), Compare(attribute, "<=", value[1])]
            )
        _check_scalars(value, here)
        found = InValues(attribute, tuple(value))
        return negation(found) if operator == "not in" else found
    _check_scalars([value], here)
    if value is None:
        raise Invalid(f"{here}: compare with null using 'is null'.", details={"at": here})
    return Compare(attribute, operator, value)


def _check_scalars(values: list[Any], at: str) -> None:
    for value in values:
        if isinstance(value, dict | list):
            raise Invalid(
                f"{at}: values are strings, numbers, booleans or null.", details={"at": at}
            )

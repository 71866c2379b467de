"""The Python that runs a checked query plan ("show the code"), for a notebook or a script.

The text uses the engine's public API (``import pipelines.core as dj``, virtual schemas, ``&``,
``*``, ``proj``, ``aggr``, ``dj.U``, ``to_dicts``) and writes every value as a Python literal.
Conditions use DataJoint's idioms where they mean exactly the same as the portal's condition
(``{"a": 1}``, ``dj.Not``, ``dj.AndList``, a list for OR, a table for a semijoin), and the engine's
structured ``Compare``/``InValues`` otherwise, so the snippet returns the rows the portal showed.
"""

from __future__ import annotations

import keyword
import math
from typing import Any

from pipelines.services.query_spec import Aggregation, Operand, Projection, QueryPlan
from pipelines.services.tables import TableName

CONDITIONS_MODULE = "pipelines.core.query.conditions"
#: Names the snippet itself uses: a schema with such a name gets a ``_schema`` suffix.
RESERVED = frozenset(["dj", "query", "rows", "total", "len", "Compare", "InValues"])
#: Up to this many values, ``in`` is written as DataJoint's list of keys.
LIST_OF_KEYS = 20


def render_code(plan: QueryPlan) -> str:
    return CodeRenderer().plan(plan)


def python_literal(value: Any) -> str:
    """A JSON scalar as Python source (double-quoted strings where possible); a list of them
    becomes a tuple."""
    if isinstance(value, str):
        text = repr(value)
        return f'"{text[1:-1]}"' if text[0] == "'" and '"' not in value else text
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, list | tuple):
        items = [python_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return repr(value)


class CodeRenderer:
    def __init__(self) -> None:
        self.modules: dict[str, str] = {}
        self.imports: set[str] = set()

    def plan(self, plan: QueryPlan) -> str:
        body = [f"query = {self.table(plan.table)}()"]
        for join in plan.joins:
            other = self.operand(join.operand)
            body.append(
                f"query = query.join({other}, left=True)"
                if join.left
                else f"query = query * {other}"
            )
        body += self.restrictions(plan.where)
        if plan.aggregate is not None:
            body.append(self.aggregate(plan.aggregate))
        body += self.restrictions(plan.having)
        if plan.project is not None:
            body.append(f"query = query.proj({self.projection(plan.project)})")
        body += ["", "total = len(query)", f"rows = query.to_dicts({self.fetch(plan)})"]
        header = ["import pipelines.core as dj"]
        if self.imports:
            header.append(f"from {CONDITIONS_MODULE} import {', '.join(sorted(self.imports))}")
        header.append("")
        header += [f'{var} = dj.virtual_schema("{schema}")' for schema, var in self.modules.items()]
        return "\n".join([*header, "", *body]) + "\n"

    # --- tables and operands ---------------------------------------------------------------------
    def module(self, schema: str) -> str:
        if schema not in self.modules:
            taken = set(self.modules.values())
            var = schema
            if keyword.iskeyword(var) or var in RESERVED or var in taken:
                var = f"{schema}_schema"
            self.modules[schema] = var
        return self.modules[schema]

    def table(self, table: TableName) -> str:
        return f"{self.module(table.schema)}.{table.name}"

    def reference(self, ref: dict[str, str]) -> str:
        return f"{self.module(ref['schema'])}.{ref['name']}"

    def operand(self, operand: Operand) -> str:
        text = self.restricted(self.table(operand.table), operand.where)
        if operand.project is not None:
            text = f"{text}.proj({self.projection(operand.project)})"
        return text

    def projection(self, projection: Projection) -> str:
        args = ["..."] if projection.keep is None else [python_literal(k) for k in projection.keep]
        args += [python_literal(f"-{name}") for name in projection.exclude]
        return ", ".join(args + self.keywords(list(projection.rename)))

    def aggregate(self, aggregation: Aggregation) -> str:
        computed = self.keywords([(c.name, c.expression) for c in aggregation.computations])
        if aggregation.group is None:
            universe = f"dj.U({', '.join(python_literal(n) for n in aggregation.group_by)})"
            if not computed:
                return f"query = {universe} & query"
            return f"query = {universe}.aggr(query, {', '.join(computed)})"
        args = [self.operand(aggregation.group)]
        keep = aggregation.keep
        args += ["..."] if keep is None else [python_literal(k) for k in keep]
        if not aggregation.keep_all_rows:
            args.append("exclude_nonmatching=True")
        return f"query = query.aggr({', '.join(args + computed)})"

    @staticmethod
    def keywords(pairs: list[tuple[str, str]]) -> list[str]:
        """``name="value"`` arguments; a name that is a Python keyword goes into ``**{…}``."""
        plain = [f"{k}={python_literal(v)}" for k, v in pairs if not keyword.iskeyword(k)]
        odd = [
            f"{python_literal(k)}: {python_literal(v)}" for k, v in pairs if keyword.iskeyword(k)
        ]
        return plain + ([f"**{{{', '.join(odd)}}}"] if odd else [])

    def fetch(self, plan: QueryPlan) -> str:
        args = []
        if plan.order_by:
            args.append(f"order_by=[{', '.join(python_literal(o) for o in plan.order_by)}]")
        args.append(f"limit={plan.limit}")
        if plan.offset:
            args.append(f"offset={plan.offset}")
        return ", ".join(args)

    # --- conditions --------------------------------------------------------------------------------
    def conjuncts(self, tree: Any) -> list[tuple[str, str]]:
        """The top level of a condition as ``(operator, operand)`` steps: AND becomes a chain of
        ``&``, NOT becomes ``-``."""
        if tree is None or tree == {}:
            return []
        if set(tree) == {"and"}:
            return [step for item in tree["and"] for step in self.conjuncts(item)]
        if set(tree) == {"not"}:
            return [("-", self.condition(tree["not"]))]
        return [("&", self.condition(tree))]

    def restrictions(self, tree: Any) -> list[str]:
        return [f"query = query {op} {text}" for op, text in self.conjuncts(tree)]

    def restricted(self, text: str, tree: Any) -> str:
        for op, condition in self.conjuncts(tree):
            text = f"({text} {op} {condition})"
        return text

    def condition(self, tree: dict[str, Any]) -> str:
        keys = set(tree)
        if keys == {"and"}:
            return f"dj.AndList([{', '.join(self.condition(i) for i in tree['and'])}])"
        if keys == {"or"}:
            return f"[{', '.join(self.condition(i) for i in tree['or'])}]"
        if keys == {"not"}:
            return f"dj.Not({self.condition(tree['not'])})"
        if "table" in keys:
            return self.restricted(self.reference(tree["table"]), tree.get("where"))
        return self.comparison(tree["attribute"], str(tree.get("operator", "=")).lower(), tree)

    def comparison(self, attribute: str, operator: str, tree: dict[str, Any]) -> str:
        value: Any = tree.get("value")
        if operator in ("=", "!=") and value != "":
            key = self.key(attribute, value)  # "" would mean NULL to a key of a numeric attribute
            return key if operator == "=" else f"dj.Not({key})"
        if operator in ("is null", "is not null"):
            key = self.key(attribute, None)
            return key if operator == "is null" else f"dj.Not({key})"
        if operator in ("in", "not in"):
            found = self.membership(attribute, value)
            return found if operator == "in" else f"dj.Not({found})"
        if operator == "between":
            low = self.compare(attribute, ">=", value[0])
            high = self.compare(attribute, "<=", value[1])
            return f"dj.AndList([{low}, {high}])"
        return self.compare(attribute, operator, value)

    @staticmethod
    def key(attribute: str, value: Any) -> str:
        return f"{{{python_literal(attribute)}: {python_literal(value)}}}"

    def compare(self, attribute: str, operator: str, value: Any) -> str:
        self.imports.add("Compare")
        args = ", ".join(python_literal(v) for v in (attribute, operator, value))
        return f"Compare({args})"

    def membership(self, attribute: str, values: list[Any]) -> str:
        if len(values) <= LIST_OF_KEYS and not any(v is None or v == "" for v in values):
            return f"[{', '.join(self.key(attribute, v) for v in values)}]"
        self.imports.add("InValues")
        return f"InValues({python_literal(attribute)}, {python_literal(values)})"

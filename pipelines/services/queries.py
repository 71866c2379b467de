"""Structured queries over a pipeline's tables: a JSON spec (see ``query_spec``) checked step by
step against the tables and headings it names, built with the engine's algebra, fetched as
JSON-safe rows, and shown as the Python that does the same (``query_code``).

Nothing from the client becomes SQL text: tables are found through the tables service,
attribute names are checked against the heading at their step, values reach the engine as
values (bound parameters), and the only SQL the service writes itself are aggregate calls
(``avg(`rt`)``) over names it has just checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pipelines.core as dj
from pipelines.core.errors import LockTimeoutError, LostConnectionError
from pipelines.core.query.heading import Attribute
from pipelines.models import Pipeline
from pipelines.services.conditions import restriction_from_json
from pipelines.services.data import data_connection
from pipelines.services.json_values import json_row
from pipelines.services.query_code import render_code
from pipelines.services.query_spec import (
    COMPUTATION_KEYS,
    DEFAULT_LIMIT,
    FUNCTIONS,
    MAX_COMPUTATIONS,
    MAX_JOINS,
    MAX_LIMIT,
    MAX_NAMES,
    MAX_OFFSET,
    NUMERIC_FUNCTIONS,
    OPERAND_KEYS,
    PROJECTION_KEYS,
    ROOT,
    SPEC_KEYS,
    UNSUPPORTED_FUNCTIONS,
    Aggregation,
    Computation,
    Join,
    Operand,
    Projection,
    QueryPlan,
    check_text,
    expect_attribute,
    expect_attributes,
    expect_bool,
    expect_int,
    expect_keep,
    expect_list,
    expect_new_name,
    expect_object,
    fail,
    order_items,
)
from pipelines.services.tables import TableName, table_list, table_query

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONDITION_DEPTH = 12


@dataclass(frozen=True)
class QueryResult:
    #: ``{"name", "type"}`` per column, in heading order.
    columns: list[dict[str, str]]
    primary_key: list[str]
    rows: list[dict[str, Any]]
    #: Rows of the whole query (before limit and offset); None when not asked for.
    count: int | None
    code: str


def query_run(*, pipeline: Pipeline, spec: Any, count: bool = True) -> QueryResult:
    """Run ``spec`` on the pipeline's tables: a page of rows, the total, and the code."""
    plan, query = query_build(pipeline=pipeline, spec=spec)
    heading = query.heading
    fetched, blob_sizes = _without_blobs(query)
    order = list(plan.order_by) or None
    rows = fetched.to_dicts(order_by=order, limit=plan.limit, offset=plan.offset)
    names = heading.names
    return QueryResult(
        columns=[{"name": n, "type": _type_of(heading[n])} for n in names],
        primary_key=list(heading.primary_key),
        rows=[json_row({n: row.get(n) for n in names}, blob_sizes) for row in rows],
        count=len(query) if count else None,
        code=render_code(plan),
    )


def query_code(*, pipeline: Pipeline, spec: Any) -> str:
    """The Python that runs ``spec`` (checked as ``query_run`` checks it; nothing is fetched)."""
    plan, _ = query_build(pipeline=pipeline, spec=spec)
    return render_code(plan)


def query_build(*, pipeline: Pipeline, spec: Any) -> tuple[QueryPlan, Any]:
    """The checked plan of ``spec`` and the engine query it describes (not yet run)."""
    check_text(spec)
    spec = expect_object(spec, ROOT, SPEC_KEYS, ("table",))
    builder = _Builder(pipeline)
    table = builder.table(spec["table"], "table")
    query: Any = table_query(table)
    joins = []
    for i, item in enumerate(expect_list(spec.get("join", []), "join", MAX_JOINS)):
        here = f"join[{i}]"
        item = expect_object(item, here, OPERAND_KEYS | {"left"}, ("table",))
        left = expect_bool(item.get("left", False), f"{here}.left")
        operand, other = builder.operand(item, here)
        with engine_errors(here):
            query = query.join(other, left=left)
        joins.append(Join(operand, left))
    where = _tree(spec.get("where"))
    query = builder.restrict(query, where, "where")
    aggregate = None
    if spec.get("aggregate") is not None:
        aggregate, query = builder.aggregate(query, spec["aggregate"], "aggregate")
    having = _tree(spec.get("having"))
    if having is not None and aggregate is None:
        raise fail("having", "restricts the result of an aggregate; use where otherwise.")
    query = builder.restrict(query, having, "having")
    project = None
    if spec.get("project") is not None:
        project, query = builder.project(query, spec["project"], "project")
    plan = QueryPlan(
        table=table,
        joins=tuple(joins),
        where=where,
        aggregate=aggregate,
        having=having,
        project=project,
        order_by=order_items(
            spec.get("order_by"), "order_by", query.heading.names, query.primary_key
        ),
        limit=expect_int(spec.get("limit", DEFAULT_LIMIT), "limit", 1, MAX_LIMIT),
        offset=expect_int(spec.get("offset", 0), "offset", 0, MAX_OFFSET),
    )
    return plan, query


@contextmanager
def engine_errors(at: str) -> Iterator[None]:
    """The engine's refusals (lineage, keys, names) as errors that name the place; a lost or
    locked database stays the server's trouble."""
    try:
        yield
    except (LostConnectionError, LockTimeoutError):
        raise
    except dj.DataJointError as error:
        raise fail(at, str(error)) from error


class _Builder:
    """Checks each part of a spec against what the step before it produced, and builds it."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.dialect = data_connection().dialect.name
        self._tables: dict[str, dict[str, TableName]] = {}

    def table(self, ref: Any, at: str) -> TableName:
        ref = expect_object(ref, at, frozenset(["schema", "name"]), ("schema", "name"))
        schema, name = ref["schema"], ref["name"]
        if not isinstance(schema, str) or schema not in self.pipeline.schemas:
            raise fail(f"{at}.schema", f"no schema {schema!r} in this pipeline.")
        tables = self._tables.get(schema)
        if tables is None:
            tables = {t.name: t for t in table_list(pipeline=self.pipeline, schema=schema)}
            self._tables[schema] = tables
        if not isinstance(name, str) or name not in tables:
            raise fail(f"{at}.name", f"no table {name!r} in schema {schema!r}.")
        return tables[name]

    def _check_tables(self, tree: Any, at: str, depth: int = 0) -> None:
        """Find every table a condition names first, so an unknown one is reported where it is."""
        if not isinstance(tree, dict) or depth > _CONDITION_DEPTH:
            return  # the condition parser reports shapes and depth
        if "table" in tree:
            self.table(tree["table"], f"{at}.table")
            self._check_tables(tree.get("where"), f"{at}.where", depth + 1)
        for kind in ("and", "or"):
            if isinstance(tree.get(kind), list):
                for i, item in enumerate(tree[kind]):
                    self._check_tables(item, f"{at}.{kind}[{i}]", depth + 1)
        self._check_tables(tree.get("not"), f"{at}.not", depth + 1)

    def restrict(self, query: Any, tree: Any, at: str) -> Any:
        if tree is None:
            return query
        self._check_tables(tree, at)

        def resolve(schema: str, name: str) -> Any:
            return table_query(self.table({"schema": schema, "name": name}, at))

        with engine_errors(at):
            restricted = query & restriction_from_json(tree, query.heading.names, resolve, where=at)
            restricted.make_sql()  # values are encoded here: a wrong one is reported at its step
        return restricted

    def operand(self, spec: dict[str, Any], at: str) -> tuple[Operand, Any]:
        table = self.table(spec["table"], f"{at}.table")
        where = _tree(spec.get("where"))
        query = self.restrict(table_query(table), where, f"{at}.where")
        projection = None
        if spec.get("project") is not None:
            projection, query = self.project(query, spec["project"], f"{at}.project")
        return Operand(table, where, projection), query

    def project(self, query: Any, spec: Any, at: str) -> tuple[Projection, Any]:
        spec = expect_object(spec, at, PROJECTION_KEYS)
        heading = query.heading
        keep = expect_keep(spec.get("keep", "all"), f"{at}.keep", heading.names)
        exclude = expect_attributes(spec.get("exclude", []), f"{at}.exclude", heading.names)
        if exclude and keep is not None:
            raise fail(f"{at}.exclude", 'excludes from "keep": "all" only.')
        for i, name in enumerate(exclude):
            if name in heading.primary_key:
                raise fail(f"{at}.exclude[{i}]", f"{name!r} is in the primary key.")
        renames = spec.get("rename", {})
        if not isinstance(renames, dict) or len(renames) > MAX_NAMES:
            raise fail(f"{at}.rename", "expected an object {new name: attribute}.")
        rename = tuple(
            (
                expect_new_name(new, f"{at}.rename"),
                expect_attribute(old, f"{at}.rename.{new}", heading.names),
            )
            for new, old in renames.items()
        )
        projection = Projection(keep, exclude, rename)
        args: list[Any] = [...] if keep is None else list(keep)
        args += [f"-{name}" for name in exclude]
        with engine_errors(at):
            return projection, query.proj(*args, **dict(rename))

    def aggregate(self, query: Any, spec: Any, at: str) -> tuple[Aggregation, Any]:
        if isinstance(spec, dict) and "group_by" in spec:
            return self._grouped(query, spec, at)
        spec = expect_object(
            spec, at, OPERAND_KEYS | {"compute", "keep", "keep_all_rows"}, ("table",)
        )
        group, group_query = self.operand(spec, at)
        keep = expect_keep(spec.get("keep", "all"), f"{at}.keep", query.heading.names)
        keep_all = expect_bool(spec.get("keep_all_rows", True), f"{at}.keep_all_rows")
        count_all = _count_matches(query.heading, group_query.heading) if keep_all else "count(*)"
        computations = self.computations(
            spec.get("compute", []), at, group_query.heading, count_all
        )
        args: list[Any] = [...] if keep is None else list(keep)
        expressions = {c.name: c.expression for c in computations}
        with engine_errors(at):
            query = query.aggr(group_query, *args, exclude_nonmatching=not keep_all, **expressions)
        return Aggregation(computations, group, (), keep, keep_all), query

    def _grouped(self, query: Any, spec: dict[str, Any], at: str) -> tuple[Aggregation, Any]:
        spec = expect_object(spec, at, frozenset(["group_by", "compute"]))
        group_by = expect_attributes(spec["group_by"], f"{at}.group_by", query.heading.names)
        computations = self.computations(spec.get("compute", []), at, query.heading, "count(*)")
        if not group_by and not computations:
            raise fail(f"{at}.group_by", "name an attribute, or compute something.")
        for i, computation in enumerate(computations):
            if computation.name in group_by:
                raise fail(f"{at}.compute[{i}].name", f"{computation.name!r} is grouped by.")
        universe: Any = dj.U(*group_by)
        with engine_errors(at):
            if not computations:
                return Aggregation((), None, group_by), universe & query
            expressions = {c.name: c.expression for c in computations}
            return Aggregation(computations, None, group_by), universe.aggr(query, **expressions)

    def computations(
        self, items: Any, at: str, heading: Any, count_all: str | None
    ) -> tuple[Computation, ...]:
        """``compute`` items as SQL aggregates over ``heading``'s attributes; ``count_all`` is
        what ``count`` of ``*`` becomes (None: nothing can count the matches)."""
        result: list[Computation] = []
        for i, item in enumerate(expect_list(items, f"{at}.compute", MAX_COMPUTATIONS)):
            here = f"{at}.compute[{i}]"
            item = expect_object(item, here, COMPUTATION_KEYS, tuple(sorted(COMPUTATION_KEYS)))
            name = expect_new_name(item["name"], f"{here}.name")
            if any(c.name == name for c in result):
                raise fail(f"{here}.name", f"{name!r} is computed twice.")
            function = self._function(item["function"], f"{here}.function")
            expression = _expression(function, item["attribute"], heading, count_all, here)
            result.append(Computation(name, expression))
        return tuple(result)

    def _function(self, function: Any, at: str) -> str:
        if not isinstance(function, str) or function not in FUNCTIONS:
            raise fail(at, f"one of {', '.join(FUNCTIONS)}.")
        if function in UNSUPPORTED_FUNCTIONS.get(self.dialect, ()):
            raise fail(at, f"{function} is not available on this data database ({self.dialect}).")
        return function


def _expression(function: str, attribute: Any, heading: Any, count_all: str | None, at: str) -> str:
    if attribute == "*":
        if function != "count":
            raise fail(f"{at}.attribute", '"*" goes with count only.')
        if count_all is None:
            raise fail(
                f"{at}.attribute",
                "nothing tells matched rows from unmatched ones here: count an attribute, or "
                "set keep_all_rows to false.",
            )
        return count_all
    name = expect_attribute(attribute, f"{at}.attribute", heading.names)
    if not _PLAIN_NAME.fullmatch(name) or _is_blob(heading[name]):
        raise fail(f"{at}.attribute", f"{name!r} cannot be aggregated.")
    if function in NUMERIC_FUNCTIONS and not heading[name].numeric:
        raise fail(f"{at}.attribute", f"{function} needs a numeric attribute; {name!r} is not.")
    if function == "count_distinct":
        return f"count(DISTINCT `{name}`)"
    return f"{function}(`{name}`)"


def _count_matches(heading: Any, group: Any) -> str | None:
    """``count`` of the group's matching rows when unmatched rows are kept (a LEFT JOIN, where
    ``count(*)`` would count an unmatched row as 1): count a column that only the group has and
    that is never NULL in a matching row."""
    own = [n for n in group.primary_key if n not in heading.names]
    own += [
        n for n in group.secondary_attributes if n not in heading.names and not group[n].nullable
    ]
    plain = [n for n in own if _PLAIN_NAME.fullmatch(n)]
    return f"count(`{plain[0]}`)" if plain else None


def _tree(tree: Any) -> Any:
    return None if tree is None or tree == {} else tree


def _is_blob(attribute: Attribute) -> bool:
    """Blobs and codec values (attachments, objects in stores) are shown by size only."""
    return bool(attribute.codec is not None or attribute.type.startswith("<") or attribute.is_blob)


def _type_of(attribute: Attribute) -> str:
    return attribute.original_type or attribute.type


def _without_blobs(query: Any) -> tuple[Any, frozenset[str]]:
    """The query with each blob replaced by its size in bytes: listing rows never reads (or
    decodes, or downloads) a blob's content."""
    heading = query.heading
    blobs = [n for n in heading.secondary_attributes if _is_blob(heading[n])]
    if not blobs:
        return query, frozenset()
    plain = [n for n in heading.secondary_attributes if n not in blobs]
    sizes = {n: f"length(`{n}`)" for n in blobs if _PLAIN_NAME.fullmatch(n)}
    return query.proj(*plain, **sizes), frozenset(sizes)

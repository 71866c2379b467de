"""Plots computed on the server: a request names a table, optionally a condition, what to plot
and how much detail the screen can take; the answer is small (binned, down-sampled) whatever the
size of the data, and carries the Python that draws the same plot.

    {"table": {"schema", "name"}, "kind": "histogram", "x": a, "where"?: c, "bins"?: 30}
    {"table": …, "kind": "scatter" | "line", "x": a, "y": b, "group_by"?: g, "where"?: c,
     "max_points"?: 2000}
    {"table": …, "kind": "blob", "key": {primary key}, "attribute": blob, "view"?: "line" |
     "image", "max_points"?: 2000}

Every name is checked against the table's heading; plotted columns must be numeric and a blob
must hold a numeric array of one or two dimensions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

import pipelines.core as dj
from pipelines.core.errors import LockTimeoutError, LostConnectionError
from pipelines.models import Pipeline
from pipelines.services.errors import Invalid, NotFound
from pipelines.services.plots_code import blob_code, histogram_code, points_code
from pipelines.services.plots_math import (
    block_means,
    finite_floats,
    histogram,
    json_floats,
    line_indices,
    sample_indices,
    summary,
)
from pipelines.services.query_spec import (
    ROOT,
    check_text,
    expect_attribute,
    expect_int,
    expect_object,
    fail,
)
from pipelines.services.row_tables import RowTable, key_of, key_out, one_row, restricted, row_table
from pipelines.services.rows_read import after_key
from pipelines.services.values import plain_out

KINDS = ("histogram", "scatter", "line", "blob")
#: The keys each kind takes beside ``table`` and ``kind``.
KIND_KEYS = {
    "histogram": frozenset(["where", "x", "bins"]),
    "scatter": frozenset(["where", "x", "y", "group_by", "max_points"]),
    "line": frozenset(["where", "x", "y", "group_by", "max_points"]),
    "blob": frozenset(["key", "attribute", "view", "max_points"]),
}
ALL_KEYS = frozenset(["table", "kind"]).union(*KIND_KEYS.values())
DEFAULT_BINS = 30
MAX_BINS = 500
DEFAULT_POINTS = 2000
MIN_POINTS = 10
MAX_POINTS = 20_000
#: Series of a grouped scatter or line plot.
MAX_GROUPS = 20
#: Rows read for one plot; more must be narrowed with a condition first.
MAX_ROWS = 2_000_000
#: Rows fetched per query: a plot reads its rows in key order a chunk at a time (as the CSV
#: export does) and keeps only the plotted numbers, never a dict of every row at once.
READ_CHUNK = 50_000
#: Lines drawn from one 2-D array (one per row); a taller array is shown as an image.
MAX_LINES = 32
#: Cells of a heat map along each side.
MAX_CELLS = 256
VIEWS = ("line", "image")


def plot_make(*, pipeline: Pipeline, spec: Any) -> dict[str, Any]:
    """The plot ``spec`` asks for, as JSON, with its ``code``."""
    check_text(spec)
    spec = expect_object(spec, ROOT, ALL_KEYS, ("table", "kind"))
    kind = spec["kind"]
    if kind not in KINDS:
        raise fail("kind", f"one of {', '.join(KINDS)}.")
    unused = sorted(set(spec) - KIND_KEYS[kind] - {"table", "kind"})
    if unused:
        raise fail(unused[0], f"not used by a {kind} plot.", keys=unused)
    target = _table(pipeline, spec["table"])
    if kind == "blob":
        return _blob(target, spec)
    query = _restricted(target, spec.get("where"))
    if kind == "histogram":
        return _histogram(target, query, spec)
    return _points(target, query, spec, kind)


def _table(pipeline: Pipeline, ref: Any) -> RowTable:
    ref = expect_object(ref, "table", frozenset(["schema", "name"]), ("schema", "name"))
    schema, name = ref["schema"], ref["name"]
    if not isinstance(schema, str) or not isinstance(name, str):
        raise fail("table", "schema and name are strings.")
    try:
        return row_table(pipeline=pipeline, schema=schema, name=name)
    except NotFound as error:
        raise fail("table", error.message) from None


def _restricted(target: RowTable, where: Any) -> Any:
    if where == {}:
        where = None
    try:
        query = restricted(target, where)
        query.make_sql()  # a value the attribute cannot take is reported here, as bad input
    except Invalid as error:
        raise Invalid(error.message, details={"at": "where", **error.details}) from None
    except (LostConnectionError, LockTimeoutError):
        raise
    except dj.DataJointError as error:
        raise fail("where", str(error)) from error
    rows = len(query)
    if rows > MAX_ROWS:
        raise fail("where", f"{rows} rows match; plot at most {MAX_ROWS}: narrow the condition.")
    return query


def _chunks(query: Any, names: list[str]) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``query`` (their key and ``names``) in key order, ``READ_CHUNK`` at a time:
    each chunk is its own query after the last key read."""
    key = query.heading.primary_key
    projected = query.proj(*[n for n in dict.fromkeys(names) if n not in key])
    page = projected
    while True:
        rows = page.to_dicts(order_by=key or None, limit=READ_CHUNK if key else None)
        yield rows
        if not key or len(rows) < READ_CHUNK:
            return
        page = projected & after_key(key, rows[-1])


def _numeric(target: RowTable, value: Any, at: str) -> str:
    name = expect_attribute(value, at, target.heading.names)
    attribute = target.heading[name]
    if target.kinds[name].name != "plain" or not attribute.numeric:
        raise fail(at, f"{name!r} is not numeric ({attribute.original_type or attribute.type}).")
    return name


def _histogram(target: RowTable, query: Any, spec: dict[str, Any]) -> dict[str, Any]:
    if "x" not in spec:
        raise fail("x", "is required: the numeric attribute to count.")
    x = _numeric(target, spec["x"], "x")
    bins = expect_int(spec.get("bins", DEFAULT_BINS), "bins", 1, MAX_BINS)
    values = np.concatenate([finite_floats(row[x] for row in rows) for rows in _chunks(query, [x])])
    edges, counts = histogram(values, bins)
    finite = int(np.isfinite(values).sum())
    return {
        "kind": "histogram",
        "x": x,
        "edges": edges,
        "counts": counts,
        "rows": int(values.size),
        "missing": int(values.size) - finite,
        "summary": summary(values),
        "code": histogram_code(target.name, spec.get("where"), x, bins),
    }


def _points(target: RowTable, query: Any, spec: dict[str, Any], kind: str) -> dict[str, Any]:
    for key in ("x", "y"):
        if key not in spec:
            raise fail(key, f"is required: the numeric attribute along {key}.")
    x = _numeric(target, spec["x"], "x")
    y = _numeric(target, spec["y"], "y")
    group_by = spec.get("group_by")
    if group_by is not None:
        group_by = expect_attribute(group_by, "group_by", target.heading.names)
        if not target.kinds[group_by].sortable:
            raise fail("group_by", f"{group_by!r} cannot group rows (blobs and JSON cannot).")
    max_points = expect_int(
        spec.get("max_points", DEFAULT_POINTS), "max_points", MIN_POINTS, MAX_POINTS
    )
    x_parts, y_parts, groups = [], [], []
    for rows in _chunks(query, [x, y] + ([group_by] if group_by else [])):
        x_parts.append(finite_floats(row[x] for row in rows))
        y_parts.append(finite_floats(row[y] for row in rows))
        groups += [plain_out(row[group_by]) if group_by else None for row in rows]
    xs, ys = np.concatenate(x_parts), np.concatenate(y_parts)
    distinct = sorted(
        set(groups), key=lambda g: (g is None, str(type(g)), g if g is not None else 0)
    )
    if len(distinct) > MAX_GROUPS:
        raise fail(
            "group_by",
            f"{group_by!r} has {len(distinct)} values; a plot shows at most {MAX_GROUPS} groups.",
        )
    budget = max(1, max_points // max(1, len(distinct)))
    label = np.array(groups, dtype=object)
    series = []
    shown = 0
    for group in distinct:
        mine = np.flatnonzero(label == group) if group_by else np.arange(xs.size)
        gx, gy = xs[mine], ys[mine]
        both = np.isfinite(gx) & np.isfinite(gy)
        gx, gy = gx[both], gy[both]
        if kind == "line":
            order = np.argsort(gx, kind="stable")
            gx, gy = gx[order], gy[order]
            keep = line_indices(gy, budget)
        else:
            keep = sample_indices(gx.size, budget)
        shown += int(keep.size)
        series.append(
            {
                "group": group,
                "rows": int(gx.size),
                "x": json_floats(gx[keep]),
                "y": json_floats(gy[keep]),
            }
        )
    return {
        "kind": kind,
        "x": x,
        "y": y,
        "group_by": group_by,
        "rows": int(xs.size),
        "shown": shown,
        "series": series,
        "code": points_code(target.name, spec.get("where"), kind, x, y, group_by),
    }


def _blob(target: RowTable, spec: dict[str, Any]) -> dict[str, Any]:
    for required in ("key", "attribute"):
        if required not in spec:
            raise fail(required, "is required for a blob plot.")
    attribute = expect_attribute(spec["attribute"], "attribute", target.heading.names)
    if target.kinds[attribute].name != "blob":
        raise fail("attribute", f"{attribute!r} is not a <blob> attribute.")
    view = spec.get("view")
    if view is not None and view not in VIEWS:
        raise fail("view", f"one of {', '.join(VIEWS)}.")
    max_points = expect_int(
        spec.get("max_points", DEFAULT_POINTS), "max_points", MIN_POINTS, MAX_POINTS
    )
    key = key_of(target, spec["key"])
    try:
        value = one_row(target, key).fetch1(attribute)
    except (LostConnectionError, LockTimeoutError):
        raise
    except dj.DataJointError as error:
        raise fail("key", str(error)) from error
    if value is None:
        raise fail("attribute", f"{attribute!r} is empty in this row.")
    values = _numeric_array(value, attribute).astype(np.float64)
    stored = np.asarray(value)  # an array now: _numeric_array refused anything else
    view = view or ("image" if values.ndim == 2 else "line")
    result: dict[str, Any] = {
        "kind": "blob",
        "attribute": attribute,
        "key": key_out(key),
        "shape": list(stored.shape),
        "dtype": str(stored.dtype),
        "summary": summary(values),
        "view": view,
        "code": blob_code(target.name, key_out(key), attribute, view),
    }
    if view == "image":
        if values.ndim != 2:
            raise fail("view", f"an image needs a 2-D array; this one has shape {result['shape']}.")
        cells, row_step, col_step = block_means(values, MAX_CELLS)
        result["image"] = {
            "rows": int(cells.shape[0]),
            "cols": int(cells.shape[1]),
            "row_step": row_step,
            "col_step": col_step,
            "values": [json_floats(row) for row in cells],
        }
        return result
    lines = np.atleast_2d(values)
    if lines.shape[0] > MAX_LINES:
        raise fail(
            "view",
            f"{lines.shape[0]} rows are too many lines (at most {MAX_LINES}); show it as an image.",
        )
    result["lines"] = []
    for index, line in enumerate(lines):
        keep = line_indices(line, max_points)
        result["lines"].append(
            {"index": index, "x": [int(i) for i in keep], "y": json_floats(line[keep])}
        )
    return result


def _numeric_array(value: Any, attribute: str) -> np.ndarray:
    """The blob's value as a numeric array of one or two dimensions (single-length dimensions
    dropped); anything else is refused."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise fail("attribute", f"{attribute!r} does not hold an array.") from None
    if array.dtype.kind not in "biuf":
        raise fail(
            "attribute",
            f"{attribute!r} holds {array.dtype} values, not a numeric array.",
            dtype=str(array.dtype),
        )
    squeezed = np.squeeze(array)
    if squeezed.ndim == 0 or squeezed.ndim > 2:
        raise fail(
            "attribute",
            f"{attribute!r} has shape {list(array.shape)}: a plot shows a 1-D or 2-D array.",
            shape=list(array.shape),
        )
    return squeezed

"""The Python that draws a plot ("show the code"): pipelines.core fetches the values, numpy and
matplotlib do what the portal did on the server (the portal only down-samples for the screen;
the script plots every value)."""

from __future__ import annotations

from typing import Any

from pipelines.services.query_code import CodeRenderer, python_literal
from pipelines.services.tables import TableName

PLOT_IMPORTS = ["import matplotlib.pyplot as plt", "import numpy as np", ""]


def _as_floats(name: str, source: str) -> str:
    """Missing values (None) become NaN, decimals floats."""
    return f"{name} = np.array([np.nan if v is None else float(v) for v in {source}])"


def _script(renderer: CodeRenderer, body: list[str]) -> str:
    header = [*PLOT_IMPORTS, "import pipelines.core as dj"]
    if renderer.imports:
        header.append(
            f"from pipelines.core.query.conditions import {', '.join(sorted(renderer.imports))}"
        )
    header.append("")
    header += [f'{var} = dj.virtual_schema("{schema}")' for schema, var in renderer.modules.items()]
    return "\n".join([*header, "", *body, "plt.show()"]) + "\n"


def _query(renderer: CodeRenderer, table: TableName, where: Any) -> list[str]:
    return [f"query = {renderer.table(table)}()", *renderer.restrictions(where)]


def histogram_code(table: TableName, where: Any, x: str, bins: int) -> str:
    renderer = CodeRenderer()
    body = _query(renderer, table, where)
    body += [
        _as_floats("values", f"query.to_arrays({python_literal(x)})"),
        "values = values[np.isfinite(values)]",
        "",
        f"plt.hist(values, bins={bins})",
        f"plt.xlabel({python_literal(x)})",
        'plt.ylabel("rows")',
    ]
    return _script(renderer, body)


def points_code(
    table: TableName, where: Any, kind: str, x: str, y: str, group_by: str | None
) -> str:
    renderer = CodeRenderer()
    body = _query(renderer, table, where)
    names = [x, y] + ([group_by] if group_by else [])
    fetched = ", ".join(python_literal(n) for n in names)
    targets = "xs, ys, groups" if group_by else "xs, ys"
    body.append(f'{targets} = query.to_arrays({fetched}, order_by="KEY")')
    body += [_as_floats("xs", "xs"), _as_floats("ys", "ys"), ""]
    draw = (
        "plt.scatter(xs[mine], ys[mine], s=6{label})"
        if kind == "scatter"
        else "plt.plot(xs[mine][order], ys[mine][order]{label})"
    )
    if group_by:
        body += ["for group in sorted(set(groups.tolist()), key=str):"]
        body += ["    mine = np.array([g == group for g in groups.tolist()])"]
        if kind == "line":
            body.append("    order = np.argsort(xs[mine])")
        body += [
            "    " + draw.format(label=", label=str(group)"),
            f"plt.legend(title={python_literal(group_by)})",
        ]
    else:
        body.append("mine = np.ones(len(xs), dtype=bool)")
        if kind == "line":
            body.append("order = np.argsort(xs)")
        body.append(draw.format(label=""))
    body += [f"plt.xlabel({python_literal(x)})", f"plt.ylabel({python_literal(y)})"]
    return _script(renderer, body)


def blob_code(table: TableName, key: dict[str, Any], attribute: str, view: str) -> str:
    renderer = CodeRenderer()
    restriction = ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in key.items())
    body = [
        f"value = ({renderer.table(table)} & {{{restriction}}}).fetch1({python_literal(attribute)})",
        "array = np.squeeze(np.asarray(value, dtype=float))",
        'print(array.shape, np.asarray(value).dtype, "min", np.nanmin(array), '
        '"max", np.nanmax(array), "mean", np.nanmean(array))',
        "",
    ]
    if view == "image":
        body += [
            'plt.imshow(array, aspect="auto", interpolation="nearest", cmap="viridis")',
            f"plt.colorbar(label={python_literal(attribute)})",
            'plt.xlabel("column")',
            'plt.ylabel("row")',
        ]
    else:
        body += [
            "for index, line in enumerate(np.atleast_2d(array)):",
            '    plt.plot(line, linewidth=0.8, label=f"row {index}")',
            "plt.legend()",
            'plt.xlabel("sample")',
            f"plt.ylabel({python_literal(attribute)})",
        ]
    return _script(renderer, body)

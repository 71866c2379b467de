"""The numbers behind a plot, small enough to send to a browser: histogram bins, down-sampled
points and lines, heat-map cells, and an array's summary. Pure numpy, no database.

Down-sampling keeps what the eye looks for: a line keeps each bucket's lowest and highest point
(so spikes survive), a scatter keeps evenly spaced points in key order, a heat map shows the mean
of each block of cells.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite_floats(values: Any) -> np.ndarray:
    """``values`` (numbers, decimals, None) as float64, NaN for a missing value."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def json_floats(values: np.ndarray) -> list[float | None]:
    """Floats for JSON: NaN and infinities become null."""
    return [float(v) if math.isfinite(v) else None for v in values.tolist()]


def summary(values: np.ndarray) -> dict[str, float | None]:
    """min, max and mean of the finite values (null when there are none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"min": None, "max": None, "mean": None}
    return {
        "min": float(finite.min()),
        "max": float(finite.max()),
        "mean": float(finite.mean()),
    }


def histogram(values: np.ndarray, bins: int) -> tuple[list[float], list[int]]:
    """Edges (bins + 1) and counts of the finite values; an empty or constant column still gets
    ``bins`` bins (around its one value, or over [0, 1])."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        low, high = 0.0, 1.0
    else:
        low, high = float(finite.min()), float(finite.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    return [float(e) for e in edges], [int(c) for c in counts]


def sample_indices(n: int, max_points: int) -> np.ndarray:
    """At most ``max_points`` evenly spaced indices of ``range(n)``, first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


def line_indices(y: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` points of a line (in order): the line is cut into
    ``max_points // 2`` buckets and each keeps its lowest and its highest point (the first of
    equal ones; a bucket with no finite value keeps its first point)."""
    n = y.size
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, max_points // 2)
    bounds = np.linspace(0, n, buckets + 1).round().astype(np.int64)
    sizes = np.diff(bounds)
    starts = bounds[:-1][sizes > 0]
    sizes = sizes[sizes > 0]
    filled = np.where(np.isfinite(y), y, np.nan)
    index = np.arange(n)
    kept = []
    for extreme in (np.fmin, np.fmax):  # NaN-ignoring, whole buckets at once
        value = extreme.reduceat(filled, starts)
        first = np.minimum.reduceat(np.where(filled == np.repeat(value, sizes), index, n), starts)
        kept.append(np.where(np.isnan(value), starts, first))
    return np.unique(np.concatenate(kept)).astype(np.int64)


def block_means(image: np.ndarray, max_cells: int) -> tuple[np.ndarray, int, int]:
    """A 2-D array shrunk to at most ``max_cells`` × ``max_cells`` by the mean of each block
    (NaN ignored); returns the cells and the block's height and width."""
    rows, cols = image.shape
    row_step = max(1, math.ceil(rows / max_cells))
    col_step = max(1, math.ceil(cols / max_cells))
    if row_step == 1 and col_step == 1:
        return image.astype(np.float64), 1, 1
    out_rows, out_cols = math.ceil(rows / row_step), math.ceil(cols / col_step)
    padded = np.full((out_rows * row_step, out_cols * col_step), np.nan)
    padded[:rows, :cols] = np.where(np.isfinite(image), image, np.nan)
    blocks = padded.reshape(out_rows, row_step, out_cols, col_step)
    counts = np.isfinite(blocks).sum(axis=(1, 3))
    sums = np.nansum(blocks, axis=(1, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return means, row_step, col_step

"""Binning, down-sampling, block means and summaries of the plot service (pure numpy)."""

from __future__ import annotations

import itertools

import numpy as np

from pipelines.services.plots_math import (
    block_means,
    finite_floats,
    histogram,
    json_floats,
    line_indices,
    sample_indices,
    summary,
)


def test_histogram_counts_the_finite_values_as_numpy_does() -> None:
    values = np.array([0.0, 1.0, 1.5, 2.0, 9.0, 10.0, np.nan])
    edges, counts = histogram(values, 5)
    expected, expected_edges = np.histogram(values[:-1], bins=5, range=(0.0, 10.0))
    assert counts == expected.tolist() == [3, 1, 0, 0, 2]
    assert edges == expected_edges.tolist()
    assert sum(counts) == 6  # NaN is left out


def test_histogram_of_a_constant_or_empty_column_still_has_its_bins() -> None:
    edges, counts = histogram(np.array([3.0, 3.0]), 4)
    assert edges[0] == 2.5 and edges[-1] == 3.5 and len(edges) == 5
    assert sum(counts) == 2
    edges, counts = histogram(np.array([np.nan]), 3)
    assert counts == [0, 0, 0] and edges[0] == 0.0 and edges[-1] == 1.0


def test_sample_indices_are_evenly_spaced_with_both_ends() -> None:
    assert sample_indices(5, 10).tolist() == [0, 1, 2, 3, 4]
    picked = sample_indices(1001, 11)
    assert picked.tolist() == list(range(0, 1001, 100))


def test_line_down_sampling_keeps_each_buckets_extremes() -> None:
    y = np.sin(np.arange(10_000) / 50)
    y[4321] = 50.0
    y[777] = -50.0
    keep = line_indices(y, 200)
    assert keep.size <= 200
    assert np.all(np.diff(keep) > 0)  # in order, no point twice
    assert 4321 in keep and 777 in keep
    assert y[keep].max() == y.max() and y[keep].min() == y.min()


def test_line_down_sampling_leaves_short_lines_and_survives_missing_values() -> None:
    assert line_indices(np.arange(5.0), 10).tolist() == [0, 1, 2, 3, 4]
    y = np.full(100, np.nan)
    y[50] = 1.0
    keep = line_indices(y, 10)
    assert keep.size <= 10 and 50 in keep


def test_block_means_average_each_block_and_ignore_missing_cells() -> None:
    image = np.arange(16, dtype=float).reshape(4, 4)
    cells, row_step, col_step = block_means(image, 2)
    assert (row_step, col_step) == (2, 2)
    assert cells.tolist() == [[2.5, 4.5], [10.5, 12.5]]
    image[0, 0] = np.nan
    cells, _, _ = block_means(image, 2)
    assert cells[0, 0] == (1 + 4 + 5) / 3


def test_block_means_of_a_side_that_does_not_divide_evenly() -> None:
    image = np.ones((5, 600))
    cells, row_step, col_step = block_means(image, 256)
    assert cells.shape == (5, 200) and (row_step, col_step) == (1, 3)
    cells, row_step, _ = block_means(np.arange(5.0).reshape(5, 1), 2)
    assert row_step == 3 and cells[:, 0].tolist() == [1.0, 3.5]  # the last block holds 2 rows


def test_summaries_and_json_floats_leave_out_what_json_cannot_hold() -> None:
    values = finite_floats([1, None, "2.5", 4.5])
    assert np.isnan(values[1])
    assert summary(values) == {"min": 1.0, "max": 4.5, "mean": 8.0 / 3}
    assert summary(np.array([np.nan])) == {"min": None, "max": None, "mean": None}
    assert json_floats(np.array([1.0, np.nan, np.inf])) == [1.0, None, None]


def test_line_down_sampling_matches_a_bucket_by_bucket_reading() -> None:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 5, 1000).astype(float)  # many equal values: the first one is kept
    y[rng.random(1000) < 0.3] = np.nan
    y[100:160] = np.nan  # whole buckets without a value keep their first point
    y[500] = np.inf
    bounds = np.linspace(0, 1000, 41).round().astype(int)
    expected: list[int] = []
    for start, stop in itertools.pairwise(bounds.tolist()):
        part = np.where(np.isfinite(y[start:stop]), y[start:stop], np.nan)
        if np.all(np.isnan(part)):
            expected.append(int(start))
        else:
            low, high = start + np.nanargmin(part), start + np.nanargmax(part)
            expected += sorted({int(low), int(high)})
    assert line_indices(y, 80).tolist() == expected

"""The demo pipeline: its signal arithmetic, and a full populate on both backends."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pytest

import pipelines.core as dj
import pipelines.demo.pipeline
from pipelines.demo.signals import (
    SPIKE_AMPLITUDE,
    detect_spikes,
    planted_rate,
    robust_sigma,
    synthesize_traces,
)


# --- signals (no database) --------------------------------------------------------------------------
def test_synthesized_traces_are_deterministic_per_seed() -> None:
    first = synthesize_traces([3, 1], 2, 0.5, 5_000.0)
    again = synthesize_traces([3, 1], 2, 0.5, 5_000.0)
    other = synthesize_traces([3, 2], 2, 0.5, 5_000.0)
    assert first.shape == (2, 2_500)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_detection_finds_exactly_the_planted_spikes() -> None:
    traces = synthesize_traces([1, 0], 4, 2.0, 10_000.0)
    counts = [detect_spikes(trace, 10_000.0).size for trace in traces]
    assert counts == [round(planted_rate(unit) * 2.0) for unit in range(4)] == [8, 16, 24, 32]


def test_robust_sigma_ignores_the_spikes() -> None:
    trace = synthesize_traces([7, 7], 1, 1.0, 10_000.0)[0]
    assert 0.9 < robust_sigma(trace) < 1.1
    assert trace.max() > SPIKE_AMPLITUDE - 4


def test_detection_counts_one_spike_per_crossing_and_one_at_the_start() -> None:
    trace = np.clip(np.random.default_rng(0).standard_normal(1_000), -3, 3)
    trace[[0, 1, 2, 500, 501, 503]] = 20.0  # 503: a second crossing inside the refractory period
    assert detect_spikes(trace, 10_000.0).tolist() == [0, 500]


# --- the pipeline on a database ---------------------------------------------------------------------
@pytest.fixture
def demo(conn: dj.Connection, schema_name: str) -> Iterator[ModuleType]:
    """A fresh copy of the demo module (its schema is a module singleton) bound to a new schema."""
    module = importlib.reload(pipelines.demo.pipeline)
    module.load_sample_data(conn, schema_name)
    yield module
    if conn.in_transaction:
        conn.cancel_transaction()
    module.schema.drop(prompt=False)


def test_sample_data_is_loaded_once_however_often_it_is_called(demo: ModuleType) -> None:
    demo.load_sample_data()
    assert len(demo.Species()) == 2
    assert len(demo.Subject()) == 3
    assert len(demo.Session()) == 6


def test_populate_computes_the_planted_rates_for_every_session(demo: ModuleType) -> None:
    assert demo.Recording.populate()["success_count"] == 6
    assert demo.SpikeRate.populate()["success_count"] == 6
    assert demo.SpikeRate.populate()["success_count"] == 0
    units = demo.SpikeRate.Unit().to_dicts(order_by=["subject_id", "session_idx", "unit"])
    assert len(units) == 6 * demo.N_UNITS
    assert {u["rate"] for u in units if u["unit"] == 0} == {planted_rate(0)}
    assert [u["rate"] for u in units[:4]] == [4.0, 8.0, 12.0, 16.0]
    assert all(4.0 < u["threshold"] < 6.0 for u in units)
    rows = demo.SpikeRate().to_dicts(order_by=["subject_id", "session_idx"])
    # Session idx 0 lasts 2 s and idx 1 lasts 3 s: (4+8+12+16) Hz x duration spikes.
    assert [r["total_spikes"] for r in rows] == [80, 120] * 3
    assert all(r["mean_rate"] == pytest.approx(10.0) for r in rows)


def test_recording_holds_the_traces_make_synthesized(demo: ModuleType) -> None:
    key = {"subject_id": 2, "session_idx": 1}
    demo.Recording.populate(key)
    stored = (demo.Recording & key).fetch1("traces")
    expected = synthesize_traces([2, 1], demo.N_UNITS, 3.0, demo.SAMPLING_RATE)
    np.testing.assert_array_equal(stored, expected)
    assert len(demo.Recording()) == 1


def test_spike_rate_progress_counts_sessions_with_recordings(demo: ModuleType) -> None:
    assert demo.SpikeRate.progress(display=False) == (0, 0)
    demo.Recording.populate({"subject_id": 1})
    assert demo.SpikeRate.progress(display=False) == (2, 2)
    demo.SpikeRate.populate(reserve_jobs=True)
    assert demo.SpikeRate.progress(display=False) == (0, 2)


def test_recording_of_a_session_without_duration_fails_with_a_clear_error(
    demo: ModuleType,
) -> None:
    empty = {"subject_id": 1, "session_idx": 9}
    demo.Session().insert1({**empty, "session_date": "2026-07-01", "duration": 0.0})
    with pytest.raises(ValueError, match=r"no recorded duration \(duration=0\.0\)"):
        demo.Recording.populate(empty)
    errors = demo.Recording.populate(suppress_errors=True)
    assert errors["success_count"] == 6
    assert len(errors["error_list"]) == 1
    assert len(demo.Recording & empty) == 0

"""The numerical side of the demo: synthetic voltage traces and spike detection, pure numpy.

Kept apart from the table classes so the arithmetic can be read (and tested) without a database.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Planted firing rate of unit ``u`` (Hz): units fire at 4, 8, 12, … spikes per second.
RATE_STEP_HZ = 4.0
SPIKE_AMPLITUDE = 12.0
REFRACTORY_S = 0.002
#: Detection threshold in robust noise units (median absolute deviation scaled to sigma).
THRESHOLD_SIGMAS = 5.0

Trace = np.ndarray[Any, np.dtype[np.float64]]


def planted_rate(unit: int) -> float:
    return RATE_STEP_HZ * (unit + 1)


def synthesize_traces(
    seed: list[int], n_units: int, duration_s: float, sampling_rate: float
) -> Trace:
    """Unit-variance noise plus sharp spikes at exactly each unit's planted rate, one row per unit.

    ``seed`` comes from the session's primary key, so a given session always yields the same
    traces: the stand-in for reading a raw data file from disk.
    """
    rng = np.random.default_rng(seed)
    n_samples = round(duration_s * sampling_rate)
    traces = rng.standard_normal((n_units, n_samples))
    gap = int(np.ceil(REFRACTORY_S * sampling_rate)) * 2
    for unit in range(n_units):
        count = min(round(planted_rate(unit) * duration_s), n_samples // (gap + 1))
        # Spikes on a jittered grid stay at least `gap` samples apart, so none merge.
        slots = rng.choice(n_samples // (gap + 1), size=count, replace=False)
        traces[unit, np.sort(slots) * (gap + 1)] += SPIKE_AMPLITUDE
    return traces


def robust_sigma(trace: Trace) -> float:
    """Noise level from the median absolute deviation, insensitive to the spikes themselves."""
    return float(np.median(np.abs(trace - np.median(trace))) / 0.6745)


def detect_spikes(trace: Trace, sampling_rate: float) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Sample indices of threshold crossings, one per spike (a refractory period apart)."""
    threshold = THRESHOLD_SIGMAS * robust_sigma(trace)
    above = trace > threshold
    onsets = np.flatnonzero(above[1:] & ~above[:-1]) + 1
    if above.size and above[0]:
        onsets = np.concatenate(([0], onsets))
    refractory = max(1, int(REFRACTORY_S * sampling_rate))
    kept: list[int] = []
    for onset in onsets.tolist():
        if not kept or onset - kept[-1] >= refractory:
            kept.append(onset)
    return np.asarray(kept, dtype=np.int64)

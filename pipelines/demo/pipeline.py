"""The demo pipeline: Species → Subject → Session → Recording → SpikeRate (+ SpikeRate.Unit).

The schema is deferred: nothing touches a database until :func:`activate` is called, which is
also the hook ``joinery populate`` uses (``activate(connection, schema_name)``)::

    joinery populate pipelines.demo.pipeline:SpikeRate --database-url sqlite:///demo.sqlite3
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

import pipelines.core as dj

from .signals import THRESHOLD_SIGMAS, detect_spikes, robust_sigma, synthesize_traces

schema = dj.Schema()

SAMPLING_RATE = 10_000.0
N_UNITS = 4


@schema
class Species(dj.Lookup):
    definition = """
    species : varchar(32)
    ---
    common_name : varchar(64)
    """
    contents = [
        {"species": "Mus musculus", "common_name": "house mouse"},
        {"species": "Rattus norvegicus", "common_name": "brown rat"},
    ]


@schema
class Subject(dj.Manual):
    definition = """
    subject_id : int32
    ---
    -> Species
    date_of_birth : date
    """


@schema
class Session(dj.Manual):
    definition = """
    -> Subject
    session_idx : int16
    ---
    session_date : date
    duration : float64   # seconds recorded
    """


@schema
class Recording(dj.Imported):
    definition = """
    -> Session
    ---
    sampling_rate : float64   # Hz
    n_units : int16
    traces : <blob>           # (n_units, n_samples) voltage, noise units
    """

    def make(self, key: dict[str, Any]) -> None:
        session = (Session & key).fetch1()
        duration = float(session["duration"])
        if not duration > 0:  # nothing was recorded: there is no trace to open
            raise ValueError(f"Session has no recorded duration (duration={duration})")
        # A real pipeline would open the session's raw file here; the seed stands in for it.
        traces = synthesize_traces(
            [int(key["subject_id"]), int(key["session_idx"])],
            N_UNITS,
            duration,
            SAMPLING_RATE,
        )
        self.insert1({**key, "sampling_rate": SAMPLING_RATE, "n_units": N_UNITS, "traces": traces})


@schema
class SpikeRate(dj.Computed):
    definition = """
    -> Recording
    ---
    total_spikes : int32
    mean_rate : float64   # Hz, averaged over units
    """

    class Unit(dj.Part):
        definition = """
        -> master
        unit : int16
        ---
        spike_count : int32
        rate : float64          # Hz
        threshold : float64     # detection threshold (noise units)
        """

    def make(self, key: dict[str, Any]) -> None:
        recording = (Recording & key).fetch1()
        traces = np.atleast_2d(recording["traces"])
        rate = float(recording["sampling_rate"])
        duration = traces.shape[1] / rate
        units = []
        for unit, trace in enumerate(traces):
            # Reported live in the portal (and where a cancelled run stops a long key).
            self.progress_update(unit / len(traces), f"unit {unit + 1} of {len(traces)}")
            spikes = detect_spikes(trace, rate)
            units.append(
                {
                    **key,
                    "unit": unit,
                    "spike_count": int(spikes.size),
                    "rate": spikes.size / duration,
                    "threshold": THRESHOLD_SIGMAS * robust_sigma(trace),
                }
            )
        total = sum(u["spike_count"] for u in units)
        self.insert1({**key, "total_spikes": total, "mean_rate": total / duration / len(units)})
        self.Unit().insert(units)


SUBJECTS = [
    {"subject_id": 1, "species": "Mus musculus", "date_of_birth": dt.date(2026, 1, 5)},
    {"subject_id": 2, "species": "Mus musculus", "date_of_birth": dt.date(2026, 2, 11)},
    {"subject_id": 3, "species": "Rattus norvegicus", "date_of_birth": dt.date(2025, 12, 1)},
]


def sample_sessions() -> list[dict[str, Any]]:
    """Two sessions a subject, a week apart, of 2 and 3 seconds."""
    return [
        {
            "subject_id": subject["subject_id"],
            "session_idx": idx,
            "session_date": dt.date(2026, 6, 1) + dt.timedelta(days=7 * idx),
            "duration": 2.0 + idx,
        }
        for subject in SUBJECTS
        for idx in range(2)
    ]


def activate(connection: dj.Connection | None = None, schema_name: str = "demo") -> dj.Schema:
    """Bind the demo tables to ``schema_name`` on ``connection`` (default: ``dj.conn()``)."""
    schema.activate(schema_name, connection=connection)
    return schema


def load_sample_data(connection: dj.Connection | None = None, schema_name: str = "demo") -> None:
    """Activate the schema if needed and insert the sample subjects and sessions (idempotent)."""
    if schema.database is None:
        activate(connection, schema_name)
    Subject().insert(SUBJECTS, skip_duplicates=True)
    Session().insert(sample_sessions(), skip_duplicates=True)

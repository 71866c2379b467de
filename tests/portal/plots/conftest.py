# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""A small pipeline for the plot tests (both data backends): numbers to bin, points to plot in
groups, and rows holding arrays (1-D, 2-D, too many dimensions, not numbers)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.models import Pipeline
from pipelines.services.data import data_connection

#: Rows of Sample; value is i / 10, wave a sine with one spike.
N_SAMPLES = 300
SPIKE_AT = 137


def wave(i: int) -> float:
    return 100.0 if i == SPIKE_AT else float(np.sin(i / 10))


def declare_plots(schema_name: str) -> SimpleNamespace:
    schema = dj.Schema(schema_name, connection=data_connection())

    @schema
    class Sample(dj.Manual):
        definition = """
        sample_id : int32
        ---
        value : float64
        wave : float64
        grp : varchar(8)
        score = null : decimal(5,2)
        label : varchar(16)
        ok : bool
        """

    @schema
    class Array(dj.Manual):
        definition = """
        array_id : int16
        ---
        data = null : <blob>
        meta = null : json
        """

    Sample.insert(
        [
            {
                "sample_id": i,
                "value": i / 10,
                "wave": wave(i),
                "grp": "ab"[i % 2],
                "score": None if i % 3 == 0 else f"{i % 7}.50",
                "label": f"s{i}",
                "ok": i % 2 == 0,
            }
            for i in range(N_SAMPLES)
        ]
    )
    Array.insert(
        [
            {"array_id": 1, "data": np.arange(5000, dtype="float32"), "meta": {"a": 1}},
            {"array_id": 2, "data": np.arange(600, dtype="int16").reshape(3, 200), "meta": None},
            {"array_id": 3, "data": np.ones((300, 520)), "meta": None},
            {"array_id": 4, "data": np.zeros((2, 2, 2)), "meta": None},
            {"array_id": 5, "data": ["a", "b"], "meta": None},
            {"array_id": 6, "data": None, "meta": None},
            {"array_id": 7, "data": np.ones((40, 10)), "meta": None},
        ]
    )
    return SimpleNamespace(schema=schema, Sample=Sample, Array=Array)


@pytest.fixture
def plots_lab(data_schema: str, pipeline: Pipeline) -> SimpleNamespace:
    """The ``lab`` pipeline (of the persona fixtures) owning one schema with the plot tables."""
    tables = declare_plots(data_schema)
    pipeline.schemas = [data_schema]
    pipeline.save()
    tables.pipeline = pipeline
    tables.name = data_schema
    return tables

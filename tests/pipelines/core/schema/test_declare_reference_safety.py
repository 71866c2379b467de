# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""A ``->`` reference is evaluated over the declaration context only: no builtins."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipelines.core as dj


def test_a_reference_cannot_call_builtins(schema: dj.Schema, tmp_path: Path) -> None:
    probe = tmp_path / "probe.txt"

    @schema
    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        """

    with pytest.raises(dj.DataJointError, match="could not be resolved"):

        @schema
        class Child(dj.Manual):
            definition = f"""
            -> (open({str(probe)!r}, "w") and Parent)
            child_id : int32
            """

    assert not probe.exists()
    assert "child" not in schema.list_tables()

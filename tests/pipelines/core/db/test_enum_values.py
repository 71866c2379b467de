# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""Enum members are matched with their case, as declared."""

from __future__ import annotations

import pytest

import pipelines.core as dj


def test_enum_members_keep_their_case(schema: dj.Schema) -> None:
    @schema
    class Animal(dj.Manual):
        definition = """
        animal : int32
        ---
        sex : enum('F', 'M', 'unknown')
        """

    Animal.insert([{"animal": 1, "sex": "F"}, {"animal": 2, "sex": "unknown"}])
    assert sorted(Animal.to_arrays("sex").tolist()) == ["F", "unknown"]
    assert len(Animal & {"sex": "F"}) == 1
    with pytest.raises(dj.DataJointError, match="sex"):
        Animal.insert1({"animal": 3, "sex": "f"})
    assert len(Animal()) == 2

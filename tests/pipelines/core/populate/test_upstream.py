# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""``self.upstream`` inside ``make`` (spec/engine.md §5.3): the key's ancestors, restricted."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj


@pytest.fixture
def lab(schema: dj.Schema) -> SimpleNamespace:
    seen: dict[Any, Any] = {}

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        species : varchar(16)
        """

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)
        """
        contents = [("A",), ("B",)]

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> Rig
        """

    @schema
    class Unrelated(dj.Manual):
        definition = """
        thing : int16
        """

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Session
        ---
        species : varchar(16)
        """

        def make(self, key: dict[str, Any]) -> None:
            upstream = self.upstream
            assert self.upstream is upstream  # built once per key
            seen[key["subject_id"], key["session"]] = (
                upstream[Subject].to_dicts(),
                upstream[Rig].to_arrays("rig").tolist(),
                upstream[Session].keys(),
            )
            with pytest.raises(dj.DataJointError, match="not in this trace"):
                upstream[Unrelated]
            self.insert1({**key, "species": upstream[Subject].fetch1("species")})

    Subject.insert([(1, "mouse"), (2, "rat")])
    Session.insert([(1, 1, "A"), (1, 2, "B"), (2, 1, "B")])
    return SimpleNamespace(Subject=Subject, Summary=Summary, seen=seen)


def test_upstream_restricts_every_ancestor_to_the_key(lab: SimpleNamespace) -> None:
    assert lab.Summary.populate()["success_count"] == 3
    subjects, rigs, sessions = lab.seen[1, 2]
    assert subjects == [{"subject_id": 1, "species": "mouse"}]
    assert rigs == ["B"]  # reached through the secondary foreign key
    assert sessions == [{"subject_id": 1, "session": 2}]
    assert lab.seen[2, 1][1] == ["B"]
    assert dict(zip(*lab.Summary.to_arrays("subject_id", "species"), strict=True)) == {
        1: "mouse",
        2: "rat",
    }


def test_upstream_outside_make_is_refused(lab: SimpleNamespace) -> None:
    with pytest.raises(dj.DataJointError, match="only available inside make"):
        _ = lab.Summary().upstream

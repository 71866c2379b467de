# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""A key dict that names no attribute restricts nothing; a delete by it is refused (§12 item 15)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import pipelines.core as dj


@pytest.fixture
def lab(schema: dj.Schema) -> SimpleNamespace:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        """

    Subject.insert({"subject_id": i} for i in range(3))
    Session.insert({"subject_id": i, "session": 1} for i in range(3))
    return SimpleNamespace(Subject=Subject, Session=Session)


@pytest.mark.parametrize("operation", ["delete", "delete_quick", "delete_preview"])
def test_a_typo_in_a_key_name_deletes_nothing(lab: SimpleNamespace, operation: str) -> None:
    typo = lab.Session & {"subjet_id": 1}
    assert len(typo) == 3  # queries keep ignoring keys of other tables
    with pytest.raises(dj.DataJointError, match="`subjet_id` names no attribute"):
        getattr(typo, operation)()
    assert len(lab.Session()) == 3 and len(lab.Subject()) == 3


def test_the_guard_survives_further_restrictions_and_class_level_use(lab: SimpleNamespace) -> None:
    with pytest.raises(dj.DataJointError, match="names no attribute"):
        ((lab.Subject & {"sid": 0}) & "subject_id > 0").delete()
    with pytest.raises(dj.DataJointError, match="names no attribute"):
        (lab.Subject & {"typo": 1, "other": 2}).delete_quick()
    assert len(lab.Subject()) == 3


def test_keys_that_match_and_empty_dicts_still_delete(lab: SimpleNamespace) -> None:
    (lab.Session & {"subject_id": 1, "unrelated": "x"}).delete()
    assert len(lab.Session()) == 2
    (lab.Session & {}).delete_quick()  # an empty dict restricts nothing, on purpose
    assert len(lab.Session()) == 0

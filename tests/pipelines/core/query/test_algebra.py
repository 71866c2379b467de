"""Heading rules of the algebra (spec/engine.md §4.3, §4.4, §4.6, §4.7, §4.13), no database.

Headings are built by hand: each table's key attributes carry their own lineage, foreign-key
attributes the parent's, native secondaries none.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.core.errors import DataJointError
from pipelines.core.query.algebra import (
    check_aggregation,
    determines,
    join_heading,
    union_heading,
)
from pipelines.core.query.heading import ColumnInfo, Heading


def table(name: str, key: str, secondary: str = "", **lineage: str) -> Heading:
    """A heading ``key | secondary`` (space-separated names, all non-null ints).

    Key attributes default to their own lineage ``db.<name>.<attr>``; ``lineage`` overrides
    (foreign keys) or adds lineage to secondaries.
    """
    keys, others = key.split(), secondary.split()
    columns = [ColumnInfo(n, "int", False, None, ":int32:", True) for n in keys] + [
        ColumnInfo(n, "int", False, None, ":int32:", False) for n in others
    ]
    origins = {n: f"db.{name}.{n}" for n in keys} | lineage
    return Heading.from_columns(columns, origins)


SUBJECT = table("subject", "subject_id", "name age")
SESSION = table("session", "subject_id session", "kind", subject_id="db.subject.subject_id")
KEEPER = table("keeper", "subject_id keeper", "keeper_name", subject_id="db.subject.subject_id")
RIG = table("rig", "rig_id", "rig_name")
BOOKING = table("booking", "booking_id", "rig_id", rig_id="db.rig.rig_id")
SLOT = table("slot", "rig_id slot", "", rig_id="db.rig.rig_id")
NOTE = table("note", "subject_id", "note", subject_id="db.subject.subject_id")

JOIN_HEADING_BUG = (
    "join_heading, 'neither' case: B's key attributes are added only when not in A's attributes "
    "(should be: not in A's primary key), so A's secondary that is in B's key is dropped"
)


def key_and_names(heading: Heading) -> tuple[list[str], list[str]]:
    return heading.primary_key, heading.names


# ---- determines ------------------------------------------------------------------------------


def test_a_determines_b_when_every_key_attribute_of_b_is_in_a() -> None:
    assert determines(SESSION, SUBJECT)
    assert not determines(SUBJECT, SESSION)
    assert determines(BOOKING, RIG)  # through a secondary attribute
    assert determines(SUBJECT, NOTE) and determines(NOTE, SUBJECT)
    assert determines(SUBJECT, Heading([]))  # an empty key is determined by anything


# ---- join --------------------------------------------------------------------------------


def test_join_a_determines_b_keeps_a_key_and_a_attributes_first() -> None:
    heading, using = join_heading(SESSION, SUBJECT)
    assert using == ("subject_id",)
    assert key_and_names(heading) == (
        ["subject_id", "session"],
        ["subject_id", "session", "kind", "name", "age"],
    )


def test_join_b_determines_a_takes_b_key_and_b_attributes_first() -> None:
    heading, using = join_heading(SUBJECT, SESSION)
    assert using == ("subject_id",)
    assert key_and_names(heading) == (
        ["subject_id", "session"],
        ["subject_id", "session", "kind", "name", "age"],
    )


def test_join_b_determines_a_through_a_secondary_demotes_a_key() -> None:
    heading, _ = join_heading(RIG, BOOKING)
    assert key_and_names(heading) == (["booking_id"], ["booking_id", "rig_id", "rig_name"])
    assert not heading["rig_id"].in_key


def test_join_both_determine_keeps_the_left_order() -> None:
    heading, _ = join_heading(NOTE, SUBJECT)
    assert key_and_names(heading) == (["subject_id"], ["subject_id", "note", "name", "age"])
    heading, _ = join_heading(SUBJECT, NOTE)
    assert heading.names == ["subject_id", "name", "age", "note"]


def test_join_neither_has_the_union_of_keys_in_the_documented_order() -> None:
    heading, using = join_heading(SESSION, KEEPER)
    assert using == ("subject_id",)
    assert key_and_names(heading) == (
        ["subject_id", "session", "keeper"],
        ["subject_id", "session", "keeper", "kind", "keeper_name"],
    )
    assert [a.in_key for a in heading] == [True, True, True, False, False]


def test_join_neither_promotes_a_left_secondary_that_is_in_the_right_key() -> None:
    heading, using = join_heading(BOOKING, SLOT)
    assert using == ("rig_id",)
    assert key_and_names(heading) == (
        ["booking_id", "rig_id", "slot"],
        ["booking_id", "rig_id", "slot"],
    )


def test_join_neither_from_the_other_side_keeps_every_attribute() -> None:
    heading, _ = join_heading(SLOT, BOOKING)
    assert key_and_names(heading) == (
        ["rig_id", "slot", "booking_id"],
        ["rig_id", "slot", "booking_id"],
    )


def test_join_without_namesakes_is_a_cross_product() -> None:
    heading, using = join_heading(SUBJECT, RIG)
    assert using == ()
    assert key_and_names(heading) == (
        ["subject_id", "rig_id"],
        ["subject_id", "rig_id", "name", "age", "rig_name"],
    )


def test_join_attributes_follow_the_left_heading_order() -> None:
    left = table("l", "b a", "", a="db.x.a", b="db.x.b")
    right = table("r", "a b c", "", a="db.x.a", b="db.x.b")
    assert join_heading(left, right)[1] == ("b", "a")
    assert join_heading(right, left)[1] == ("a", "b")


def test_join_keeps_lineage() -> None:
    heading, _ = join_heading(SUBJECT, SESSION)
    assert heading["subject_id"].lineage == "db.subject.subject_id"
    assert heading["session"].lineage == "db.session.session"
    assert heading["name"].lineage is None


def test_join_with_different_lineages_is_refused() -> None:
    with pytest.raises(DataJointError) as error:
        join_heading(table("a", "id", "x"), table("b", "id", "y"))
    assert str(error.value) == (
        "Cannot join on attribute `id`: different lineages (db.a.id vs db.b.id). "
        "Use .proj() to rename one of the attributes."
    )


def test_join_with_lineage_missing_on_one_side_is_refused() -> None:
    keeper = table("keeper", "subject_id keeper", "name", subject_id="db.subject.subject_id")
    with pytest.raises(DataJointError, match=r"^Cannot join on attribute `name`: lineage missing"):
        join_heading(keeper, SUBJECT)
    with pytest.raises(DataJointError, match=r"lineage missing on one side \(None vs db\.t\.x\)"):
        join_heading(table("s", "k", "x"), table("t", "x"))


def test_join_without_semantic_check_matches_all_namesakes() -> None:
    heading, using = join_heading(
        table("a", "id", "x"), table("b", "id", "y"), semantic_check=False
    )
    assert using == ("id",)
    assert key_and_names(heading) == (["id"], ["id", "x", "y"])


def test_left_join_makes_the_right_attributes_nullable() -> None:
    heading, _ = join_heading(SUBJECT, NOTE, left=True)
    assert heading.names == ["subject_id", "name", "age", "note"]
    assert heading["note"].nullable and heading["note"].dtype is object
    assert not heading["name"].nullable and heading["name"].dtype is np.int64
    assert not heading["subject_id"].nullable


def test_left_join_requires_the_left_to_determine_the_right() -> None:
    with pytest.raises(DataJointError) as error:
        join_heading(SUBJECT, SESSION, left=True)
    assert str(error.value) == (
        "Left join requires the left operand to determine the right operand (A → B). The "
        "following attributes from the right operand's primary key are not in the left operand: "
        "['session']. Use an inner join or restructure the query."
    )


def test_left_join_still_checks_lineage() -> None:
    with pytest.raises(DataJointError, match="different lineages"):
        join_heading(table("a", "id", "x"), table("b", "id", "y"), left=True)


# ---- aggregation ---------------------------------------------------------------------------


def test_aggregation_requires_the_group_to_hold_the_key() -> None:
    check_aggregation(SUBJECT, SESSION)
    check_aggregation(Heading([]), SESSION)
    with pytest.raises(DataJointError) as error:
        check_aggregation(SESSION, SUBJECT)
    assert str(error.value) == (
        "Aggregation requires the group expression to contain all primary key attributes of the "
        "grouping expression. Missing attributes: ['session']."
    )


# ---- union ---------------------------------------------------------------------------------


def test_union_of_keys_only() -> None:
    heading = union_heading(SUBJECT.select(["subject_id"]), NOTE.select(["subject_id"]))
    assert key_and_names(heading) == (["subject_id"], ["subject_id"])


def test_union_puts_left_then_right_secondaries_all_nullable() -> None:
    heading = union_heading(SUBJECT, NOTE)
    assert key_and_names(heading) == (["subject_id"], ["subject_id", "name", "age", "note"])
    assert [heading[n].nullable for n in heading.names] == [False, True, True, True]


def test_union_needs_the_same_primary_key() -> None:
    with pytest.raises(DataJointError, match=r"^The operands of a union must share the same"):
        union_heading(SUBJECT, SESSION)


def test_union_key_order_comes_from_the_left() -> None:
    left = table("l", "a b", "", a="db.x.a", b="db.x.b")
    right = table("r", "b a", "y", a="db.x.a", b="db.x.b")
    assert union_heading(left, right).primary_key == ["a", "b"]


def test_union_refuses_shared_secondaries() -> None:
    with pytest.raises(DataJointError, match="must not share any secondary attributes"):
        union_heading(SUBJECT, SUBJECT)

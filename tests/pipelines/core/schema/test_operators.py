# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Join, extend, proj, aggr, union, dj.U and dj.Top on real rows (spec/engine.md §4.3–§4.13, §12).

The tables are declared once per backend (module scope) and only read by the tests. Expected
results are written out in full; rows are compared sorted by primary key unless the query orders
them itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj

SUBJECTS = [
    {"subject_id": 1, "name": "ann", "age": 5},
    {"subject_id": 2, "name": "bob", "age": 3},
    {"subject_id": 3, "name": "cat", "age": 7},
    {"subject_id": 4, "name": "dan", "age": 2},
]
SESSIONS = [
    {"subject_id": 1, "session": 1, "kind": "a", "duration": 10},
    {"subject_id": 1, "session": 2, "kind": "b", "duration": 20},
    {"subject_id": 2, "session": 1, "kind": "a", "duration": None},
    {"subject_id": 3, "session": 1, "kind": "a", "duration": 40},
    {"subject_id": 3, "session": 2, "kind": "b", "duration": 50},
    {"subject_id": 3, "session": 3, "kind": "a", "duration": 60},
]
NAMES = {s["subject_id"]: s["name"] for s in SUBJECTS}
AGES = {s["subject_id"]: s["age"] for s in SUBJECTS}

JOIN_HEADING_BUG = (
    "query/algebra.py join_heading, 'neither' case: B's key attributes are kept only when not in "
    "A's *attributes* (should be: not in A's primary key), so A's secondary that is part of B's "
    "key is dropped from the heading and the primary key"
)
PROJECT_TOP_BUG = (
    "sql/compiler.py _project keeps the child's Top in the same SELECT but swaps in the projected "
    "heading: ORDER BY then names the new aliases and KEY expands to the new primary key"
)
AGGR_RENAMED_GROUP_BUG = (
    "sql/compiler.py _aggregate/_join: a group whose attributes are renamed or computed is not "
    "wrapped, so the computations name SELECT aliases that do not exist in FROM"
)


def _declare(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int16
        ---
        name : varchar(16)
        age : int16
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        kind : varchar(8)
        duration = null : int16
        """

    @schema
    class Trial(dj.Manual):
        definition = """
        -> Session
        trial : int16
        ---
        outcome : int16
        """

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig_id : int16
        ---
        rig_name : varchar(8)
        """
        contents = [{"rig_id": 1, "rig_name": "r1"}, {"rig_id": 2, "rig_name": "r2"}]

    @schema
    class Keeper(dj.Manual):
        definition = """
        -> Subject
        keeper : int16
        ---
        name : varchar(16)
        """

    @schema
    class ThingA(dj.Lookup):
        definition = """
        id : int16
        ---
        a : varchar(8)
        """
        contents = [{"id": 1, "a": "a1"}, {"id": 2, "a": "a2"}]

    @schema
    class ThingB(dj.Lookup):
        definition = """
        id : int16
        ---
        b : varchar(8)
        """
        contents = [{"id": 2, "b": "b2"}, {"id": 3, "b": "b3"}]

    @schema
    class Parentage(dj.Manual):
        definition = """
        -> Subject
        -> Subject.proj(parent='subject_id')
        """

    @schema
    class Note(dj.Manual):
        definition = """
        -> Subject
        ---
        note : varchar(16)
        """

    @schema
    class Booking(dj.Manual):
        definition = """
        booking_id : int16
        ---
        -> Rig
        """

    @schema
    class Slot(dj.Manual):
        definition = """
        -> Rig
        slot : int16
        """

    return dict(locals())


def _insert(t: SimpleNamespace) -> None:
    t.Subject.insert(SUBJECTS)
    t.Session.insert(SESSIONS)
    t.Trial.insert(
        [
            {"subject_id": 1, "session": 1, "trial": 1, "outcome": 0},
            {"subject_id": 1, "session": 1, "trial": 2, "outcome": 1},
            {"subject_id": 3, "session": 2, "trial": 1, "outcome": 1},
        ]
    )
    t.Keeper.insert(
        [
            {"subject_id": 1, "keeper": 1, "name": "kim"},
            {"subject_id": 2, "keeper": 1, "name": "lee"},
        ]
    )
    t.Parentage.insert(
        [
            {"subject_id": 3, "parent": 1},
            {"subject_id": 4, "parent": 1},
            {"subject_id": 4, "parent": 2},
        ]
    )
    t.Note.insert([{"subject_id": 1, "note": "n1"}, {"subject_id": 3, "note": "n3"}])
    t.Booking.insert([{"booking_id": 1, "rig_id": 1}, {"booking_id": 2, "rig_id": 2}])
    t.Slot.insert([{"rig_id": 1, "slot": 1}, {"rig_id": 1, "slot": 2}, {"rig_id": 2, "slot": 1}])


@pytest.fixture(scope="module", params=["sqlite", "mysql"])
def t(request: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    """The tables above with their rows, on one backend; tests only read them."""
    fixture = "mysql_connection" if request.param == "mysql" else "sqlite_connection"
    connection: dj.Connection = request.getfixturevalue(fixture)
    name = f"jt_{os.getpid()}_ops_{uuid.uuid4().hex[:6]}"
    schema = dj.Schema(name, connection=connection)
    tables = SimpleNamespace(**_declare(schema), backend=request.param, conn=connection)
    try:
        _insert(tables)
        yield tables
    finally:
        schema.drop(prompt=False)


def rows(query: Any) -> list[dict[str, Any]]:
    """All rows, sorted by primary key (then by every value, for an empty key)."""
    key = query.primary_key or query.heading.names
    fetched: list[dict[str, Any]] = query.to_dicts()
    return sorted(fetched, key=lambda r: tuple(str(r[k]) for k in key))


def column(query: Any, name: str) -> list[Any]:
    return [r[name] for r in rows(query)]


def session_rows(**extra: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    return [{**s, **{k: f(s) for k, f in extra.items()}} for s in SESSIONS]


# ---- join -----------------------------------------------------------------------------------


def test_join_where_the_left_determines_the_right_keeps_the_left_key(t: Any) -> None:
    joined = t.Session * t.Subject
    assert joined.primary_key == ["subject_id", "session"]
    assert joined.heading.names == ["subject_id", "session", "kind", "duration", "name", "age"]
    expected = session_rows(
        name=lambda s: NAMES[s["subject_id"]], age=lambda s: AGES[s["subject_id"]]
    )
    assert rows(joined) == expected


def test_join_where_the_right_determines_the_left_takes_the_right_key_first(t: Any) -> None:
    joined = t.Subject * t.Session
    assert joined.primary_key == ["subject_id", "session"]
    assert joined.heading.names == ["subject_id", "session", "kind", "duration", "name", "age"]
    assert rows(joined) == rows(t.Session * t.Subject)
    source = joined.make_sql().split(" FROM ", 1)[1]  # FROM keeps the operand order
    assert source.index("subject") < source.index("session")


def test_join_where_neither_determines_the_other_has_the_union_of_keys(t: Any) -> None:
    joined = t.Session.proj("kind") * t.Keeper
    assert joined.primary_key == ["subject_id", "session", "keeper"]
    assert joined.heading.names == ["subject_id", "session", "keeper", "kind", "name"]
    assert rows(joined) == [
        {"subject_id": 1, "session": 1, "keeper": 1, "kind": "a", "name": "kim"},
        {"subject_id": 1, "session": 2, "keeper": 1, "kind": "b", "name": "kim"},
        {"subject_id": 2, "session": 1, "keeper": 1, "kind": "a", "name": "lee"},
    ]


def test_join_where_neither_determines_keeps_a_secondary_that_is_in_the_right_key(t: Any) -> None:
    joined = t.Booking * t.Slot
    assert joined.primary_key == ["booking_id", "rig_id", "slot"]
    assert rows(joined) == [
        {"booking_id": 1, "rig_id": 1, "slot": 1},
        {"booking_id": 1, "rig_id": 1, "slot": 2},
        {"booking_id": 2, "rig_id": 2, "slot": 1},
    ]


def test_join_without_namesakes_is_a_cross_join(t: Any) -> None:
    joined = t.Subject * t.Rig
    assert "CROSS JOIN" in joined.make_sql()
    assert joined.primary_key == ["subject_id", "rig_id"]
    assert joined.heading.names == ["subject_id", "rig_id", "name", "age", "rig_name"]
    assert len(joined) == 8
    assert rows(joined)[:2] == [
        {"subject_id": 1, "rig_id": 1, "name": "ann", "age": 5, "rig_name": "r1"},
        {"subject_id": 1, "rig_id": 2, "name": "ann", "age": 5, "rig_name": "r2"},
    ]


def test_join_without_semantic_check_matches_all_namesakes(t: Any) -> None:
    joined = t.ThingA.join(t.ThingB, semantic_check=False)
    assert joined.primary_key == ["id"]
    assert rows(joined) == [{"id": 2, "a": "a2", "b": "b2"}]
    with pytest.raises(dj.DataJointError, match="different lineages"):
        t.ThingA * t.ThingB


def test_join_on_a_shared_native_secondary_is_refused_but_works_after_proj(t: Any) -> None:
    with pytest.raises(dj.DataJointError, match=r"attribute `name`: lineage missing on one side"):
        t.Keeper * t.Subject
    joined = t.Keeper * t.Subject.proj()
    assert rows(joined) == [
        {"subject_id": 1, "keeper": 1, "name": "kim"},
        {"subject_id": 2, "keeper": 1, "name": "lee"},
    ]


def test_join_chain_of_three_tables(t: Any) -> None:
    joined = t.Subject * t.Session * t.Trial
    assert joined.primary_key == ["subject_id", "session", "trial"]
    assert [(r["subject_id"], r["session"], r["trial"], r["name"]) for r in rows(joined)] == [
        (1, 1, 1, "ann"),
        (1, 1, 2, "ann"),
        (3, 2, 1, "cat"),
    ]
    assert rows(joined) == rows(t.Subject * (t.Session * t.Trial))


def test_join_keeps_the_restrictions_of_both_operands(t: Any) -> None:
    joined = (t.Subject & "age > 2") * (t.Session & "session > 1")
    assert [(r["subject_id"], r["session"]) for r in rows(joined)] == [(1, 2), (3, 2), (3, 3)]
    by_key = (t.Subject & {"subject_id": 3}) * (t.Session - {"kind": "a"})
    assert [(r["subject_id"], r["session"]) for r in rows(by_key)] == [(3, 2)]


def test_join_through_a_renamed_foreign_key(t: Any) -> None:
    parents = t.Subject.proj(parent="subject_id", parent_name="name")
    joined = t.Parentage * parents
    assert joined.primary_key == ["subject_id", "parent"]
    assert rows(joined) == [
        {"subject_id": 3, "parent": 1, "parent_name": "ann"},
        {"subject_id": 4, "parent": 1, "parent_name": "ann"},
        {"subject_id": 4, "parent": 2, "parent_name": "bob"},
    ]
    children = t.Parentage * t.Subject
    assert column(children, "name") == ["cat", "dan", "dan"]


def test_join_of_a_semijoin_with_its_condition(t: Any) -> None:  # issue #463
    joined = (t.Subject & t.Session) * t.Session
    assert len(joined) == 6
    assert rows(joined) == rows(t.Subject * t.Session)


def test_join_respects_a_top_on_either_operand(t: Any) -> None:  # §12 bug 3
    right = t.Subject * (t.Session & dj.Top(2, "duration DESC"))
    assert [(r["subject_id"], r["session"]) for r in rows(right)] == [(3, 2), (3, 3)]
    left = (t.Subject & dj.Top(1, "age DESC")) * t.Session
    assert [(r["subject_id"], r["session"]) for r in rows(left)] == [(3, 1), (3, 2), (3, 3)]


def union_of_subjects(t: Any) -> Any:
    return (t.Subject & "subject_id = 1").proj() + (t.Subject & "subject_id = 3").proj()


def test_join_with_a_union_on_the_left(t: Any) -> None:  # issue #930
    joined = union_of_subjects(t) * t.Session
    assert [(r["subject_id"], r["session"]) for r in rows(joined)] == [
        (1, 1),
        (1, 2),
        (3, 1),
        (3, 2),
        (3, 3),
    ]


def test_join_with_a_union_on_the_right(t: Any) -> None:  # §12 bug 4
    joined = t.Session * union_of_subjects(t)
    assert len(joined) == 5
    crossed = t.Rig * union_of_subjects(t)
    assert crossed.primary_key == ["rig_id", "subject_id"]
    assert [(r["rig_id"], r["subject_id"]) for r in rows(crossed)] == [
        (1, 1),
        (1, 3),
        (2, 1),
        (2, 3),
    ]


def test_join_keeps_the_distinct_of_a_universal_set_operand(t: Any) -> None:  # §12 bug 6
    joined = (dj.U("subject_id") & t.Session) * t.Subject
    assert rows(joined) == SUBJECTS[:3]
    right = t.Subject * (dj.U("subject_id", "kind") & t.Session)
    assert [(r["subject_id"], r["kind"]) for r in rows(right)] == [
        (1, "a"),
        (1, "b"),
        (2, "a"),
        (3, "a"),
        (3, "b"),
    ]


def test_join_with_an_aggregation_on_either_side(t: Any) -> None:  # issues #898/#899
    counts = t.Subject.aggr(t.Session, n="count(session)")
    expected = session_rows(n=lambda s: {1: 2, 2: 1, 3: 3}[s["subject_id"]])
    assert rows(counts * t.Session) == expected
    assert rows(t.Session * counts) == expected


def test_join_with_renamed_non_join_attribute_stays_correct_after_restriction(t: Any) -> None:
    joined = t.Subject.proj(years="age") * t.Session
    assert "years" in joined.heading.names
    assert [(r["subject_id"], r["session"]) for r in rows(joined & "years > 4")] == [
        (1, 1),
        (1, 2),
        (3, 1),
        (3, 2),
        (3, 3),
    ]


# ---- extend (left join) ------------------------------------------------------------------------


def test_extend_keeps_every_left_row_with_null_where_nothing_matches(t: Any) -> None:
    extended = t.Subject.extend(t.Note)
    assert extended.primary_key == ["subject_id"]
    assert extended.heading.names == ["subject_id", "name", "age", "note"]
    assert extended.heading["note"].nullable
    assert not extended.heading["name"].nullable
    assert column(extended, "note") == ["n1", None, "n3", None]
    assert len(extended) == 4


def test_extend_with_a_restricted_right_operand_keeps_left_rows(t: Any) -> None:
    extended = t.Booking.extend(t.Rig & "rig_id = 1")
    assert rows(extended) == [
        {"booking_id": 1, "rig_id": 1, "rig_name": "r1"},
        {"booking_id": 2, "rig_id": 2, "rig_name": None},
    ]
    assert rows(t.Subject.join(t.Note, left=True)) == rows(t.Subject.extend(t.Note))


def test_extend_requires_the_left_to_determine_the_right(t: Any) -> None:
    message = (
        "Left join requires the left operand to determine the right operand (A → B). The "
        "following attributes from the right operand's primary key are not in the left operand: "
        "['session']. Use an inner join or restructure the query."
    )
    with pytest.raises(dj.DataJointError) as error:
        t.Subject.extend(t.Session)
    assert str(error.value) == message


# ---- proj ---------------------------------------------------------------------------------


def test_proj_keeps_the_key_and_the_named_attributes(t: Any) -> None:
    assert t.Subject.proj().heading.names == ["subject_id"]
    assert rows(t.Subject.proj("age")) == [{"subject_id": s, "age": a} for s, a in AGES.items()]


def test_proj_renames_in_place(t: Any) -> None:
    renamed = t.Subject.proj("age", nm="name")
    assert renamed.heading.names == ["subject_id", "nm", "age"]
    assert rows(renamed)[0] == {"subject_id": 1, "nm": "ann", "age": 5}


def test_proj_computes_expressions(t: Any) -> None:
    computed = t.Subject.proj(double="age * 2", three="3")
    assert computed.heading.secondary_attributes == ["double", "three"]
    assert column(computed, "double") == [10, 6, 14, 4]
    assert column(computed, "three") == [3, 3, 3, 3]


def test_proj_with_ellipsis_and_exclusions(t: Any) -> None:
    assert t.Session.proj(...).heading.names == t.Session.heading.names
    assert t.Session.proj(..., "-kind").heading.names == ["subject_id", "session", "duration"]
    assert t.Session.proj("-kind").heading.names == ["subject_id", "session", "duration"]
    assert column(t.Session.proj("-kind"), "duration") == [10, 20, None, 40, 50, 60]


def test_proj_renaming_a_renamed_attribute(t: Any) -> None:
    twice = t.Subject.proj(n2="name").proj(n3="n2")
    assert twice.heading.names == ["subject_id", "n3"]
    assert column(twice, "n3") == ["ann", "bob", "cat", "dan"]
    computed_twice = t.Subject.proj(d="age * 2").proj(e="d + 1")
    assert column(computed_twice, "e") == [11, 7, 15, 5]


def test_restriction_after_a_rename(t: Any) -> None:
    renamed = t.Subject.proj(i="subject_id")
    assert column(renamed & "i in (1, 2)", "i") == [1, 2]
    assert column(renamed & {"i": 3}, "i") == [3]
    assert len(renamed & {"subject_id": 3}) == 4  # keys renamed away are ignored
    assert column((t.Subject & "age > 2").proj(sid="subject_id"), "sid") == [1, 2, 3]


def test_renaming_keeps_the_primary_key_order(t: Any) -> None:  # issues #483/#516
    first = t.Session.proj(sid="subject_id")
    assert first.primary_key == ["sid", "session"]
    second = t.Session.proj(s="session")
    assert second.primary_key == ["subject_id", "s"]
    assert rows(second)[:2] == [{"subject_id": 1, "s": 1}, {"subject_id": 1, "s": 2}]


def test_computed_projection_of_an_antijoin_keeps_its_cardinality(t: Any) -> None:  # issue #558
    result = (t.Subject - t.Session).proj(x="3")
    assert rows(result) == [{"subject_id": 4, "x": 3}]
    assert len(result) == 1


def test_duplicating_a_key_attribute_makes_a_secondary_copy(t: Any) -> None:  # §12 bug 9
    copied = t.Subject.proj(copy="(subject_id)")
    assert copied.primary_key == ["subject_id"]
    assert copied.heading.secondary_attributes == ["copy"]
    assert len(copied) == 4
    assert rows(copied)[1] == {"subject_id": 2, "copy": 2}


def test_proj_swaps_two_names(t: Any) -> None:
    swapped = t.Subject.proj(name="age", age="name")
    assert swapped.heading.names == ["subject_id", "age", "name"]
    assert rows(swapped)[0] == {"subject_id": 1, "age": "ann", "name": 5}


def test_proj_of_a_top_keeps_the_top(t: Any) -> None:
    oldest = (t.Subject & dj.Top(2, "age DESC")).proj(years="age")
    assert oldest.to_dicts() == [{"subject_id": 3, "years": 7}, {"subject_id": 1, "years": 5}]


def test_proj_of_a_top_reusing_an_ordered_name_keeps_the_order(t: Any) -> None:
    reused = (t.Subject & dj.Top(2, "age DESC")).proj(age="name")
    assert reused.to_dicts() == [{"subject_id": 3, "age": "cat"}, {"subject_id": 1, "age": "ann"}]


# ---- aggr ---------------------------------------------------------------------------------


def test_aggr_counts_zero_for_rows_without_matches(t: Any) -> None:
    counts = t.Subject.aggr(t.Session, n="count(session)")
    assert counts.primary_key == ["subject_id"]
    assert rows(counts) == [
        {"subject_id": 1, "n": 2},
        {"subject_id": 2, "n": 1},
        {"subject_id": 3, "n": 3},
        {"subject_id": 4, "n": 0},
    ]
    star = t.Subject.aggr(t.Session, n="count(*)")
    assert column(star, "n") == [2, 1, 3, 1]


def test_aggr_sums_and_averages(t: Any) -> None:
    stats = t.Subject.aggr(
        t.Session, total="sum(duration)", mean="avg(duration)", top="max(duration)"
    )
    assert rows(stats) == [
        {"subject_id": 1, "total": 30, "mean": 15, "top": 20},
        {"subject_id": 2, "total": None, "mean": None, "top": None},
        {"subject_id": 3, "total": 150, "mean": 50, "top": 60},
        {"subject_id": 4, "total": None, "mean": None, "top": None},
    ]


def test_aggr_excluding_nonmatching_rows(t: Any) -> None:
    counts = t.Subject.aggr(t.Session, n="count(session)", exclude_nonmatching=True)
    assert column(counts, "subject_id") == [1, 2, 3]
    assert " JOIN " in counts.make_sql() and "LEFT JOIN" not in counts.make_sql()


def test_aggr_selecting_the_left_secondaries_groups_by_them(t: Any) -> None:  # §12 bug 1
    named = t.Subject.aggr(t.Session, "name", n="count(session)")
    assert named.heading.names == ["subject_id", "name", "n"]
    assert rows(named) == [
        {"subject_id": 1, "name": "ann", "n": 2},
        {"subject_id": 2, "name": "bob", "n": 1},
        {"subject_id": 3, "name": "cat", "n": 3},
        {"subject_id": 4, "name": "dan", "n": 0},
    ]
    everything = t.Subject.aggr(t.Session, ..., n="count(session)")
    assert rows(everything) == [{**s, "n": n} for s, n in zip(SUBJECTS, [2, 1, 3, 0], strict=True)]


def test_mariadb_sessions_run_with_only_full_group_by(mysql_connection: dj.Connection) -> None:
    """The aggregation tests above prove bug 1 only if the server enforces the rule."""
    mode = mysql_connection.query("SELECT @@SESSION.sql_mode").fetchone()[0]
    assert "ONLY_FULL_GROUP_BY" in mode


def test_aggr_of_a_restricted_group_keeps_rows_without_matches(t: Any) -> None:  # §12 bug 2
    counts = t.Subject.aggr(t.Session & "session > 1", n="count(session)")
    assert rows(counts) == [
        {"subject_id": 1, "n": 1},
        {"subject_id": 2, "n": 0},
        {"subject_id": 3, "n": 2},
        {"subject_id": 4, "n": 0},
    ]
    by_dict = t.Subject.aggr(t.Session & {"kind": "b"}, n="count(session)")
    assert column(by_dict, "n") == [1, 0, 1, 0]


def test_aggr_of_a_restricted_left_operand(t: Any) -> None:
    counts = (t.Subject & "age > 2").aggr(t.Session, n="count(session)")
    assert column(counts, "n") == [2, 1, 3]
    top = (t.Subject & dj.Top(2)).aggr(t.Session, n="count(session)")
    assert rows(top) == [{"subject_id": 1, "n": 2}, {"subject_id": 2, "n": 1}]


def test_restricting_an_aggregation(t: Any) -> None:
    counts = t.Subject.aggr(t.Session, n="count(session)")
    assert column(counts & "n > 1", "subject_id") == [1, 3]
    assert rows(counts & {"subject_id": 3}) == [{"subject_id": 3, "n": 3}]
    assert column(counts & t.Keeper, "subject_id") == [1, 2]
    assert column(counts - t.Keeper, "subject_id") == [3, 4]
    assert column(t.Subject & (counts & "n > 1"), "name") == ["ann", "cat"]


def test_aggr_over_a_join(t: Any) -> None:
    trials = t.Subject.aggr(t.Session * t.Trial, n="count(trial)")
    assert column(trials, "n") == [2, 0, 1, 0]
    per_session = (t.Session * t.Subject).aggr(t.Trial, n="count(trial)", wins="sum(outcome)")
    assert per_session.primary_key == ["subject_id", "session"]
    assert [(r["n"], r["wins"]) for r in rows(per_session)] == [
        (2, 1),
        (0, None),
        (0, None),
        (0, None),
        (1, 1),
        (0, None),
    ]


def test_aggr_over_a_union_and_over_a_distinct_set(t: Any) -> None:
    union = (t.Session & "session = 1").proj() + (t.Session & "session = 3").proj()
    assert column(t.Subject.aggr(union, n="count(session)"), "n") == [1, 1, 2, 0]
    kinds = dj.U("subject_id", "kind") & t.Session
    assert column(t.Subject.aggr(kinds, n="count(kind)"), "n") == [2, 1, 2, 0]


def test_projecting_and_aggregating_an_aggregation(t: Any) -> None:
    counts = t.Subject.aggr(t.Session, n="count(session)")
    assert column(counts.proj(m="n * 2"), "m") == [4, 2, 6, 0]
    again = counts.aggr(t.Session, k="count(session)")
    assert column(again, "k") == [2, 1, 3, 0]


def test_aggr_over_a_group_with_renamed_attributes(t: Any) -> None:
    totals = t.Subject.aggr(t.Session.proj(d="duration"), total="sum(d)")
    assert column(totals, "total") == [30, None, 150, None]


def test_universal_aggr_over_a_group_with_computed_attributes(t: Any) -> None:
    totals = dj.U("kind").aggr(t.Session.proj("kind", d="duration * 2"), total="sum(d)")
    assert rows(totals) == [{"kind": "a", "total": 220}, {"kind": "b", "total": 140}]


# ---- union --------------------------------------------------------------------------------


def test_union_of_primary_keys(t: Any) -> None:
    union = (t.Subject & "subject_id < 3").proj() + (t.Subject & "subject_id in (2, 3)").proj()
    assert union.primary_key == ["subject_id"]
    assert column(union, "subject_id") == [1, 2, 3]
    assert len(union) == 3


def test_outer_union_fills_missing_values_with_null(t: Any) -> None:
    union = (t.Subject & "subject_id < 3").proj("name") + (t.Subject & "subject_id > 1").proj(
        years="age"
    )
    assert union.heading.names == ["subject_id", "name", "years"]
    assert union.heading["name"].nullable and union.heading["years"].nullable
    assert rows(union) == [
        {"subject_id": 1, "name": "ann", "years": None},
        {"subject_id": 2, "name": "bob", "years": 3},
        {"subject_id": 3, "name": None, "years": 7},
        {"subject_id": 4, "name": None, "years": 2},
    ]


def test_union_of_unions(t: Any) -> None:  # issue #926
    one, two, four = ((t.Subject & {"subject_id": i}).proj() for i in (1, 2, 4))
    assert column((one + two) + four, "subject_id") == [1, 2, 4]
    assert column(one + (two + four), "subject_id") == [1, 2, 4]
    assert len((one + two) + (two + four)) == 3


def test_union_with_a_top(t: Any) -> None:  # §12 bug 5
    union = (t.Subject & "subject_id < 3").proj() + (t.Subject & "subject_id = 4").proj()
    assert (union & dj.Top(2, "subject_id DESC")).to_dicts() == [
        {"subject_id": 4},
        {"subject_id": 2},
    ]
    assert (union & dj.Top(1, offset=1)).to_dicts() == [{"subject_id": 2}]
    outer = (t.Subject & "subject_id < 3").proj("name") + (t.Subject & "subject_id > 1").proj(
        years="age"
    )
    assert (outer & dj.Top(1, "years DESC")).to_dicts() == [
        {"subject_id": 3, "name": None, "years": 7}
    ]
    operands = (t.Subject & dj.Top(1)).proj() + (t.Subject & dj.Top(1, "KEY DESC")).proj()
    assert column(operands, "subject_id") == [1, 4]


def test_restricting_projecting_and_aggregating_a_union(t: Any) -> None:
    outer = (t.Subject & "subject_id < 3").proj("name") + (t.Subject & "subject_id > 1").proj(
        years="age"
    )
    assert column(outer & "years > 2", "subject_id") == [2, 3]
    assert rows(outer & {"subject_id": 2}) == [{"subject_id": 2, "name": "bob", "years": 3}]
    assert column(outer - t.Session, "subject_id") == [4]
    assert column(outer.proj(nm="name"), "nm") == ["ann", "bob", None, None]
    keys = (t.Subject & "subject_id < 2").proj() + (t.Subject & "subject_id = 3").proj()
    assert rows(keys.aggr(t.Session, n="count(session)")) == [
        {"subject_id": 1, "n": 2},
        {"subject_id": 3, "n": 3},
    ]
    assert column(t.Session & keys, "session") == [1, 2, 1, 2, 3]


# ---- dj.U ---------------------------------------------------------------------------------


def test_universal_set_gives_distinct_combinations(t: Any) -> None:
    kinds = dj.U("kind") & t.Session
    assert kinds.primary_key == ["kind"]
    assert rows(kinds) == [{"kind": "a"}, {"kind": "b"}]
    pairs = dj.U("subject_id", "kind") & t.Session
    assert pairs.primary_key == ["subject_id", "kind"]
    assert len(pairs) == 5
    assert len(dj.U("kind") & (t.Session & {"subject_id": 2})) == 1
    assert column(dj.U("name") & (t.Subject * t.Session), "name") == ["ann", "bob", "cat"]
    assert rows((dj.U("kind") & t.Session) & {"kind": "b"}) == [{"kind": "b"}]


def test_universal_set_without_attributes_is_one_empty_row_iff_nonempty(t: Any) -> None:  # bug 7
    some = dj.U() & t.Session
    assert some.to_dicts() == [{}]
    assert len(some) == 1 and bool(some)
    none = dj.U() & (t.Session & {"subject_id": 4})
    assert none.to_dicts() == []
    assert len(none) == 0 and not bool(none)


def test_universal_aggregation_without_attributes_is_one_row(t: Any) -> None:  # bug 7
    total = dj.U().aggr(t.Session, n="count(*)")
    assert total.primary_key == []
    assert total.to_dicts() == [{"n": 6}]
    assert len(total) == 1
    assert dj.U().aggr(t.Session & {"subject_id": 4}, n="count(*)").to_dicts() == [{"n": 0}]
    assert (total & "n > 3").to_dicts() == [{"n": 6}]
    assert (total & "n > 30").to_dicts() == []
    assert len(total & "n > 30") == 0


def test_universal_aggregation_groups_by_its_attributes(t: Any) -> None:
    per_kind = dj.U("kind").aggr(t.Session, n="count(*)", total="sum(duration)")
    assert per_kind.primary_key == ["kind"]
    assert rows(per_kind) == [
        {"kind": "a", "n": 4, "total": 110},
        {"kind": "b", "n": 2, "total": 70},
    ]
    assert rows(per_kind & "n > 2") == [{"kind": "a", "n": 4, "total": 110}]
    assert rows(per_kind & {"kind": "b"}) == [{"kind": "b", "n": 2, "total": 70}]
    restricted = dj.U("kind").aggr(t.Session & {"subject_id": 3}, n="count(*)")
    assert rows(restricted) == [{"kind": "a", "n": 2}, {"kind": "b", "n": 1}]


def test_restricting_by_a_universal_set_is_a_no_op(t: Any) -> None:
    assert (t.Session & dj.U("kind")).make_sql() == t.Session().make_sql()


def test_universal_set_of_a_top_keeps_the_top_order(t: Any) -> None:
    first_two = dj.U("kind") & (t.Session & dj.Top(2))
    assert rows(first_two) == [{"kind": "a"}, {"kind": "b"}]


# ---- dj.Top -------------------------------------------------------------------------------


def pairs(query: Any) -> list[tuple[int, int]]:
    return [(r["subject_id"], r["session"]) for r in query.to_dicts()]


def test_top_orders_by_key_or_by_attributes(t: Any) -> None:
    assert pairs(t.Session & dj.Top(2)) == [(1, 1), (1, 2)]
    assert pairs(t.Session & dj.Top(2, "KEY DESC")) == [(3, 3), (3, 2)]
    assert [r["name"] for r in (t.Subject & dj.Top(2, "age DESC")).to_dicts()] == ["cat", "ann"]
    assert pairs(t.Session & dj.Top(3, ["kind DESC", "KEY"])) == [(1, 2), (3, 2), (1, 1)]


def test_top_limit_and_offset(t: Any) -> None:
    assert pairs(t.Session & dj.Top(2, offset=3)) == [(3, 1), (3, 2)]
    assert pairs(t.Session & dj.Top(None, offset=4)) == [(3, 2), (3, 3)]
    assert pairs(t.Session & dj.Top(None, "KEY DESC")) == [
        (3, 3),
        (3, 2),
        (3, 1),
        (2, 1),
        (1, 2),
        (1, 1),
    ]


def test_chained_tops_with_the_same_order_merge(t: Any) -> None:
    assert pairs(t.Session & dj.Top(4) & dj.Top(2, offset=1)) == [(1, 2), (2, 1)]
    # the second Top reads only what the first let through
    assert pairs(t.Session & dj.Top(3) & dj.Top(2, offset=2)) == [(2, 1)]
    inherit = t.Session & dj.Top(4, "duration DESC") & dj.Top(2, None)
    assert pairs(inherit) == [(3, 3), (3, 2)]


def test_chained_tops_with_different_orders_resort_the_first_result(t: Any) -> None:
    chained = t.Subject & dj.Top(3, "age DESC") & dj.Top(1, "age")
    assert [r["name"] for r in chained.to_dicts()] == ["bob"]
    assert [
        r["name"] for r in (t.Subject & dj.Top(3, "age")).to_dicts(limit=1, order_by="age DESC")
    ] == ["ann"]


def test_restriction_after_a_top_applies_to_its_rows(t: Any) -> None:
    after = (t.Subject & dj.Top(2, "age DESC")) & "age < 7"
    assert [r["name"] for r in after.to_dicts()] == ["ann"]
    before = (t.Subject & "age < 7") & dj.Top(2, "age DESC")
    assert [r["name"] for r in before.to_dicts()] == ["ann", "bob"]
    assert column(t.Session & (t.Subject & dj.Top(2, "age DESC")), "subject_id") == [1, 1, 3, 3, 3]


def test_top_on_an_aggregation_and_on_a_universal_set(t: Any) -> None:
    busiest = t.Subject.aggr(t.Session, n="count(session)") & dj.Top(2, "n DESC")
    assert busiest.to_dicts() == [{"subject_id": 3, "n": 3}, {"subject_id": 1, "n": 2}]
    assert ((dj.U("kind") & t.Session) & dj.Top(1, "kind DESC")).to_dicts() == [{"kind": "b"}]


def test_len_and_bool_of_a_top(t: Any) -> None:  # §12 bug 8
    assert len(t.Subject & dj.Top(2)) == 2
    assert len(t.Subject & dj.Top(3, offset=2)) == 2
    assert not bool(t.Subject & dj.Top(1, offset=100))
    assert len(t.Subject & dj.Top(1, offset=100)) == 0
    counts = t.Subject.aggr(t.Session, n="count(session)")
    assert not bool(counts & dj.Top(1, offset=100))
    assert len(counts & dj.Top(3, offset=2)) == 2


# ---- len / bool / in / make_sql / repr -----------------------------------------------------

Build = Callable[[Any], Any]

RESULTS: list[tuple[str, Build, int]] = [
    ("restrict", lambda t: t.Subject & "age > 2", 3),
    ("antijoin", lambda t: t.Subject - t.Session, 1),
    ("join", lambda t: t.Subject * t.Session, 6),
    ("join-empty", lambda t: t.Subject * (t.Session & "session > 5"), 0),
    ("cross-join", lambda t: t.Subject * t.Rig, 8),
    ("extend", lambda t: t.Subject.extend(t.Note), 4),
    ("proj", lambda t: t.Session.proj(d="duration"), 6),
    ("aggr", lambda t: t.Subject.aggr(t.Session, n="count(session)"), 4),
    ("aggr-restricted", lambda t: t.Subject.aggr(t.Session, n="count(session)") & "n > 5", 0),
    ("union", lambda t: (t.Session & {"kind": "a"}).proj() + (t.Session - {"kind": "a"}).proj(), 6),
    ("outer-union", lambda t: t.Subject.proj("name") + t.Note, 4),
    ("universal", lambda t: dj.U("subject_id", "kind") & t.Session, 5),
    ("universal-aggr", lambda t: dj.U("kind").aggr(t.Session, n="count(*)"), 2),
    ("top", lambda t: t.Session & dj.Top(4, "duration"), 4),
]


@pytest.mark.parametrize(
    ("build", "expected"), [(b, n) for _, b, n in RESULTS], ids=[i for i, _, _ in RESULTS]
)
def test_len_bool_and_fetch_agree(t: Any, build: Build, expected: int) -> None:
    query = build(t)
    assert len(query) == expected
    assert bool(query) is (expected > 0)
    assert len(query.to_dicts()) == expected
    assert query.make_sql().startswith("SELECT")


@pytest.mark.parametrize(
    ("build", "expected"), [(b, n) for _, b, n in RESULTS if n], ids=[i for i, _, n in RESULTS if n]
)
def test_in_finds_fetched_keys_and_not_others(t: Any, build: Build, expected: int) -> None:
    query = build(t)
    key = {k: rows(query)[0][k] for k in query.primary_key}
    assert key in query
    assert {k: -1 if isinstance(v, int) else "zz" for k, v in key.items()} not in query


def test_in_on_a_top_and_on_an_aggregation(t: Any) -> None:
    assert {"subject_id": 1} in t.Subject()
    assert {"subject_id": 9} not in t.Subject()
    assert {"subject_id": 4} in t.Subject.aggr(t.Session, n="count(session)")
    assert {"subject_id": 1} not in (t.Subject & dj.Top(1, "KEY DESC"))


def test_repr_previews_a_join_and_an_aggregation(t: Any) -> None:
    preview = repr(t.Subject * t.Session)
    header = preview.splitlines()[0].split()
    assert header == ["*subject_id", "*session", "kind", "duration", "name", "age"]
    assert "(Total: 6)" in preview
    counts = repr(t.Subject.aggr(t.Session, n="count(session)"))
    assert counts.splitlines()[0].split() == ["*subject_id", "n"]
    assert [line.split() for line in counts.splitlines()[2:6]] == [
        ["1", "2"],
        ["2", "1"],
        ["3", "3"],
        ["4", "0"],
    ]


# ---- string restrictions ------------------------------------------------------------------


def test_lowercase_true_and_false_in_string_restrictions(t: Any) -> None:  # §12 bug 14
    adults = t.Subject.proj(adult="age > 4")
    assert column(adults & "adult = true", "subject_id") == [1, 3]
    assert column(adults & "adult = false", "subject_id") == [2, 4]
    assert column((t.Subject * t.Session) & "false or duration > 45", "session") == [2, 3]
    assert len(t.Subject & "true") == 4


def test_outer_union_of_operands_without_key_attributes(t: Any) -> None:
    counted = dj.U().aggr(t.Subject, n="count(*)")
    nothing = dj.U().aggr(t.Subject & False, m="count(*)") & False
    union = counted.proj("n") + dj.U().aggr(t.Subject, m="max(subject_id)").proj("m")
    assert union.primary_key == []
    assert rows(union) == [{"n": len(t.Subject()), "m": max(column(t.Subject, "subject_id"))}]
    only_right = nothing.proj() + counted.proj("n")
    assert rows(only_right) == [{"n": len(t.Subject())}]
    empty = nothing.proj() + (counted & False).proj("n")
    assert rows(empty) == []

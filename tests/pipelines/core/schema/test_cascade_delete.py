# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Person.insert(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, union-attr, misc, operator, call-overload, method-assign, no-untyped-call"
"""Cascading ``delete``, ``delete_preview`` and ``Diagram.cascade`` (spec/engine.md §3.4, §6.3),
on SQLite and on MariaDB.

Every deletion is checked row by row against what a hand-written restriction selected before it,
and every refusal against an unchanged database.
"""

from __future__ import annotations

import builtins
import json
import logging
import time
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.schema.deletion import CascadePreview
from pipelines.core.schema.diagram import Diagram

PART_REFUSAL = (
    "Cannot delete from a Part directly. Delete from master instead, or use "
    "part_integrity='ignore' to break integrity, or part_integrity='cascade' to also delete "
    "master."
)


# --- schemas ---------------------------------------------------------------------------------------
def _lab(schema: dj.Schema) -> dict[str, Any]:
    """Masters with parts; a part (E.F) with a secondary key to another master's part (B.C)."""

    @schema
    class A(dj.Lookup):
        definition = """
        id_a : int32
        """
        contents = [{"id_a": 1}, {"id_a": 2}]

    @schema
    class L(dj.Lookup):
        definition = """
        id_l : int32
        """
        contents = [{"id_l": 1}, {"id_l": 2}]

    @schema
    class B(dj.Manual):
        definition = """
        -> A
        id_b : int32
        """

        class C(dj.Part):
            definition = """
            -> master
            id_c : int32
            """

    @schema
    class D(dj.Manual):
        definition = """
        -> A
        id_d : int32
        ---
        -> L
        """

    @schema
    class E(dj.Manual):
        definition = """
        -> B
        -> D
        ---
        -> L
        """

        class F(dj.Part):
            definition = """
            -> master
            id_f : int32
            ---
            -> B.C
            """

    ab = [(1, 1), (1, 2), (2, 1)]
    B.insert([{"id_a": a, "id_b": b} for a, b in ab])
    B.C.insert([{"id_a": a, "id_b": b, "id_c": c} for a, b in ab for c in (1, 2)])
    D.insert([{"id_a": a, "id_d": d, "id_l": d} for a, d in ab])
    E.insert(
        [
            {"id_a": a, "id_b": b, "id_d": d, "id_l": 1 + (b + d) % 2}
            for a, b, d in [(1, 1, 1), (1, 1, 2), (1, 2, 1), (1, 2, 2), (2, 1, 1)]
        ]
    )
    E.F.insert(
        [
            {**key, "id_f": f, "id_c": f}
            for key in E.proj().to_dicts()
            for f in (1, 2)
            if (key["id_a"], key["id_b"]) in ab
        ]
    )
    return {"A": A, "L": L, "B": B, "B.C": B.C, "D": D, "E": E, "E.F": E.F}


def _people(schema: dj.Schema) -> dict[str, Any]:
    """Person, and Parent with a plain and a renamed foreign key to Person."""

    @schema
    class Person(dj.Manual):
        definition = """
        person_id : int32
        """

    @schema
    class Parent(dj.Manual):
        definition = """
        -> Person
        -> Person.proj(parent='person_id')
        """

    Person.insert([{"person_id": i} for i in range(1, 7)])
    pairs = [(3, 1), (3, 2), (4, 1), (4, 2), (5, 3), (5, 4), (6, 3), (6, 5)]
    Parent.insert([{"person_id": c, "parent": p} for c, p in pairs])
    return {"Person": Person, "Parent": Parent}


def _things(schema: dj.Schema) -> dict[str, Any]:
    """ThingA -> ThingC through a nullable secondary key, -> ThingD -> ThingE through primary ones."""

    @schema
    class ThingA(dj.Manual):
        definition = """
        a : int32
        """

    @schema
    class ThingC(dj.Manual):
        definition = """
        c : int32
        ---
        -> [nullable] ThingA
        """

    @schema
    class ThingD(dj.Manual):
        definition = """
        -> ThingC
        d : int32
        """

    @schema
    class ThingE(dj.Manual):
        definition = """
        -> ThingD
        e : int32
        """

    ThingA.insert([{"a": 1}, {"a": 2}])
    ThingC.insert([{"c": 1, "a": 1}, {"c": 2, "a": 1}, {"c": 3, "a": 2}, {"c": 4, "a": None}])
    ThingD.insert([{"c": c, "d": d} for c in range(1, 5) for d in (1, 2)])
    ThingE.insert([{"c": c, "d": d, "e": 1} for c in range(1, 5) for d in (1, 2)])
    return {"A": ThingA, "C": ThingC, "D": ThingD, "E": ThingE}


def _study(schema: dj.Schema, subject_schema: dj.Schema | None = None) -> dict[str, Any]:
    """Subject <- Session; Exp with parts Member (-> Subject) and Note (-> Member); G -> Member.

    Deleting subjects reaches Exp's parts without Exp. ``subject_schema`` puts Subject and
    Session in another schema."""
    upstream = subject_schema or schema

    @upstream
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @upstream
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int32
        """

    @schema
    class Exp(dj.Manual):
        definition = """
        exp_id : int32
        """

        class Member(dj.Part):
            definition = """
            -> master
            -> Subject
            """

        class Note(dj.Part):
            definition = """
            -> Exp.Member
            note : int32
            """

    @schema
    class G(dj.Manual):
        definition = """
        -> Exp.Member
        g : int32
        """

    Subject.insert([{"subject_id": s} for s in range(1, 6)])
    Session.insert([{"subject_id": s, "session": k} for s in range(1, 5) for k in (1, 2)])
    Exp.insert([{"exp_id": e} for e in range(1, 5)])
    members = [(1, 1), (1, 2), (2, 3), (3, 1), (3, 4), (4, 5)]
    Exp.Member.insert([{"exp_id": e, "subject_id": s} for e, s in members])
    Exp.Note.insert([{"exp_id": e, "subject_id": s, "note": 0} for e, s in members])
    G.insert([{"exp_id": e, "subject_id": s, "g": g} for e, s in members for g in (1, 2)])
    return {
        "Subject": Subject,
        "Session": Session,
        "Exp": Exp,
        "Exp.Member": Exp.Member,
        "Exp.Note": Exp.Note,
        "G": G,
    }


# --- helpers ---------------------------------------------------------------------------------------
Rows = frozenset[tuple[tuple[str, Any], ...]]


def _rows(table: Any) -> Rows:
    return frozenset(tuple(sorted(row.items())) for row in table().to_dicts())


def _snapshot(tables: dict[str, Any]) -> dict[str, Rows]:
    return {key: _rows(table) for key, table in tables.items()}


def _expect_deleted(
    tables: dict[str, Any], selected: dict[str, Any], delete: Any
) -> dict[str, Rows]:
    """Run ``delete`` and check each table lost exactly the rows ``selected`` picked before it
    (tables not in ``selected`` lose nothing). Returns the rows each table lost."""
    before = _snapshot(tables)
    gone = {key: frozenset(_rows_of(query)) for key, query in selected.items()}
    delete()
    after = _snapshot(tables)
    for key in tables:
        assert after[key] == before[key] - gone.get(key, frozenset()), key
    return gone


def _rows_of(query: Any) -> set[tuple[tuple[str, Any], ...]]:
    return {tuple(sorted(row.items())) for row in query.to_dicts()}


def _names(tables: dict[str, Any]) -> dict[str, str]:
    return {key: table.full_table_name for key, table in tables.items()}


# --- cascades ---------------------------------------------------------------------------------------
def test_delete_removes_exactly_the_rows_that_depend_on_the_seed(schema: dj.Schema) -> None:
    t = _lab(schema)
    key = "id_a = 1"
    selected = {name: t[name] & key for name in ("A", "B", "B.C", "D", "E", "E.F")}
    deleted: list[int] = []
    gone = _expect_deleted(t, selected, lambda: deleted.append((t["A"] & key).delete()))
    assert deleted == [1]  # rows of the seed table only
    assert {k: len(v) for k, v in gone.items()} == {
        "A": 1,
        "B": 2,
        "B.C": 4,
        "D": 2,
        "E": 4,
        "E.F": 8,
    }


def test_delete_follows_plain_and_renamed_foreign_keys(schema: dj.Schema) -> None:
    t = _people(schema)
    Person, Parent = t["Person"], t["Parent"]
    selected = {
        "Person": Person & "person_id = 3",
        "Parent": Parent & ["person_id = 3", "parent = 3"],
    }
    gone = _expect_deleted(t, selected, lambda: (Person & {"person_id": 3}).delete())
    assert len(gone["Parent"]) == 4  # child (3, 1), (3, 2) and parent (5, 3), (6, 3)


def test_delete_through_a_secondary_key_chain(schema: dj.Schema) -> None:
    t = _things(schema)
    c = t["C"] & "a = 1"
    selected = {"A": t["A"] & "a = 1", "C": c, "D": t["D"] & c.proj(), "E": t["E"] & c.proj()}
    gone = _expect_deleted(t, selected, lambda: (t["A"] & "a = 1").delete())
    assert {k: len(v) for k, v in gone.items()} == {"A": 1, "C": 2, "D": 4, "E": 4}


def test_deleting_a_whole_table_keeps_rows_with_a_null_foreign_key(schema: dj.Schema) -> None:
    t = _things(schema)
    c = t["C"] & "a IS NOT NULL"
    selected = {"A": t["A"], "C": c, "D": t["D"] & c.proj(), "E": t["E"] & c.proj()}
    _expect_deleted(t, selected, lambda: t["A"].delete())
    assert t["C"]().to_dicts() == [{"c": 4, "a": None}]
    assert len(t["E"]()) == 2


def test_a_seed_restricted_by_a_table_the_cascade_deletes(schema: dj.Schema) -> None:
    """DataJoint #1496: ``Subject & Session`` must not turn empty once sessions are deleted."""
    t = _study(schema)
    Subject, Session = t["Subject"], t["Session"]
    tables = {k: t[k] for k in ("Subject", "Session")}
    t["Exp"].delete()  # the experiments' parts would otherwise refuse
    selected = {"Subject": Subject & Session, "Session": Session}
    deleted: list[int] = []
    _expect_deleted(tables, selected, lambda: deleted.append((Subject & Session).delete()))
    assert deleted == [4]
    assert Subject().to_dicts() == [{"subject_id": 5}]


def test_a_seed_restricted_through_its_own_table(schema: dj.Schema) -> None:
    t = _people(schema)
    Person = t["Person"]
    others = Person.proj(other="person_id") & "other > 4"
    seed = Person & (others.proj(person_id="other") & "person_id > 4")
    selected = {
        "Person": Person & "person_id > 4",
        "Parent": t["Parent"] & ["person_id > 4", "parent > 4"],
    }
    _expect_deleted(t, selected, lambda: seed.delete())


def test_a_top_seed_deletes_the_rows_the_top_picks(schema: dj.Schema) -> None:
    t = _study(schema)
    Subject = t["Subject"]
    tables = {k: t[k] for k in ("Subject", "Session")}
    t["Exp"].delete()
    seed = Subject & dj.Top(2, order_by="subject_id DESC")
    selected = {"Subject": Subject & "subject_id >= 4", "Session": t["Session"] & "subject_id >= 4"}
    deleted: list[int] = []
    _expect_deleted(tables, selected, lambda: deleted.append(seed.delete()))
    assert deleted == [2]
    assert (t["Session"] & dj.Top(3)).delete_quick(get_count=True) == 3
    assert len(t["Session"]()) == 3


def test_delete_logs_each_table_it_deletes_from(
    schema: dj.Schema, caplog: pytest.LogCaptureFixture
) -> None:
    t = _people(schema)
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        (t["Person"] & {"person_id": 5}).delete()
    leaf = f"Deleting 3 rows from {t['Parent'].full_table_name}"
    seed = f"Deleting 1 rows from {t['Person'].full_table_name}"
    assert caplog.text.index(leaf) < caplog.text.index(seed)  # leaves first


# --- parts ------------------------------------------------------------------------------------------
def test_a_part_reached_without_its_master_refuses_naming_both(schema: dj.Schema) -> None:
    t = _study(schema)
    names = _names(t)
    before = _snapshot(t)
    seed = t["Subject"] & {"subject_id": 1}
    message = (
        f"Attempt to delete part table {names['Exp.Member']} before its master {names['Exp']}. "
        "Delete from the master first, or use part_integrity='ignore' or 'cascade'."
    )
    with pytest.raises(dj.DataJointError) as refused:
        seed.delete()
    assert str(refused.value) in (message, message.replace("Exp.Member", "Exp.Note"))
    assert names["Exp"] in str(refused.value)
    assert _snapshot(t) == before
    assert seed.delete_preview().refusal == str(refused.value)


def test_part_integrity_ignore_deletes_the_parts_only(schema: dj.Schema) -> None:
    t = _study(schema)
    member = t["Exp.Member"] & {"subject_id": 1}
    selected = {
        "Subject": t["Subject"] & {"subject_id": 1},
        "Session": t["Session"] & {"subject_id": 1},
        "Exp.Member": member,
        "Exp.Note": t["Exp.Note"] & {"subject_id": 1},
        "G": t["G"] & {"subject_id": 1},
    }
    seed = t["Subject"] & {"subject_id": 1}
    _expect_deleted(t, selected, lambda: seed.delete(part_integrity="ignore"))


def test_part_integrity_cascade_deletes_the_masters_and_their_other_parts(
    schema: dj.Schema,
) -> None:
    t = _study(schema)
    exps = t["Exp"] & (t["Exp.Member"] & {"subject_id": 1})  # experiments 1 and 3
    selected = {
        "Subject": t["Subject"] & {"subject_id": 1},
        "Session": t["Session"] & {"subject_id": 1},
        "Exp": exps,
        "Exp.Member": t["Exp.Member"] & exps.proj(),
        "Exp.Note": t["Exp.Note"] & exps.proj(),
        "G": t["G"] & exps.proj(),
    }
    seed = t["Subject"] & {"subject_id": 1}
    preview = seed.delete_preview(part_integrity="cascade")
    gone = _expect_deleted(t, selected, lambda: seed.delete(part_integrity="cascade"))
    assert {k: len(v) for k, v in gone.items()} == {
        "Subject": 1,
        "Session": 2,
        "Exp": 2,
        "Exp.Member": 4,  # also subjects 2 and 4's memberships of experiments 1 and 3
        "Exp.Note": 4,
        "G": 8,
    }
    names = _names(t)
    assert preview.counts == {names[k]: len(v) for k, v in gone.items()}
    assert preview.refusal is None


def test_a_part_class_refuses_a_direct_delete_before_any_sql(schema: dj.Schema) -> None:
    t = _study(schema)
    before = _snapshot(t)
    member = t["Exp.Member"]
    conn = schema.connection
    for call in (
        lambda: (member & {"subject_id": 99}).delete(),
        lambda: member.delete(prompt=False),
        lambda: member.delete_preview(),
        lambda: member.delete(dry_run=True),
    ):
        conn.query = _refuse_sql  # the refusal comes before any statement
        try:
            with pytest.raises(dj.DataJointError) as refused:
                call()
        finally:
            del conn.query
        assert str(refused.value) == PART_REFUSAL
    assert _snapshot(t) == before


def _refuse_sql(sql: str, *args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"unexpected SQL: {sql}")


def test_a_part_seed_with_ignore_or_cascade(schema: dj.Schema) -> None:
    t = _study(schema)
    note = t["Exp.Note"] & {"exp_id": 3, "subject_id": 4}
    _expect_deleted(t, {"Exp.Note": note}, lambda: note.delete(part_integrity="ignore"))
    # cascade from a part of a part: up through Member to Exp, then down to all of Exp 3's rows
    member = t["Exp.Member"] & {"exp_id": 3, "subject_id": 1}
    exp3 = {"exp_id": 3}
    selected = {k: t[k] & exp3 for k in ("Exp", "Exp.Member", "Exp.Note", "G")}
    deleted: list[int] = []
    note1 = t["Exp.Note"] & {"exp_id": 3, "subject_id": 1}
    _expect_deleted(t, selected, lambda: deleted.append(note1.delete(part_integrity="cascade")))
    assert deleted == [1]
    assert len(member) == 0
    assert (t["Exp.Member"] & {"exp_id": 99}).delete_quick(get_count=True) == 0


# --- previews ---------------------------------------------------------------------------------------
def test_a_dry_run_reports_counts_and_queries_and_changes_nothing(schema: dj.Schema) -> None:
    t = _lab(schema)
    names = _names(t)
    before = _snapshot(t)
    seed = t["A"] & "id_a = 1"
    preview = seed.delete(dry_run=True)
    assert isinstance(preview, CascadePreview)
    assert preview == seed.delete_preview()
    assert _snapshot(t) == before
    assert list(preview.counts) == [
        names[k] for k in ("A", "B", "B.C", "D", "E", "E.F")
    ]  # parents first, parts right after their masters
    assert preview.counts == {
        names[k]: len(t[k] & "id_a = 1") for k in preview_keys(names, preview)
    }
    assert preview.seed == names["A"] and preview.seed_count == 1
    assert preview.total == sum(preview.counts.values()) == 21
    assert preview.refusal is None and preview.operation == "delete"
    assert list(preview.expressions) == list(preview.counts)
    assert _rows_of(preview.expressions[names["E.F"]]) == _rows_of(t["E.F"] & "id_a = 1")
    summary = json.loads(json.dumps(preview.to_dict()))
    assert summary["tables"][0] == {"table": names["A"], "rows": 1}
    assert summary["total"] == 21 and summary["part_integrity"] == "enforce"
    assert Diagram.cascade(seed).counts() == preview.counts


def preview_keys(names: dict[str, str], preview: CascadePreview) -> list[str]:
    by_name = {name: key for key, name in names.items()}
    return [by_name[name] for name in preview.counts]


def test_diagram_cascade_is_a_restricted_diagram_of_the_plan(schema: dj.Schema) -> None:
    t = _people(schema)
    diagram = Diagram.cascade(t["Person"] & "person_id = 3")
    assert [table.full_table_name for table in diagram] == [
        t["Person"].full_table_name,
        t["Parent"].full_table_name,
    ]
    assert [len(table) for table in diagram] == [1, 4]
    with pytest.raises(dj.DataJointError, match="Cannot apply restrict"):
        diagram.restrict(t["Person"])
    with pytest.raises(dj.DataJointError, match="prune"):
        diagram.prune()
    with pytest.raises(ValueError, match="part_integrity must be"):
        Diagram.cascade(t["Person"], part_integrity="sometimes")


# --- prompts and transactions -------------------------------------------------------------------
def _answers(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    questions: list[str] = []
    replies = iter(answers)

    def answer(question: str) -> str:
        questions.append(question)
        return next(replies)

    monkeypatch.setattr(builtins, "input", answer)
    return questions


def test_prompted_delete_commits_only_on_yes(
    schema: dj.Schema, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    t = _people(schema)
    before = _snapshot(t)
    seed = t["Person"] & {"person_id": 3}
    questions = _answers(monkeypatch, "no", "maybe", "yes")
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        assert seed.delete(prompt=True) == 0
    assert _snapshot(t) == before
    assert questions == ["Commit deletes? [yes, No]: "]
    assert f"{t['Person'].full_table_name} (1 tuples)" in caplog.text
    assert f"{t['Parent'].full_table_name} (4 tuples)" in caplog.text
    assert "Delete cancelled" in caplog.text
    assert not schema.connection.in_transaction
    with schema.connection.config.override(safemode=True):  # prompting by default
        assert seed.delete() == 1
    assert questions[1:] == ["Commit deletes? [yes, No]: "] * 2  # "maybe" asks again
    assert len(t["Parent"]()) == 4


def test_a_prompted_delete_of_nothing_asks_nothing(
    schema: dj.Schema, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    t = _people(schema)
    questions = _answers(monkeypatch)
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        assert (t["Person"] & {"person_id": 99}).delete(prompt=True) == 0
    assert questions == []
    assert "Nothing to delete." in caplog.text
    assert not schema.connection.in_transaction


def test_delete_inside_an_ongoing_transaction(schema: dj.Schema) -> None:
    t = _people(schema)
    conn = schema.connection
    before = _snapshot(t)
    seed = t["Person"] & {"person_id": 3}
    with conn.transaction:
        with pytest.raises(dj.DataJointError, match="within an ongoing transaction"):
            seed.delete(prompt=True)
        assert conn.in_transaction
    assert _snapshot(t) == before
    with pytest.raises(RuntimeError), conn.transaction:
        assert seed.delete(prompt=False) == 1  # runs in the caller's transaction...
        assert conn.in_transaction
        assert len(t["Parent"]()) == 4
        raise RuntimeError("...which rolls it back")
    assert _snapshot(t) == before
    with conn.transaction:
        assert seed.delete(transaction=False, prompt=True) == 1  # no question: not its own
    assert len(t["Parent"]()) == 4


def test_a_refused_delete_inside_a_transaction_undoes_only_itself(schema: dj.Schema) -> None:
    """Inside the caller's transaction the cascade runs under a savepoint: refused by the part
    check after its DELETEs ran, it takes back its own deletes and nothing of the caller's."""
    t = _study(schema)
    conn = schema.connection
    before = _snapshot(t)
    with conn.transaction:
        t["Subject"].insert1({"subject_id": 6})
        for transaction in (True, False):
            with pytest.raises(dj.DataJointError, match="Attempt to delete part table"):
                (t["Subject"] & {"subject_id": 1}).delete(transaction=transaction, prompt=False)
            assert conn.in_transaction
    after = _snapshot(t)
    assert after["Subject"] - before["Subject"] == {(("subject_id", 6),)}
    assert {k: v for k, v in after.items() if k != "Subject"} == {
        k: v for k, v in before.items() if k != "Subject"
    }


def test_transaction_false_checks_part_integrity_before_deleting(schema: dj.Schema) -> None:
    t = _study(schema)
    before = _snapshot(t)
    seed = t["Subject"] & {"subject_id": 2}
    with pytest.raises(dj.DataJointError, match="Attempt to delete part table"):
        seed.delete(transaction=False)
    assert _snapshot(t) == before
    assert (t["Exp"] & {"exp_id": 1}).delete(transaction=False) == 1
    assert len(t["Exp.Member"]()) == 4


def test_bad_part_integrity_values_are_refused(schema: dj.Schema) -> None:
    t = _people(schema)
    before = _snapshot(t)
    for call in (
        lambda: t["Person"].delete(part_integrity="force"),
        lambda: t["Person"].delete_preview(part_integrity="force"),
        lambda: t["Person"].delete(part_integrity="force", dry_run=True),
    ):
        with pytest.raises(ValueError) as refused:
            call()
        assert str(refused.value) == (
            "part_integrity must be 'enforce', 'ignore', or 'cascade', got 'force'"
        )
    assert _snapshot(t) == before


# --- other schemas ------------------------------------------------------------------------------------
def test_downstream_schemas_are_found_without_their_modules(
    conn: dj.Connection, schema: dj.Schema, schema_name: str
) -> None:
    downstream = dj.Schema(schema_name + "_down", connection=conn)
    try:
        t = _study(downstream, subject_schema=schema)
        names = _names(t)
        del t  # the downstream classes are gone, and so is the schema's registration
        conn.schemas.pop(downstream.database)
        fresh = conn.new_session()
        try:
            subject = dj.FreeTable(fresh, names["Subject"]) & {"subject_id": 2}
            preview = subject.delete_preview(part_integrity="cascade")
            assert set(preview.counts) == set(names.values())
            assert preview.counts[names["Exp"]] == 1
            assert subject.delete(part_integrity="cascade") == 1
            assert len(dj.FreeTable(fresh, names["Exp.Member"])) == 4
            assert len(dj.FreeTable(fresh, names["G"])) == 8
            assert len(dj.FreeTable(fresh, names["Session"])) == 6
        finally:
            fresh.close()
    finally:
        downstream.drop(prompt=False)


@pytest.mark.parametrize("nested", [False, True], ids=["own", "nested"])
def test_a_table_declared_by_another_session_after_planning(
    conn: dj.Connection,
    schema: dj.Schema,
    schema_name: str,
    caplog: pytest.LogCaptureFixture,
    nested: bool,
) -> None:
    """The cached graph misses the new table: the delete fails on its foreign key, is rolled
    back (to a savepoint inside the caller's transaction) and planned again from the catalog."""
    t = _people(schema)
    Person = t["Person"]  # the name the downstream definition refers to
    seed = Person & {"person_id": 3}
    assert len(seed.delete_preview().counts) == 2  # the graph is cached now
    other = conn.new_session()
    downstream = dj.Schema(schema_name + "_late", connection=other)
    try:

        @downstream
        class Visit(dj.Manual):
            definition = """
            -> Person
            visit : int32
            """

        Visit.insert([{"person_id": p, "visit": 1} for p in (3, 4)])
        with caplog.at_level(logging.INFO, logger="pipelines.core"):
            if nested:
                with conn.transaction:
                    assert seed.delete(prompt=False) == 1
            else:
                assert seed.delete() == 1
        assert "Reloading the dependency graph" in caplog.text
        assert Visit().to_dicts() == [{"person_id": 4, "visit": 1}]
    finally:
        downstream.drop(prompt=False)
        other.close()


# --- a lost connection ------------------------------------------------------------------------------
def test_a_killed_connection_leaves_no_partial_delete(
    mysql_connection: dj.Connection, schema_name: str
) -> None:
    """MariaDB: the session is killed between two of the cascade's DELETEs; the server rolls the
    transaction back, so every table keeps every row."""
    victim = mysql_connection.new_session()
    schema = dj.Schema(schema_name, connection=victim)
    try:
        t = _lab(schema)
        watcher = {k: dj.FreeTable(mysql_connection, n) for k, n in _names(t).items()}
        before = {k: _rows_of(table) for k, table in watcher.items()}
        victim_id = victim.server_connection_id()
        sent: list[str] = []
        query = victim.query

        def kill_after_first_delete(sql: str, *args: Any, **kwargs: Any) -> Any:
            result = query(sql, *args, **kwargs)
            sent.append(sql)
            if sql.startswith("DELETE") and sum(s.startswith("DELETE") for s in sent) == 1:
                mysql_connection.query(f"KILL {victim_id}")
                _wait_until_gone(mysql_connection, victim_id)
            return result

        victim.query = kill_after_first_delete
        try:
            with pytest.raises(dj.LostConnectionError):
                (t["A"] & "id_a = 1").delete(prompt=False)
        finally:
            del victim.query
        assert sum(s.startswith("DELETE") for s in sent) == 1
        assert {k: _rows_of(table) for k, table in watcher.items()} == before
        victim.connect()
        assert not victim.in_transaction
        assert {k: _rows_of(t[k]) for k in t} == before
    finally:
        schema.drop(prompt=False)
        victim.close()


def _wait_until_gone(server: dj.Connection, session: int) -> None:
    for _ in range(100):
        rows = server.query(
            "SELECT 1 FROM information_schema.processlist WHERE id = %s", (session,)
        ).fetchall()
        if not rows:
            return
        time.sleep(0.02)
    raise AssertionError(f"session {session} was not killed")


def test_a_seed_joined_with_another_table(schema: dj.Schema) -> None:
    """``(Person * Parent & cond).delete()`` deletes the persons the join selects (by their own
    key), not rows matched on the join's wider key."""
    t = _people(schema)
    Person, Parent = t["Person"], t["Parent"]
    seed = Person * (Parent.proj(child="person_id", person_id="parent") & "child = 6")
    selected = {
        "Person": Person & "person_id in (3, 5)",
        "Parent": Parent & ["person_id in (3, 5)", "parent in (3, 5)"],
    }
    deleted: list[int] = []
    _expect_deleted(t, selected, lambda: deleted.append(seed.delete()))
    assert deleted == [2]

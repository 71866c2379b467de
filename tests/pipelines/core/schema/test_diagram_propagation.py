# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Person.insert(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, union-attr, misc, operator"
"""Restrictions carried along foreign keys (spec/engine.md §3.4, §6.3): ``Diagram.restrict``,
``Diagram.trace``, ``counts``, ``prune``, ``trace[T]``, and ``propagate`` for later cascades.

Every count is checked against ``len()`` of the restriction written by hand.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.schema.diagram import Diagram
from pipelines.core.schema.diagram_propagation import (
    AND,
    DOWN,
    OR,
    UP,
    Restrictions,
    propagate,
)
from pipelines.core.schema.graph import DependencyGraph
from pipelines.core.schema.table import FreeTable


# --- schemas ---------------------------------------------------------------------------------------
def _people(schema: dj.Schema) -> dict[str, Any]:
    """Person, and Parent with a plain and a renamed foreign key to Person."""

    @schema
    class Person(dj.Manual):
        definition = """
        person_id : int32
        ---
        name : varchar(20)
        """

    @schema
    class Parent(dj.Manual):
        definition = """
        -> Person
        -> Person.proj(parent='person_id')
        """

    Person.insert([{"person_id": i, "name": f"p{i}"} for i in range(1, 7)])
    Parent.insert([(3, 1), (3, 2), (4, 1), (4, 2), (5, 3), (5, 4), (6, 3), (6, 5)])
    return {"Person": Person, "Parent": Parent}


def _things(schema: dj.Schema) -> dict[str, Any]:
    """A -> C through a nullable secondary foreign key, C -> D through a primary one."""

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

    ThingA.insert([{"a": 1}, {"a": 2}])
    ThingC.insert([{"c": 1, "a": 1}, {"c": 2, "a": 1}, {"c": 3, "a": 2}, {"c": 4, "a": None}])
    ThingD.insert([{"c": c, "d": d} for c in range(1, 5) for d in (1, 2)])
    return {"A": ThingA, "C": ThingC, "D": ThingD}


def _lab(schema: dj.Schema) -> dict[str, Any]:
    """A trimmed reference schema: masters with parts, a secondary key to a part."""

    @schema
    class A(dj.Lookup):
        definition = """
        id_a : int32
        """
        contents = [(1,), (2,)]

    @schema
    class L(dj.Lookup):
        definition = """
        id_l : int32
        """
        contents = [(1,), (2,)]

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

    @schema
    class Empty(dj.Manual):
        definition = """
        -> A
        id_empty : int32
        """

    B.insert([(1, 1), (1, 2), (2, 1)])
    B.C.insert([(a, b, c) for a, b in [(1, 1), (1, 2), (2, 1)] for c in (1, 2)])
    D.insert([(1, 1, 1), (1, 2, 2), (2, 1, 1)])
    E.insert([(1, 1, 1, 1), (1, 1, 2, 2), (1, 2, 1, 1), (1, 2, 2, 1), (2, 1, 1, 2)])
    E.F.insert(
        [
            {"id_a": 1, "id_b": b, "id_d": d, "id_f": f, "id_c": f}
            for b, d in [(1, 1), (1, 2), (2, 1), (2, 2)]
            for f in (1, 2)
        ]
    )
    return {"A": A, "L": L, "B": B, "D": D, "E": E, "Empty": Empty}


def _names(tables: dict[str, Any]) -> dict[str, str]:
    return {key: table.full_table_name for key, table in tables.items()}


# --- restrict: downward, AND ---------------------------------------------------------------------
def test_restrict_follows_plain_and_renamed_keys_with_and(schema: dj.Schema) -> None:
    t = _people(schema)
    Person, Parent = t["Person"], t["Parent"]
    seed = Person & "person_id in (3, 5)"
    counts = Diagram(schema).restrict(seed).counts()
    expected = Parent & "person_id in (3, 5)" & seed.proj(parent="person_id")
    assert counts == {Person.full_table_name: 2, Parent.full_table_name: len(expected)}
    assert counts[Parent.full_table_name] == 1  # (5, 3): child and parent both selected


def test_restrict_through_a_secondary_key_chain_uses_semijoins(schema: dj.Schema) -> None:
    t = _things(schema)
    seed = t["A"] & "a = 1"
    counts = Diagram(schema).restrict(seed).counts()
    c = t["C"] & seed
    assert counts == {
        t["A"].full_table_name: 1,
        t["C"].full_table_name: len(c),
        t["D"].full_table_name: len(t["D"] & c),
    }
    assert counts[t["D"].full_table_name] == 4  # D has no `a`: the condition cannot be copied


def test_restrict_reaches_parts_and_ands_where_keys_meet(schema: dj.Schema) -> None:
    t = _lab(schema)
    A, B, D, E = t["A"], t["B"], t["D"], t["E"]
    diagram = Diagram(schema).restrict(A & "id_a = 1")
    counts = diagram.counts()
    names = _names(t)
    assert set(counts) == {
        names["A"],
        names["B"],
        B.C.full_table_name,
        names["D"],
        names["E"],
        E.F.full_table_name,
        names["Empty"],
    }
    assert counts[names["B"]] == len(B & "id_a = 1") == 2
    assert counts[B.C.full_table_name] == len(B.C & "id_a = 1") == 4
    assert counts[names["E"]] == len(E & "id_a = 1") == 4
    expected_f = E.F & "id_a = 1" & (B.C & "id_a = 1").proj()
    assert counts[E.F.full_table_name] == len(expected_f) == 8
    assert counts[names["Empty"]] == 0
    assert names["L"] not in counts  # not below A: left unrestricted

    chained = diagram.restrict(t["L"] & "id_l = 1").counts()
    d = D & "id_a = 1" & (t["L"] & "id_l = 1")
    e = E & "id_a = 1" & d.proj() & (t["L"] & "id_l = 1")
    assert chained[names["D"]] == len(d) == 1
    assert chained[names["E"]] == len(e) == 2
    assert chained[E.F.full_table_name] == len(E.F & e.proj() & (B.C & "id_a = 1").proj())


def test_restricted_diagram_iterates_restricted_tables(schema: dj.Schema) -> None:
    t = _lab(schema)
    diagram = Diagram(schema).restrict(t["A"] & "id_a = 2")
    tables = list(diagram)
    assert all(isinstance(table, FreeTable) for table in tables)
    sizes = {table.full_table_name: len(table) for table in tables}
    assert sizes[t["L"].full_table_name] == 2  # unrestricted
    assert sizes[t["E"].full_table_name] == len(t["E"] & "id_a = 2") == 1
    assert [x.full_table_name for x in reversed(diagram)] == [x.full_table_name for x in tables][
        ::-1
    ]


def test_counts_are_logged(schema: dj.Schema, caplog: pytest.LogCaptureFixture) -> None:
    t = _people(schema)
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        Diagram(schema).restrict(t["Person"] & "person_id = 3").counts()
    assert f"{t['Person'].full_table_name} (1 tuples)" in caplog.text
    assert f"{t['Parent'].full_table_name} (0 tuples)" in caplog.text


def test_counts_show_only_shown_tables(schema: dj.Schema) -> None:
    t = _people(schema)
    counts = Diagram(t["Parent"]).restrict(t["Person"] & "person_id = 3").counts()
    assert counts == {
        t["Parent"].full_table_name: len(t["Parent"] & "person_id = 3" & "parent = 3")
    }


def test_restrict_errors(schema: dj.Schema, conn: dj.Connection, schema_name: str) -> None:
    t = _people(schema)
    with pytest.raises(dj.DataJointError, match="No restrictions applied"):
        Diagram(schema).counts()
    other = dj.Schema(schema_name + "_x", connection=conn)
    try:

        @other
        class Elsewhere(dj.Manual):
            definition = """
            k : int32
            """

        conn.schemas.pop(other.database)
        with pytest.raises(dj.DataJointError, match=r"Table `.*`\.`elsewhere` is not in the"):
            Diagram(schema).restrict(Elsewhere & "k = 1")
    finally:
        other.drop(prompt=False)
    trace = Diagram.trace(t["Parent"] & "person_id = 3")
    with pytest.raises(dj.DataJointError, match="Cannot apply restrict"):
        trace.restrict(t["Person"])
    with pytest.raises(dj.DataJointError, match="Expected a table"):
        Diagram(schema).restrict("person_id = 3")


# --- prune --------------------------------------------------------------------------------------------
def test_prune_drops_restricted_tables_without_matching_rows(schema: dj.Schema) -> None:
    t = _lab(schema)
    pruned = Diagram(schema).restrict(t["A"] & "id_a = 2").prune()
    names = _names(t)
    assert t["E"].F.full_table_name not in pruned.nodes_to_show  # E(2, …) has no F rows
    assert names["Empty"] not in pruned.nodes_to_show
    assert {names["A"], names["B"], names["E"], names["L"]} <= pruned.nodes_to_show
    assert set(pruned.counts()) == {
        names["A"],
        names["B"],
        t["B"].C.full_table_name,
        names["D"],
        names["E"],
    }


def test_prune_of_an_unrestricted_diagram_drops_empty_tables(schema: dj.Schema) -> None:
    t = _lab(schema)
    pruned = Diagram(schema).prune()
    assert pruned.nodes_to_show == Diagram(schema).nodes_to_show - {t["Empty"].full_table_name}


# --- trace: upward, OR -----------------------------------------------------------------------------
def test_trace_follows_renamed_keys_upward_with_or(schema: dj.Schema) -> None:
    t = _people(schema)
    Person, Parent = t["Person"], t["Parent"]
    trace = Diagram.trace(Parent & {"person_id": 5})
    parents = [row["parent"] for row in (Parent & {"person_id": 5}).to_dicts()]
    expected = Person & [{"person_id": p} for p in [5, *parents]]
    assert trace.counts() == {Person.full_table_name: len(expected), Parent.full_table_name: 2}
    assert sorted(trace[Person].to_arrays("person_id").tolist()) == [3, 4, 5]


def test_trace_from_a_deep_table_reaches_every_ancestor(schema: dj.Schema) -> None:
    t = _lab(schema)
    A, B, D, E, L = t["A"], t["B"], t["D"], t["E"], t["L"]
    seed = E.F & {"id_a": 1, "id_b": 2, "id_d": 2, "id_f": 1}
    trace = Diagram.trace(seed)
    names = _names(t)
    assert trace.nodes_to_show == {
        E.F.full_table_name,
        names["E"],
        B.C.full_table_name,
        names["B"],
        names["D"],
        names["A"],
        names["L"],
    }
    e = E & seed.proj()
    assert trace[E].keys() == [{"id_a": 1, "id_b": 2, "id_d": 2}]
    assert trace["c"].keys() == [{"id_a": 1, "id_b": 2, "id_c": 1}]
    assert trace[B()].keys() == [{"id_a": 1, "id_b": 2}]
    assert trace[names["D"]].keys() == [{"id_a": 1, "id_d": 2}]
    assert trace["a"].keys() == [{"id_a": 1}]
    expected_l = L & [e.proj("id_l").to_dicts()[0], (D & {"id_a": 1, "id_d": 2}).proj("id_l")]
    assert len(trace[L]) == len(expected_l) == 2  # E(1, 2, 2) points to L 1, D(1, 2) to L 2
    assert trace.counts()[names["A"]] == len(A & {"id_a": 1})
    assert isinstance(trace["A"], FreeTable)
    with pytest.raises(dj.DataJointError, match="not in this trace's subgraph"):
        trace[t["Empty"]]
    with pytest.raises(dj.DataJointError, match="not in this trace's subgraph"):
        trace["nothing_like_this"]
    with pytest.raises(dj.DataJointError, match="expects a Table class"):
        trace[3]


def test_trace_loads_upstream_schemas(
    schema: dj.Schema, conn: dj.Connection, schema_name: str
) -> None:
    t = _people(schema)
    Person = t["Person"]  # noqa: F841 - the foreign key below names it
    other = dj.Schema(schema_name + "_up", connection=conn)
    try:

        @other
        class Visit(dj.Manual):
            definition = """
            -> Person
            visit : int32
            """

        Visit.insert([(5, 1), (6, 1)])
        conn.schemas.pop(schema.database)  # the upstream schema is not activated here
        try:
            trace = Diagram.trace(Visit & {"person_id": 5})
        finally:
            conn.schemas[schema.database] = schema
        assert trace.counts() == {t["Person"].full_table_name: 1, Visit.full_table_name: 1}
    finally:
        other.drop(prompt=False)


def test_a_plain_diagram_indexes_like_a_graph(schema: dj.Schema) -> None:
    t = _people(schema)
    adjacency = Diagram(schema)[t["Person"].full_table_name]
    assert adjacency == {
        t["Parent"].full_table_name: {
            ("person_id",): {
                "attr_map": {"person_id": "person_id"},
                "aliased": False,
                "primary": True,
                "multi": True,
            },
            ("parent",): {
                "attr_map": {"parent": "person_id"},
                "aliased": True,
                "primary": True,
                "multi": True,
            },
        }
    }
    with pytest.raises(KeyError):
        Diagram(schema)[t["Person"]]


# --- propagate: the API cascades build on ----------------------------------------------------------
def test_propagate_down_with_or_takes_either_key(schema: dj.Schema, conn: dj.Connection) -> None:
    t = _people(schema)
    Person, Parent = t["Person"], t["Parent"]
    graph = DependencyGraph.load(conn, {schema.database})
    result = propagate(graph, Person & "person_id = 3", DOWN, OR)
    assert set(result) == {Person.full_table_name, Parent.full_table_name}
    assert len(result[Parent.full_table_name]) == len(Parent & ["person_id = 3", "parent = 3"]) == 4
    anded = propagate(graph, Person & "person_id = 3", DOWN, AND)
    assert len(anded[Parent.full_table_name]) == 0


def test_propagate_from_an_unrestricted_or_top_seed(schema: dj.Schema, conn: dj.Connection) -> None:
    t = _things(schema)
    graph = DependencyGraph.load(conn, {schema.database})
    everything = propagate(graph, t["A"], DOWN, OR)
    assert len(everything[t["C"].full_table_name]) == 3  # C(4) references no A
    assert len(everything[t["D"].full_table_name]) == 6
    top = propagate(graph, t["C"] & dj.Top(limit=1, order_by="c DESC"), DOWN, OR)
    assert top[t["C"].full_table_name].keys() == [{"c": 4}]
    assert len(top[t["D"].full_table_name]) == 2
    up = propagate(graph, t["D"] & {"c": 3}, UP, OR)
    assert up[t["A"].full_table_name].keys() == [{"a": 2}]


def test_restrictions_copy_is_independent(schema: dj.Schema, conn: dj.Connection) -> None:
    t = _people(schema)
    restrictions = Restrictions(conn, AND)
    restrictions.seed(t["Person"] & "person_id = 1")
    copy = restrictions.copy()
    copy.seed(t["Person"] & "person_id = 2")
    assert len(restrictions.restricted(t["Person"].full_table_name)) == 1
    assert len(copy.restricted(t["Person"].full_table_name)) == 0
    with pytest.raises(dj.DataJointError, match="mode"):
        Restrictions(conn, "xor")


# --- against DataJoint ---------------------------------------------------------------------------------
def test_counts_match_datajoint(mysql_connection: dj.Connection, schema_name: str) -> None:
    """Differential: DataJoint's restrict, trace and cascade counts over the same schemas."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import datajoint as oracle_dj

        oracle_dj.config["database.host"] = "127.0.0.1"
        oracle_dj.config["database.user"] = "root"
        oracle_dj.config["database.password"] = ""
        oracle_dj.config["database.use_tls"] = False
        oracle = oracle_dj.conn(reset=True)
    schema = dj.Schema(schema_name, connection=mysql_connection)
    try:
        t = {**_people(schema), **_lab(schema)}
        graph = DependencyGraph.load(mysql_connection, {schema.database})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vm = oracle_dj.VirtualModule("vm", schema_name, connection=oracle)
            theirs = {
                "restrict": oracle_dj.Diagram(vm.schema).restrict(vm.A & "id_a = 1").counts(),
                "people": oracle_dj.Diagram(vm.schema)
                .restrict(vm.Person & "person_id in (3, 5)")
                .counts(),
                "trace": oracle_dj.Diagram.trace(vm.E.F & {"id_a": 1, "id_b": 2}).counts(),
                "cascade": oracle_dj.Diagram.cascade(vm.Person & "person_id = 3").counts(),
            }
        ours = {
            "restrict": Diagram(schema).restrict(t["A"] & "id_a = 1").counts(),
            "people": Diagram(schema).restrict(t["Person"] & "person_id in (3, 5)").counts(),
            "trace": Diagram.trace(t["E"].F & {"id_a": 1, "id_b": 2}).counts(),
            "cascade": {
                name: len(table)
                for name, table in propagate(graph, t["Person"] & "person_id = 3").items()
            },
        }
        for key, counts in ours.items():
            assert counts == theirs[key], key
    finally:
        schema.drop(prompt=False)

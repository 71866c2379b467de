# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""The foreign-key dependency graph (spec/engine.md §6.1–6.2): hand-built graphs for the ordering
rules, declared schemas on SQLite and MariaDB for loading from the catalog."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.schema.graph import CYCLE_MESSAGE, DependencyGraph, split_full_name


def _graph(tables: dict[str, list[str]], fks: list[tuple[str, str, dict[str, str]]]) -> Any:
    """Tables of schema ``s`` keyed by bare name; foreign keys as (child, parent, attr_map)."""
    graph = DependencyGraph()
    for table, key in tables.items():
        graph.add_table("s", table, key)
    for child, parent, attr_map in fks:
        graph.add_foreign_key(f"`s`.`{parent}`", f"`s`.`{child}`", attr_map)
    return graph


def _bare(names: list[str]) -> list[str]:
    return [split_full_name(n)[1] for n in names]


# --- edge properties and parallel edges ------------------------------------------------------------
def test_edge_props_say_primary_multi_and_aliased() -> None:
    graph = _graph(
        {"subject": ["subject_id"], "session": ["subject_id", "idx"], "info": ["subject_id"]},
        [
            ("session", "subject", {"subject_id": "subject_id"}),
            ("info", "subject", {"subject_id": "subject_id"}),
        ],
    )
    [(child, session_edge), (other, info_edge)] = graph.children("`s`.`subject`")
    assert (child, other) == ("`s`.`session`", "`s`.`info`")
    assert session_edge == {
        "attr_map": {"subject_id": "subject_id"},
        "aliased": False,
        "primary": True,
        "multi": True,
    }
    assert info_edge["primary"] and not info_edge["multi"]  # the FK is info's whole key: 1:1


def test_two_foreign_keys_to_one_parent_are_parallel_edges_keyed_by_child_columns() -> None:
    graph = _graph(
        {"person": ["person_id"], "parent": ["person_id", "parent"]},
        [
            ("parent", "person", {"person_id": "person_id"}),
            ("parent", "person", {"parent": "person_id"}),
        ],
    )
    edges = graph.in_edges("`s`.`parent`")
    assert [e.key for e in edges] == [("person_id",), ("parent",)]
    assert [e.aliased for e in edges] == [False, True]
    assert [p for p, _ in graph.parents("`s`.`parent`")] == ["`s`.`person`"] * 2
    assert len(graph.children("`s`.`person`")) == 2


def test_re_adding_a_foreign_key_replaces_it() -> None:
    graph = _graph({"a": ["x"], "b": ["x", "y"]}, [("b", "a", {"x": "x"}), ("b", "a", {"x": "x"})])
    assert len(graph.edges()) == 1


def test_parents_and_children_filter_on_primary() -> None:
    graph = _graph(
        {"a": ["x"], "l": ["l"], "b": ["x", "y"]},
        [("b", "a", {"x": "x"}), ("b", "l", {"l": "l"})],
    )
    assert [p for p, _ in graph.parents("`s`.`b`", primary=True)] == ["`s`.`a`"]
    assert [p for p, _ in graph.parents("`s`.`b`", primary=False)] == ["`s`.`l`"]
    assert graph.children("`s`.`l`", primary=True) == []


def test_tier_and_master_come_from_the_table_name() -> None:
    graph = _graph(
        {"#l": ["l"], "_i": ["i"], "__c": ["c"], "__c__part": ["c", "p"], "m": ["m"]}, []
    )
    tiers = {split_full_name(n)[1]: node.tier for n, node in graph.nodes.items()}
    assert tiers == {
        "#l": "Lookup",
        "_i": "Imported",
        "__c": "Computed",
        "__c__part": "Part",
        "m": "Manual",
    }
    part = graph.nodes["`s`.`__c__part`"]
    assert part.is_part and part.master == "`s`.`__c`"
    assert not graph.nodes["`s`.`m`"].is_part


def test_a_foreign_key_to_an_unknown_table_is_refused() -> None:
    graph = _graph({"a": ["x"]}, [])
    with pytest.raises(dj.DataJointError):
        graph.add_foreign_key("`s`.`nope`", "`s`.`a`", {"x": "x"})


# --- ordering ------------------------------------------------------------------------------------------
def test_topological_order_breaks_ties_by_name() -> None:
    graph = _graph({"z": ["z"], "b": ["b"], "a": ["a"], "c": ["a", "c"]}, [("c", "a", {"a": "a"})])
    assert _bare(graph.topological_order()) == ["a", "b", "c", "z"]


def test_parts_follow_their_master_and_masters_wait_for_parts_parents() -> None:
    graph = _graph(
        {
            "m": ["m"],
            "m__p1": ["m", "p"],
            "m__p2": ["m", "p", "q"],
            "a": ["a"],
            "x": ["x"],  # a parent of part m__p2 only: must come before the master
        },
        [
            ("m__p1", "m", {"m": "m"}),
            ("m__p2", "m__p1", {"m": "m", "p": "p"}),
            ("m__p2", "x", {"x": "x"}),
            ("a", "m", {"m": "m"}),  # a child of the master sorts after all of its parts
        ],
    )
    assert _bare(graph.topological_order()) == ["x", "m", "m__p1", "m__p2", "a"]


def test_topological_order_of_a_subset_only_uses_the_subset() -> None:
    graph = _graph(
        {"a": ["a"], "b": ["a", "b"], "c": ["a", "b", "c"]},
        [("b", "a", {"a": "a"}), ("c", "b", {"a": "a", "b": "b"})],
    )
    assert _bare(graph.topological_order(["`s`.`c`", "`s`.`a`"])) == ["a", "c"]


def test_a_part_whose_parent_depends_on_its_master_keeps_a_valid_order() -> None:
    graph = _graph(
        {"m": ["m"], "x": ["m", "x"], "m__p": ["m", "x", "p"]},
        [("x", "m", {"m": "m"}), ("m__p", "m", {"m": "m"}), ("m__p", "x", {"m": "m", "x": "x"})],
    )
    assert _bare(graph.topological_order()) == ["m", "x", "m__p"]


def test_descendants_start_with_self_then_topological() -> None:
    graph = _graph(
        {"a": ["a"], "b": ["a", "b"], "c": ["a", "c"], "d": ["a", "b", "d"], "o": ["o"]},
        [
            ("b", "a", {"a": "a"}),
            ("c", "a", {"a": "a"}),
            ("d", "b", {"a": "a", "b": "b"}),
            ("d", "c", {"a": "a"}),
        ],
    )
    assert _bare(graph.descendants("`s`.`a`")) == ["a", "b", "c", "d"]
    assert _bare(graph.descendants("`s`.`c`")) == ["c", "d"]
    assert _bare(graph.ancestors("`s`.`d`")) == ["d", "c", "b", "a"]
    assert _bare(graph.ancestors("`s`.`o`")) == ["o"]


def test_a_cycle_is_refused() -> None:
    graph = _graph({"a": ["a"], "b": ["b"]}, [("b", "a", {"a": "b"}), ("a", "b", {"b": "a"})])
    with pytest.raises(dj.DataJointError, match=CYCLE_MESSAGE):
        graph.topological_order()


def test_merge_holds_both_graphs() -> None:
    one = _graph({"a": ["a"], "b": ["a", "b"]}, [("b", "a", {"a": "a"})])
    two = _graph({"a": ["a"], "c": ["a", "c"]}, [("c", "a", {"a": "a"})])
    merged = one.merge(two)
    assert sorted(_bare(list(merged))) == ["a", "b", "c"]
    assert len(merged.edges()) == 2
    assert len(one) == 2  # operands untouched


def test_unknown_node_raises() -> None:
    with pytest.raises(dj.DataJointError, match="not in the dependency graph"):
        _graph({}, []).parents("`s`.`nope`")


# --- loading from the catalog --------------------------------------------------------------------------
def _declare_people(schema: dj.Schema) -> dict[str, Any]:
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

    @schema
    class Outfit(dj.Computed):
        definition = """
        -> Person
        ---
        note = '' : varchar(20)
        """

        class Item(dj.Part):
            definition = """
            -> master
            item : int32
            """

    return {"Person": Person, "Parent": Parent, "Outfit": Outfit}


def test_load_reads_tables_keys_and_foreign_keys(schema: dj.Schema, conn: dj.Connection) -> None:
    classes = _declare_people(schema)
    db = str(schema.database)
    graph = DependencyGraph.load(conn, [db])
    assert sorted(graph) == sorted(
        f"`{db}`.`{t}`" for t in ["person", "parent", "__outfit", "__outfit__item"]
    )  # the hidden ~lineage table is no node
    assert graph.nodes[f"`{db}`.`parent`"].primary_key == ("person_id", "parent")
    assert graph.nodes[f"`{db}`.`__outfit__item`"].master == f"`{db}`.`__outfit`"
    parents = graph.parents(classes["Parent"].full_table_name)
    assert [(p, props["attr_map"], props["aliased"]) for p, props in parents] == [
        (f"`{db}`.`person`", {"person_id": "person_id"}, False),
        (f"`{db}`.`person`", {"parent": "person_id"}, True),
    ]
    assert all(props["primary"] and props["multi"] for _, props in parents)
    [(_, outfit)] = graph.parents(classes["Outfit"].full_table_name)
    assert outfit["primary"] and not outfit["multi"]
    assert graph.topological_order() == [
        f"`{db}`.`person`",
        f"`{db}`.`__outfit`",
        f"`{db}`.`__outfit__item`",
        f"`{db}`.`parent`",
    ]


def test_load_downstream_and_upstream_add_neighbouring_schemas(
    schema: dj.Schema, conn: dj.Connection, schema_name: str
) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    downstream = dj.Schema(schema_name + "_down", connection=conn)
    try:

        @downstream
        class Scan(dj.Manual):
            definition = """
            -> Subject
            scan : int32
            """

        up_only = DependencyGraph.load(conn, [schema_name])
        assert list(up_only) == [Subject.full_table_name]
        assert up_only.children(Subject.full_table_name) == []
        assert up_only.load_downstream() is up_only
        assert up_only.databases == {schema.database, downstream.database}
        assert [c for c, _ in up_only.children(Subject.full_table_name)] == [Scan.full_table_name]

        down_only = DependencyGraph.load(conn, [schema_name + "_down"]).load_upstream(conn)
        assert down_only.descendants(Subject.full_table_name) == [
            Subject.full_table_name,
            Scan.full_table_name,
        ]
        unchanged = down_only.nodes
        down_only.load_upstream()
        assert down_only.nodes is unchanged  # nothing new: no reload
    finally:
        downstream.drop(prompt=False)


def test_cached_graph_is_reused_until_the_next_declaration(
    schema: dj.Schema, conn: dj.Connection, schema_name: str
) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    first = DependencyGraph.cached(conn, [schema_name])
    assert DependencyGraph.cached(conn, [schema_name]) is first
    assert DependencyGraph.cached(conn, [schema_name], "downstream") is not first

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int32
        """

    again = DependencyGraph.cached(conn, [schema_name])
    assert again is not first
    assert again.descendants(Subject.full_table_name)[-1] == Session.full_table_name
    with pytest.raises(dj.DataJointError, match="expand must be"):
        DependencyGraph.cached(conn, [schema_name], "sideways")


def test_graph_matches_datajoint_dependencies(
    mysql_connection: dj.Connection, schema_name: str
) -> None:
    """Differential: DataJoint's own graph of a Joinery-declared schema has the same edges."""
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
        _declare_people(schema)
        ours = DependencyGraph.load(mysql_connection, [schema_name])
        oracle.dependencies.load(force=True, schema_names={schema_name})
        theirs = oracle.dependencies
        assert set(theirs.nodes) == set(ours)
        assert {
            (u, v, k, tuple(sorted(d["attr_map"].items())), d["primary"], d["multi"], d["aliased"])
            for u, v, k, d in theirs.edges(keys=True, data=True)
        } == {
            (
                e.parent,
                e.child,
                e.key,
                tuple(sorted(e.attr_map.items())),
                e.primary,
                e.multi,
                e.aliased,
            )
            for e in ours.edges()
        }
        assert {n: set(d["primary_key"]) for n, d in theirs.nodes(data=True)} == {
            n: set(node.primary_key) for n, node in ours.nodes.items()
        }
    finally:
        schema.drop(prompt=False)

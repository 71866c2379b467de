# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""``dj.Diagram`` (spec/engine.md §6.3): set algebra on shown tables, iteration, JSON and SVG.

The reference schema has tables A, B, B.C, D, E, E.F, E.G, E.H, E.M, G and L, shaped so the
§6.3 test-reference expectations hold. The algebra is checked on a hand-built graph (fast) and
once on the declared schema per backend, and against DataJoint's own Diagram on MariaDB.
"""

from __future__ import annotations

import json
import types
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.schema.diagram import Diagram
from pipelines.core.schema.graph import DependencyGraph, split_full_name
from pipelines.core.schema.table import FreeTable

SVG = "{http://www.w3.org/2000/svg}"

#: table -> (primary key, [(parent, attr_map)]) of the reference schema.
REFERENCE: dict[str, tuple[list[str], list[tuple[str, dict[str, str]]]]] = {
    "#a": (["id_a"], []),
    "#l": (["id_l"], []),
    "b": (["id_a", "id_b"], [("#a", {"id_a": "id_a"})]),
    "b__c": (["id_a", "id_b", "id_c"], [("b", {"id_a": "id_a", "id_b": "id_b"})]),
    "d": (["id_a", "id_d"], [("#a", {"id_a": "id_a"}), ("#l", {"id_l": "id_l"})]),
    "__e": (
        ["id_a", "id_b", "id_d"],
        [
            ("b", {"id_a": "id_a", "id_b": "id_b"}),
            ("d", {"id_a": "id_a", "id_d": "id_d"}),
            ("#l", {"id_l": "id_l"}),
        ],
    ),
    "__e__f": (
        ["id_a", "id_b", "id_d", "id_f"],
        [("__e", {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d"}), ("b__c", {"id_c": "id_c"})],
    ),
    "__e__g": (
        ["id_a", "id_b", "id_d", "id_g"],
        [("__e", {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d"}), ("#l", {"id_l": "id_l"})],
    ),
    "__e__h": (
        ["id_a", "id_b", "id_d", "id_g", "id_h"],
        [
            ("__e", {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d"}),
            ("__e__g", {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d", "id_g": "id_g"}),
        ],
    ),
    "__e__m": (
        ["id_a", "id_b", "id_d", "id_l"],
        [("__e", {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d"}), ("#l", {"id_l": "id_l"})],
    ),
    "__g": (
        ["id_a", "id_b", "id_d", "id_f"],
        [("__e__f", {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d", "id_f": "id_f"})],
    ),
}

B_PLUS_3 = {"b", "b__c", "__e", "__e__f", "__e__g", "__e__h", "__e__m", "__g"}
E_MINUS_3 = {"#a", "b", "d", "__e", "#l"}
PARTS_OF_B_AND_E = {"b__c", "__e__f", "__e__g", "__e__h", "__e__m"}
TOPOLOGICAL = ["#a", "#l", "b", "b__c", "d", "__e", "__e__f", "__e__g", "__e__h", "__e__m", "__g"]


def _reference_graph() -> DependencyGraph:
    graph = DependencyGraph()
    for table, (key, _) in REFERENCE.items():
        graph.add_table("s", table, key)
    for table, (_, parents) in REFERENCE.items():
        for parent, attr_map in parents:
            graph.add_foreign_key(f"`s`.`{parent}`", f"`s`.`{table}`", attr_map)
    return graph


def _one(graph: DependencyGraph, table: str) -> Diagram:
    return Diagram.from_graph(graph, [f"`s`.`{table}`"])


def _names(diagram: Diagram) -> set[str]:
    return {split_full_name(n)[1] for n in diagram.nodes_to_show}


# --- algebra on a hand-built graph -------------------------------------------------------------------
def test_reference_algebra_on_the_graph() -> None:
    graph = _reference_graph()
    b, e = _one(graph, "b"), _one(graph, "__e")
    assert _names(b + 3) == B_PLUS_3
    assert _names(e - 3) == E_MINUS_3
    assert _names((b + 3) * (e - 3)) == {"b", "__e"}
    assert _names((b + e).add_parts() - b - e) == PARTS_OF_B_AND_E


def test_generations_stop_early_and_leave_the_operand_alone() -> None:
    graph = _reference_graph()
    g = _one(graph, "__g")
    assert _names(g + 5) == {"__g"}
    assert _names(g - 1) == {"__g", "__e__f"}
    assert _names(g - 100) == set(REFERENCE) - {"__e__g", "__e__h", "__e__m", "__g"} | {"__g"}
    assert _names(g) == {"__g"}


def test_topo_sort_places_parts_after_their_master() -> None:
    diagram = Diagram.from_graph(_reference_graph())
    assert [split_full_name(n)[1] for n in diagram.topo_sort()] == TOPOLOGICAL


def test_json_lists_nodes_edges_and_tier_styles() -> None:
    data = Diagram.from_graph(
        _reference_graph(), ["`s`.`__e`", "`s`.`__e__f`", "`s`.`__g`"]
    ).to_json()
    json.dumps(data)  # plain data
    assert [n["id"] for n in data["nodes"]] == ["`s`.`__e`", "`s`.`__e__f`", "`s`.`__g`"]
    part = data["nodes"][1]
    assert part == {
        "id": "`s`.`__e__f`",
        "schema": "s",
        "table_name": "__e__f",
        "class_name": "E.F",
        "tier": "Part",
        "primary_key": ["id_a", "id_b", "id_d", "id_f"],
        "is_part": True,
        "master": "`s`.`__e`",
        "introduces_dimension": True,
        "collapsed": False,
    }
    assert data["nodes"][0]["introduces_dimension"] is False  # E's key all comes from B and D
    assert data["edges"] == [
        {
            "parent": "`s`.`__e`",
            "child": "`s`.`__e__f`",
            "primary": True,
            "aliased": False,
            "attr_map": {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d"},
            "multi": True,
            "bundle": False,
        },
        {
            "parent": "`s`.`__e__f`",
            "child": "`s`.`__g`",
            "primary": True,
            "aliased": False,
            "attr_map": {"id_a": "id_a", "id_b": "id_b", "id_d": "id_d", "id_f": "id_f"},
            "multi": False,
            "bundle": False,
        },
    ]
    assert data["tiers"]["Manual"]["color"] == "#E8F0E9"
    assert data["tiers"]["Computed"]["shape"] == "ellipse"


def test_svg_of_a_diagram_draws_shown_tables_only() -> None:
    diagram = Diagram.from_graph(_reference_graph(), ["`s`.`__e`", "`s`.`__e__f`", "`s`.`b`"])
    root = ET.fromstring(diagram.make_svg())
    nodes = root.findall(f"{SVG}g[@class='node']")
    assert [n.get("data-table") for n in nodes] == ["`s`.`b`", "`s`.`__e`", "`s`.`__e__f`"]
    labels = [n.find(f"{SVG}text").text for n in nodes]
    assert labels == ["B", "E", "F"]  # a part drawn with its master shows its own name
    assert len(root.findall(f"{SVG}rect[@class='entity']")) == 1
    assert diagram._repr_svg_() == diagram.make_svg()


def test_direction_setting_turns_the_layout() -> None:
    diagram = Diagram.from_graph(_reference_graph(), ["`s`.`#a`", "`s`.`b`"])

    def boxes() -> list[tuple[float, float]]:
        root = ET.fromstring(diagram.make_svg())
        rects = root.findall(f"{SVG}g[@class='node']/{SVG}rect")
        return [(float(r.get("x")), float(r.get("y"))) for r in rects]

    with dj.config.override(display__diagram_direction="LR"):
        (ax, ay), (bx, by) = boxes()
        assert ax < bx and ay == by
    with dj.config.override(display__diagram_direction="TB"):
        (ax, ay), (bx, by) = boxes()
        assert ay < by and ax == bx


def test_save_writes_svg_and_json_by_extension(tmp_path: Path) -> None:
    diagram = Diagram.from_graph(_reference_graph())
    diagram.save(tmp_path / "d.svg")
    diagram.save(str(tmp_path / "d.json"))
    assert ET.parse(tmp_path / "d.svg").getroot().tag == f"{SVG}svg"
    assert len(json.loads((tmp_path / "d.json").read_text())["nodes"]) == len(REFERENCE)
    with pytest.raises(dj.DataJointError, match="Unsupported file format"):
        diagram.save(tmp_path / "d.png")
    with pytest.raises(dj.DataJointError, match="Could not infer format"):
        diagram.save(tmp_path / "d")


def test_a_source_without_a_connection_is_refused() -> None:
    with pytest.raises(dj.DataJointError, match="Could not find database connection in"):
        Diagram(object())
    with pytest.raises(dj.DataJointError, match="Could not find database connection in"):
        Diagram(types.ModuleType("no_schema_here"))


def test_iteration_needs_a_connection() -> None:
    with pytest.raises(dj.DataJointError, match="not bound to a connection"):
        list(Diagram.from_graph(_reference_graph()))


# --- the declared reference schema ---------------------------------------------------------------------
def _declare_reference(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class A(dj.Lookup):
        definition = """
        id_a : int32
        """

    @schema
    class L(dj.Lookup):
        definition = """
        id_l : int32
        """

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
    class E(dj.Computed):
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

        class G(dj.Part):
            definition = """
            -> master
            id_g : int32
            ---
            -> L
            """

        class H(dj.Part):
            definition = """
            -> master
            -> master.G
            id_h : int32
            """

        class M(dj.Part):
            definition = """
            -> master
            -> L
            """

    @schema
    class G(dj.Computed):
        definition = """
        -> E.F
        """

    return {"A": A, "B": B, "D": D, "E": E, "G": G, "L": L}


def test_reference_algebra_on_a_declared_schema(schema: dj.Schema) -> None:
    t = _declare_reference(schema)
    assert _names(Diagram(t["B"]) + 3) == B_PLUS_3
    assert _names(Diagram(t["E"]()) - 3) == E_MINUS_3
    assert _names((Diagram(t["B"]) + 3) * (Diagram(t["E"]) - 3)) == {"b", "__e"}
    assert _names((Diagram(t["B"]) + t["E"]).add_parts() - t["B"] - t["E"]) == PARTS_OF_B_AND_E
    whole = Diagram(schema)
    assert _names(whole) == set(REFERENCE)
    tables = list(whole)
    assert all(isinstance(table, FreeTable) for table in tables)
    assert [table.table_name for table in tables] == TOPOLOGICAL
    assert [table.table_name for table in reversed(whole)] == TOPOLOGICAL[::-1]
    assert _names(Diagram(types.SimpleNamespace(schema=schema))) == set(REFERENCE)
    assert _names(Diagram.from_sequence([t["A"], t["L"]])) == {"#a", "#l"}
    with pytest.raises(KeyError):
        Diagram(t["A"]) - t["L"]


def test_adding_a_table_of_another_schema_brings_its_graph(
    schema: dj.Schema, conn: dj.Connection, schema_name: str
) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    other = dj.Schema(schema_name + "_other", connection=conn)
    try:

        @other
        class Scan(dj.Manual):
            definition = """
            -> Subject
            scan : int32
            """

        conn.schemas.pop(other.database)  # not activated here: Diagram(schema) cannot see it
        alone = Diagram(schema)
        assert alone.nodes_to_show == {Subject.full_table_name}
        combined = alone + Scan
        assert combined.nodes_to_show == {Subject.full_table_name, Scan.full_table_name}
        assert combined.topo_sort() == [Subject.full_table_name, Scan.full_table_name]
        assert ET.fromstring(combined.make_svg()).findall(f"{SVG}g[@class='edge']")
    finally:
        other.drop(prompt=False)


def test_algebra_matches_datajoint(mysql_connection: dj.Connection, schema_name: str) -> None:
    """Differential: DataJoint's Diagram over the same declared schema shows the same tables."""
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
        t = _declare_reference(schema)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vm = oracle_dj.VirtualModule("vm", schema_name, connection=oracle)
        theirs = {
            "b+2": oracle_dj.Diagram(vm.B) + 2,
            "e-2": oracle_dj.Diagram(vm.E) - 2,
            "d+1": oracle_dj.Diagram(vm.D) + 1,
            "parts": (oracle_dj.Diagram(vm.D) + vm.E).add_parts(),
        }
        ours = {
            "b+2": Diagram(t["B"]) + 2,
            "e-2": Diagram(t["E"]) - 2,
            "d+1": Diagram(t["D"]) + 1,
            "parts": (Diagram(t["D"]) + t["E"]).add_parts(),
        }
        for key, diagram in ours.items():
            assert diagram.nodes_to_show == set(theirs[key].nodes_to_show), key
        their_order = [table.full_table_name for table in oracle_dj.Diagram(vm.schema)]
        our_order = Diagram(schema).topo_sort()
        assert sorted(our_order) == sorted(their_order)
        position = {name: i for i, name in enumerate(our_order)}
        for parent, child in oracle.dependencies.edges():
            assert position[parent] < position[child]
        bare = [split_full_name(n)[1] for n in our_order]
        assert bare.index("__e__m") - bare.index("__e") == 4  # all four parts right after E
    finally:
        schema.drop(prompt=False)

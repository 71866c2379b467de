# mypy: disable-error-code="union-attr, index, arg-type, operator, type-var"
"""``Diagram.collapse()`` (spec/engine.md §6.3) and ``make_mermaid()``, on hand-built graphs.

Schema ``s``: Subject, Session (-> Subject), Session.Scan (part), Rig (lookup), and Session has a
secondary key to Rig. Schema ``t``: Analysis (computed, -> Session) and Report (-> Analysis,
plus a renamed key to Subject).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import pipelines.core as dj
from pipelines.core.schema.diagram import Diagram
from pipelines.core.schema.diagram_collapse import Bundle, CollapsedSchema, collapsed_view
from pipelines.core.schema.diagram_mermaid import render_mermaid
from pipelines.core.schema.graph import DependencyGraph
from pipelines.core.schema.svg import SvgEdge, SvgNode

SVG = "{http://www.w3.org/2000/svg}"
SUBJECT, SESSION, SCAN, RIG = "`s`.`subject`", "`s`.`session`", "`s`.`session__scan`", "`s`.`#rig`"
ANALYSIS, REPORT = "`t`.`__analysis`", "`t`.`report`"


def _graph() -> DependencyGraph:
    graph = DependencyGraph()
    graph.add_table("s", "subject", ["subject_id"])
    graph.add_table("s", "#rig", ["rig"])
    graph.add_table("s", "session", ["subject_id", "session"])
    graph.add_table("s", "session__scan", ["subject_id", "session", "scan"])
    graph.add_table("t", "__analysis", ["subject_id", "session"])
    graph.add_table("t", "report", ["subject_id", "session", "report"])
    graph.add_foreign_key(SUBJECT, SESSION, {"subject_id": "subject_id"})
    graph.add_foreign_key(RIG, SESSION, {"rig": "rig"})
    graph.add_foreign_key(SESSION, SCAN, {"subject_id": "subject_id", "session": "session"})
    graph.add_foreign_key(SESSION, ANALYSIS, {"subject_id": "subject_id", "session": "session"})
    graph.add_foreign_key(ANALYSIS, REPORT, {"subject_id": "subject_id", "session": "session"})
    graph.add_foreign_key(SUBJECT, REPORT, {"reviewer": "subject_id"})
    return graph


def _schema(graph: DependencyGraph, database: str) -> Diagram:
    return Diagram.from_graph(
        graph, [n for n, node in graph.nodes.items() if node.database == database]
    )


def _svg_nodes(diagram: Diagram) -> list[ET.Element]:
    return ET.fromstring(diagram.make_svg()).findall(f"{SVG}g[@class='node']")


# --- the view --------------------------------------------------------------------------------------
def test_a_collapsed_schema_is_one_node_with_bundled_edges() -> None:
    graph = _graph()
    view = collapsed_view(graph, graph.topological_order(), {SUBJECT, RIG, SESSION, SCAN})
    group = CollapsedSchema("s", (RIG, SUBJECT, SESSION, SCAN))
    assert view.items == [group, ANALYSIS, REPORT]
    assert group.label == "(4 tables)" and group.id == "`s`"
    assert view.tables == {ANALYSIS, REPORT}
    edges = view.edges
    assert [e for e in edges if isinstance(e, Bundle)] == [
        Bundle("`s`", ANALYSIS, 1),
        Bundle("`s`", REPORT, 1),
    ]
    assert [(e.parent, e.child) for e in edges if not isinstance(e, Bundle)] == [(ANALYSIS, REPORT)]
    assert CollapsedSchema("s", (RIG,)).label == "(1 table)"


def test_nothing_collapsed_keeps_every_foreign_key() -> None:
    graph = _graph()
    view = collapsed_view(graph, graph.topological_order(), set())
    assert view.items == graph.topological_order()
    assert len(view.edges) == len(graph.edges())


# --- algebra: expanded wins ------------------------------------------------------------------------
def test_collapse_marks_every_shown_table_and_expanded_wins_in_a_union() -> None:
    graph = _graph()
    s, t = _schema(graph, "s"), _schema(graph, "t")
    assert s.collapse()._collapsed == s.nodes_to_show
    assert s._collapsed == set()  # the operand is left alone
    mixed = t + s.collapse()
    assert mixed._collapsed == s.nodes_to_show
    assert (s.collapse() + s)._collapsed == set()  # expanded in either operand wins
    one = Diagram.from_graph(graph, [SESSION])
    assert (s.collapse() + one)._collapsed == {SUBJECT, RIG, SCAN}
    assert ((s + t).collapse() + 1)._collapsed == s.nodes_to_show | t.nodes_to_show
    grown = Diagram.from_graph(graph, [SESSION]).collapse() + 1
    assert grown._collapsed == {SESSION}  # tables brought in by + n come expanded
    assert (s.collapse() - one)._collapsed == {SUBJECT, RIG, SCAN}
    assert (s.collapse() * one)._collapsed == {SESSION}


# --- JSON and SVG -------------------------------------------------------------------------------------
def test_json_of_a_collapsed_schema() -> None:
    graph = _graph()
    data = (_schema(graph, "t") + _schema(graph, "s").collapse()).to_json()
    json.dumps(data)
    collapsed = [n for n in data["nodes"] if n["collapsed"]]
    assert collapsed == [
        {
            "id": "`s`",
            "schema": "s",
            "label": "(4 tables)",
            "tier": None,
            "collapsed": True,
            "table_count": 4,
            "tables": [RIG, SUBJECT, SESSION, SCAN],
        }
    ]
    assert [n["id"] for n in data["nodes"] if not n["collapsed"]] == [ANALYSIS, REPORT]
    bundles = [e for e in data["edges"] if e["bundle"]]
    assert bundles == [
        {"parent": "`s`", "child": ANALYSIS, "bundle": True, "foreign_keys": 1},
        {"parent": "`s`", "child": REPORT, "bundle": True, "foreign_keys": 1},
    ]
    assert [(e["parent"], e["child"]) for e in data["edges"] if not e["bundle"]] == [
        (ANALYSIS, REPORT)
    ]


def test_svg_draws_a_collapsed_schema_as_a_3d_box() -> None:
    graph = _graph()
    diagram = _schema(graph, "s") + _schema(graph, "t").collapse()
    nodes = _svg_nodes(diagram)
    boxes = [n for n in nodes if n.get("data-collapsed") == "true"]
    assert len(boxes) == 1
    box = boxes[0]
    assert box.get("data-table") == "`t`" and box.get("data-tier") == "Collapsed"
    assert box.find(f"{SVG}text").text == "(2 tables)"
    assert len(box.findall(f"{SVG}polygon")) == 2  # the top and side faces
    assert "__analysis" in box.find(f"{SVG}title").text
    root = ET.fromstring(diagram.make_svg(theme="auto"))
    edges = root.findall(f"{SVG}g[@data-bundle='true']")
    assert len(edges) == 2  # Session -> t and Subject -> t, one each
    paths = [e.find(f"{SVG}path") for e in edges]
    assert {p.get("stroke-width") for p in paths} == {"2.0"}
    assert all(p.get("stroke-dasharray") is None for p in paths)
    assert ".tier-collapsed" in root.find(f"{SVG}style").text


def test_a_wholly_collapsed_diagram_has_one_box_per_schema() -> None:
    graph = _graph()
    diagram = Diagram.from_graph(graph).collapse()
    labels = sorted(n.find(f"{SVG}text").text for n in _svg_nodes(diagram))
    assert labels == ["(2 tables)", "(4 tables)"]
    data = diagram.to_json()
    assert data["edges"] == [{"parent": "`s`", "child": "`t`", "bundle": True, "foreign_keys": 2}]


# --- Mermaid -------------------------------------------------------------------------------------------
def test_mermaid_flowchart_of_a_diagram() -> None:
    text = Diagram.from_graph(_graph()).make_mermaid(direction="TB")
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    assert "    classDef manual fill:#E8F0E9,stroke:#3E7A52,color:#28513A" in lines
    assert "    classDef computed fill:#FFEDE5,stroke:#FF5113,color:#B23200" in lines
    assert '    subgraph schema_s["s"]' in lines
    assert '            t_s_session["Session"]:::manual' in lines
    assert '            t_s_session__scan["Scan"]:::part' in lines  # nested with its master
    assert '        subgraph entity_s_session[" "]' in lines
    assert '        t_s_rig["Rig"]:::lookup' in lines
    assert '        t_t___analysis(["Analysis"]):::computed' in lines
    assert "    t_s_subject --> t_s_session" in lines
    assert "    t_s_rig -.-> t_s_session" in lines  # a secondary foreign key
    edges = [line for line in lines if "-->" in line or "-.->" in line]
    styles = [line for line in lines if line.startswith("    linkStyle")]
    assert len(edges) == len(styles) == 6
    renamed = edges.index("    t_s_subject -.-> t_t_report")
    assert styles[renamed] == f"    linkStyle {renamed} stroke:#C77D3A,stroke-width:1px"


def test_mermaid_follows_the_direction_setting_and_collapse() -> None:
    graph = _graph()
    diagram = _schema(graph, "s") + _schema(graph, "t").collapse()
    with dj.config.override(display__diagram_direction="LR"):
        text = diagram.make_mermaid()
    assert text.startswith("flowchart LR\n")
    assert '        t_t[["(2 tables)"]]:::collapsed' in text
    assert "    t_s_session --> t_t" in text
    assert "    t_s_subject --> t_t" in text  # a bundle is drawn solid, whatever its keys


def test_mermaid_ids_are_unique_and_labels_quoted() -> None:
    nodes = [
        SvgNode(id="`x`.`a b`", label='Say "hi"', tier="Manual", cluster="x"),
        SvgNode(id="`x`.`a_b`", label="B", tier=None, cluster="x"),
        SvgNode(id="`x`.`end`", label="End", tier="Imported", cluster="x"),
    ]
    text = render_mermaid(nodes, [SvgEdge("`x`.`a b`", "`x`.`a_b`", primary=False, multi=True)])
    assert 't_x_a_b["Say #quot;hi#quot;"]:::manual' in text
    assert 't_x_a_b_2(("B")):::unknown' in text
    assert 't_x_end(["End"]):::imported' in text
    assert "    t_x_a_b -.-> t_x_a_b_2" in text


def test_save_writes_mermaid_by_extension(tmp_path: Path) -> None:
    diagram = Diagram.from_graph(_graph())
    diagram.save(tmp_path / "d.mmd")
    diagram.save(tmp_path / "d.txt", format="mermaid")
    assert (tmp_path / "d.mmd").read_text().startswith("flowchart ")
    assert (tmp_path / "d.mmd").read_text() == (tmp_path / "d.txt").read_text()
    with pytest.raises(dj.DataJointError, match="Unsupported file format"):
        diagram.save(tmp_path / "d.png")


def test_adding_a_declared_table_expands_it(schema: dj.Schema) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int32
        """

    mixed = Diagram(schema).collapse() + Session
    assert mixed._collapsed == {Subject.full_table_name}
    text = mixed.make_mermaid()
    assert '[["(1 table)"]]:::collapsed' in text
    assert '["Session"]:::manual' in text

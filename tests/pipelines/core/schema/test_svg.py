# ElementTree lookups return Optional values; the tests use them directly (a miss fails anyway).
# mypy: disable-error-code="union-attr, arg-type, operator"
"""Pure-Python SVG drawing of diagrams (spec/engine.md §2.1, §6.3): a well-formed document with
DataJoint's tier shapes and colours, edge styles, schema clusters and master/part groups."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pipelines.core.schema.diagram_layout import LayoutNode, Rect, layout
from pipelines.core.schema.svg import SvgEdge, SvgNode, node_size, render_svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(document: str) -> ET.Element:
    root = ET.fromstring(document)
    assert root.tag == f"{NS}svg"
    return root


def _node(root: ET.Element, node_id: str) -> ET.Element:
    [found] = [g for g in root.iter(f"{NS}g") if g.get("data-table") == node_id]
    return found


def _edge(root: ET.Element, parent: str, child: str) -> ET.Element:
    [found] = [
        g
        for g in root.iter(f"{NS}g")
        if (g.get("data-parent"), g.get("data-child")) == (parent, child)
    ]
    return found


TIERS = [
    SvgNode("m", "Manual", "Manual", "s"),
    SvgNode("l", "Lookup", "Lookup", "s"),
    SvgNode("i", "Imported", "Imported", "s"),
    SvgNode("c", "Computed", "Computed", "s"),
    SvgNode("c.p", "Part", "Part", "s", master="c"),
    SvgNode("u", "odd", None, "s"),
]


@pytest.mark.parametrize(
    ("node_id", "element", "fill", "stroke"),
    [
        ("m", "rect", "#E8F0E9", "#3E7A52"),
        ("l", "rect", "#F0F0F1", "#808285"),
        ("i", "ellipse", "#E0F4FC", "#00A0DF"),
        ("c", "ellipse", "#FFEDE5", "#FF5113"),
        ("c.p", "rect", "#FFFFFF", "#B9BBBE"),
        ("u", "circle", "#FFFDE7", "#C9BC5B"),
    ],
)
def test_each_tier_has_its_shape_and_colours(
    node_id: str, element: str, fill: str, stroke: str
) -> None:
    root = _parse(render_svg(TIERS, []))
    outline = _node(root, node_id)[1]
    assert outline.tag == f"{NS}{element}"
    assert (outline.get("fill"), outline.get("stroke")) == (fill, stroke)


def test_boxes_of_manual_lookup_and_part_are_rounded() -> None:
    root = _parse(render_svg(TIERS, []))
    assert all(_node(root, n)[1].get("rx") for n in ("m", "l", "c.p"))


def test_parts_use_a_smaller_font() -> None:
    root = _parse(render_svg(TIERS, []))
    assert _node(root, "c.p").find(f"{NS}text").get("font-size") == "10"
    assert _node(root, "c").find(f"{NS}text").get("font-size") == "12"
    assert node_size(TIERS[4])[1] < node_size(TIERS[0])[1]


def test_node_title_is_its_tooltip_and_label_underlined_when_it_adds_a_key() -> None:
    nodes = [
        SvgNode("a", "A", "Manual", "s", underline=True, tooltip="A\nprimary key: id"),
        SvgNode("b", "B", "Computed", "s"),
    ]
    root = _parse(render_svg(nodes, []))
    a, b = _node(root, "a"), _node(root, "b")
    assert a.find(f"{NS}title").text == "A\nprimary key: id"
    assert a.find(f"{NS}text").get("text-decoration") == "underline"
    assert b.find(f"{NS}text").get("text-decoration") is None
    assert b.find(f"{NS}title").text == "B"


def test_edge_styles_follow_the_foreign_key_kind() -> None:
    nodes = [SvgNode(n, n.upper(), "Manual", "s") for n in "abcde"]
    edges = [
        SvgEdge("a", "b", primary=True, multi=True),  # 1:many in the key: solid, thin
        SvgEdge("a", "c", primary=True, multi=False),  # 1:1: solid, thick
        SvgEdge("a", "d", primary=False, multi=True),  # secondary: dashed
        SvgEdge("a", "e", primary=True, multi=True, aliased=True, tooltip="x ← id"),
    ]
    root = _parse(render_svg(nodes, edges))
    thin, thick, dashed, renamed = (_edge(root, "a", c) for c in "bcde")
    assert thin.find(f"{NS}path").get("stroke-width") == "0.75"
    assert thin.find(f"{NS}path").get("stroke-dasharray") is None
    assert thick.find(f"{NS}path").get("stroke-width") == "2.0"
    assert dashed.find(f"{NS}path").get("stroke-dasharray")
    assert thin.find(f"{NS}path").get("stroke") == "#171C39"
    assert renamed.find(f"{NS}path").get("stroke") == "#C77D3A"
    assert renamed.find(f"{NS}title").text == "x ← id"
    assert renamed.get("class") == "edge-renamed"


def test_each_schema_has_a_dashed_labelled_cluster_and_clusters_do_not_overlap() -> None:
    nodes = [SvgNode("a", "A", "Manual", "one"), SvgNode("b", "B", "Manual", "two")]
    root = _parse(render_svg(nodes, [SvgEdge("a", "b", True, True)]))
    clusters = root.findall(f"{NS}g[@class='cluster']")
    assert [c.find(f"{NS}text").text for c in clusters] == ["one", "two"]
    frames = [c.find(f"{NS}rect") for c in clusters]
    assert all(f.get("stroke-dasharray") for f in frames)
    (ay, ah), (by, _) = ((float(f.get("y")), float(f.get("height"))) for f in frames)
    assert ay + ah <= by


def test_master_and_parts_share_a_shaded_group() -> None:
    nodes = [
        SvgNode("m", "M", "Computed", "s"),
        SvgNode("m.p", "P", "Part", "s", master="m"),
        SvgNode("m.q", "Q", "Part", "s", master="m"),
    ]
    edges = [SvgEdge("m", "m.p", True, True), SvgEdge("m.p", "m.q", True, True)]
    placed = layout(
        [LayoutNode(n.id, n.cluster, *node_size(n), master=n.master) for n in nodes], []
    )
    group = placed.groups["m"]
    for member in ("m", "m.p", "m.q"):
        box = placed.boxes[member]
        assert group.x <= box.x and box.x + box.width <= group.x + group.width
        assert group.y <= box.y and box.y + box.height <= group.y + group.height
    root = _parse(render_svg(nodes, edges))
    [entity] = root.findall(f"{NS}rect[@class='entity']")
    assert entity.get("data-master") == "m"


def test_direction_lr_flows_right_and_tb_flows_down() -> None:
    nodes = [LayoutNode("a", "s", 40, 20), LayoutNode("b", "s", 40, 20)]
    lr = layout(nodes, [("a", "b")], "LR")
    tb = layout(nodes, [("a", "b")], "TB")
    assert lr.boxes["a"].x + 40 < lr.boxes["b"].x and lr.boxes["a"].y == lr.boxes["b"].y
    assert tb.boxes["a"].y + 20 < tb.boxes["b"].y and tb.boxes["a"].x == tb.boxes["b"].x
    assert lr.width > tb.width and tb.height > lr.height
    assert (
        _parse(render_svg([SvgNode("a", "A", "Manual", "s")], [], "TB")).get("data-direction")
        == "TB"
    )


def test_layout_keeps_nodes_apart_and_inside_the_canvas() -> None:
    nodes = [LayoutNode(f"n{i}", f"s{i % 2}", 50, 20) for i in range(8)]
    edges = [(f"n{i}", f"n{i + 2}") for i in range(6)] + [("n0", "n7"), ("n1", "n6")]
    placed = layout(nodes, edges)
    boxes = list(placed.boxes.values())
    for i, a in enumerate(boxes):
        assert a.x >= 0 and a.x + a.width <= placed.width
        assert a.y >= 0 and a.y + a.height <= placed.height
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b)


def _overlap(a: Rect, b: Rect) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def test_barycentre_sweeps_uncross_edges() -> None:
    # Parents p0, p1 and children c1 (of p1), c0 (of p0), given in crossing order.
    nodes = [LayoutNode(n, "s", 30, 20) for n in ("p0", "p1", "c1", "c0")]
    placed = layout(nodes, [("p0", "c0"), ("p1", "c1")])
    assert (placed.boxes["p0"].y < placed.boxes["p1"].y) == (
        placed.boxes["c0"].y < placed.boxes["c1"].y
    )


def test_document_grows_with_the_graph() -> None:
    small = _parse(render_svg([SvgNode("a", "A", "Manual", "s")], []))
    chain = [SvgNode(f"n{i}", f"N{i}", "Manual", "s") for i in range(6)]
    wide = [SvgNode(f"w{i}", f"W{i}", "Manual", "s") for i in range(6)]
    long = _parse(render_svg(chain, [SvgEdge(f"n{i}", f"n{i + 1}", True, True) for i in range(5)]))
    tall = _parse(render_svg(wide, []))
    assert float(long.get("width")) > 3 * float(small.get("width"))
    assert float(tall.get("height")) > 3 * float(small.get("height"))


def test_odd_names_are_escaped() -> None:
    odd = "x<&>\"'y"
    nodes = [SvgNode(f"`s`.`{odd}`", odd, "Manual", odd, tooltip=odd + "\n" + odd)]
    edges = [SvgEdge(f"`s`.`{odd}`", f"`s`.`{odd}`", True, True, tooltip=odd)]
    root = _parse(render_svg(nodes, edges))
    node = _node(root, f"`s`.`{odd}`")
    assert node.find(f"{NS}text").text == odd
    assert node.find(f"{NS}title").text == odd + "\n" + odd
    assert root.find(f"{NS}g[@class='cluster']/{NS}text").text == odd


def test_themes_change_colours() -> None:
    nodes = [SvgNode("m", "M", "Manual", "s")]
    dark = _parse(render_svg(nodes, [], theme="dark"))
    assert dark.find(f"{NS}rect").get("fill") == "#161A21"  # background
    assert _node(dark, "m")[1].get("fill") == "#16281F"
    auto = render_svg(nodes, [], theme="auto")
    style = _parse(auto).find(f"{NS}style")
    assert "prefers-color-scheme: dark" in style.text
    assert _node(_parse(auto), "m")[1].get("fill") == "#E8F0E9"


def test_an_empty_diagram_is_still_a_document() -> None:
    root = _parse(render_svg([], []))
    assert float(root.get("width")) > 0

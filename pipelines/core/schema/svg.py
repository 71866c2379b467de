"""Draw a dependency diagram as a standalone SVG document, without Graphviz.

Input is plain data (``SvgNode``/``SvgEdge``, nodes in topological order); ``diagram_layout``
places them. Drawing follows DataJoint's conventions (spec/engine.md §2.1, §6.3): tier shapes
and colours, an underlined label for a table that introduces a primary-key attribute of its own,
solid edges for primary foreign keys and dashed for secondary ones, thick for 1:1 and thin for
1:many, amber for renamed foreign keys (tooltip lists the renames), a dashed frame per schema and
a shaded frame around each master and its parts. A collapsed schema is one 3-D box; the edges
that bundle its foreign keys all look alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .diagram_layout import Layout, LayoutNode, Rect, layout
from .diagram_style import (
    BOX3D_DEPTH,
    COLLAPSED,
    DARK,
    DASH,
    SHAPES,
    TIERS,
    WIDTH_ONE_TO_MANY,
    WIDTH_ONE_TO_ONE,
    Theme,
    theme_for,
    tier_key,
)

FONT = "Helvetica, Arial, sans-serif"
CHAR_WIDTH = 0.6  # average glyph width as a fraction of the font size


@dataclass(frozen=True)
class SvgNode:
    id: str  # full table name
    label: str
    tier: str | None
    cluster: str  # schema name (the frame's label)
    master: str | None = None  # the master's id, for a part drawn with its master
    underline: bool = False
    tooltip: str = ""


@dataclass(frozen=True)
class SvgEdge:
    parent: str
    child: str
    primary: bool
    multi: bool
    aliased: bool = False
    tooltip: str = ""
    bundle: bool = False  # stands for every foreign key to or from a collapsed schema


def text(value: str) -> str:
    return escape(value)


def attr(value: str) -> str:
    return escape(value, {'"': "&quot;", "\n": "&#10;"})


def node_size(node: SvgNode) -> tuple[float, float]:
    """Width and height of a node drawn with its label."""
    shape = SHAPES[tier_key(node.tier)]
    label = shape.font_size * CHAR_WIDTH * max(len(node.label), 1)
    if shape.shape == "ellipse":
        return label * 1.25 + 20, shape.font_size + 22
    if shape.shape == "circle":
        side = max(label + 10, shape.font_size * 2.0)
        return side, side
    if shape.shape == "box3d":
        return label + 18 + BOX3D_DEPTH, shape.font_size + 14 + BOX3D_DEPTH
    return label + 18, shape.font_size + 14


def render_svg(
    nodes: Sequence[SvgNode],
    edges: Sequence[SvgEdge],
    direction: str = "LR",
    theme: str = "light",
) -> str:
    """The SVG document of ``nodes`` and ``edges``; ``theme`` is ``light``, ``dark`` or
    ``auto`` (light, switching to dark with the viewer's colour scheme)."""
    sizes = {n.id: node_size(n) for n in nodes}
    shown = {n.id for n in nodes}
    placed = layout(
        [LayoutNode(n.id, n.cluster, *sizes[n.id], master=n.master) for n in nodes],
        [(e.parent, e.child) for e in edges if e.parent in shown and e.child in shown],
        direction,
    )
    palette = theme_for(theme)
    width, height = f"{placed.width:.1f}", f"{placed.height:.1f}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="joinery-diagram" '
        f'data-direction="{attr(direction)}">',
    ]
    if theme == "auto":
        parts.append(_adaptive_style())
    if palette.background:
        parts.append(f'<rect width="100%" height="100%" fill="{palette.background}"/>')
    parts += [_cluster(name, rect, palette) for name, rect in placed.clusters.items()]
    parts += [_group(master, rect, palette) for master, rect in placed.groups.items()]
    parts += [_edge(e, placed, palette) for e in edges if e.parent in shown and e.child in shown]
    parts += [_node(n, placed.boxes[n.id], palette) for n in nodes]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _cluster(name: str, rect: Rect, theme: Theme) -> str:
    return (
        f'<g class="cluster" data-schema="{attr(name)}"><title>{text(name)}</title>'
        f'<rect class="cluster-frame" x="{rect.x:.1f}" y="{rect.y:.1f}" '
        f'width="{rect.width:.1f}" height="{rect.height:.1f}" rx="8" fill="none" '
        f'stroke="{theme.cluster_stroke}" stroke-dasharray="{DASH}"/>'
        f'<text class="cluster-label" x="{rect.x + rect.width - 8:.1f}" y="{rect.y + 15:.1f}" '
        f'text-anchor="end" font-family="{FONT}" font-size="12" '
        f'fill="{theme.cluster_text}">{text(name)}</text></g>'
    )


def _group(master: str, rect: Rect, theme: Theme) -> str:
    return (
        f'<rect class="entity" data-master="{attr(master)}" x="{rect.x:.1f}" y="{rect.y:.1f}" '
        f'width="{rect.width:.1f}" height="{rect.height:.1f}" rx="6" '
        f'fill="{theme.entity_fill}" stroke="{theme.entity_fill}"/>'
    )


def _node(node: SvgNode, box: Rect, theme: Theme) -> str:
    tier = tier_key(node.tier)
    shape = SHAPES[tier]
    colors = theme.tiers[tier]
    paint = f'fill="{colors.fill}" stroke="{colors.stroke}"'
    css = f"tier-{tier.lower()}"
    outline, box = _outline(shape.shape, shape.rounded, box, f'class="{css}" {paint}')
    underline = ' text-decoration="underline"' if node.underline else ""
    label = (
        f'<text class="label-{tier.lower()}" x="{box.cx:.1f}" y="{box.cy:.1f}" '
        f'text-anchor="middle" dominant-baseline="central" font-family="{FONT}" '
        f'font-size="{shape.font_size}" fill="{colors.text}"{underline}>{text(node.label)}</text>'
    )
    collapsed = ' data-collapsed="true"' if tier == COLLAPSED else ""
    return (
        f'<g class="node" data-table="{attr(node.id)}" data-tier="{tier}"{collapsed}>'
        f"<title>{text(node.tooltip or node.label)}</title>{outline}{label}</g>"
    )


def _outline(shape: str, rounded: bool, box: Rect, paint: str) -> tuple[str, Rect]:
    """The node's outline, and the box its label is centred in."""
    if shape == "ellipse":
        return (
            f'<ellipse {paint} cx="{box.cx:.1f}" cy="{box.cy:.1f}" '
            f'rx="{box.width / 2:.1f}" ry="{box.height / 2:.1f}"/>'
        ), box
    if shape == "circle":
        return f'<circle {paint} cx="{box.cx:.1f}" cy="{box.cy:.1f}" r="{box.width / 2:.1f}"/>', box
    if shape == "box3d":
        return _box3d(box, paint)
    corners = ' rx="5"' if rounded else ""
    return (
        f'<rect {paint} x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
        f'height="{box.height:.1f}"{corners}/>'
    ), box


def _box3d(box: Rect, paint: str) -> tuple[str, Rect]:
    """A front face with a top and a right face receding up and to the right."""
    d = BOX3D_DEPTH
    front = Rect(box.x, box.y + d, box.width - d, box.height - d)
    x0, x1, x2 = box.x, front.x + front.width, box.x + box.width
    y0, y1, y2 = box.y, front.y, box.y + box.height
    top = f"{x0:.1f},{y1:.1f} {x0 + d:.1f},{y0:.1f} {x2:.1f},{y0:.1f} {x1:.1f},{y1:.1f}"
    side = f"{x1:.1f},{y1:.1f} {x2:.1f},{y0:.1f} {x2:.1f},{y2 - d:.1f} {x1:.1f},{y2:.1f}"
    return (
        f'<rect {paint} x="{front.x:.1f}" y="{front.y:.1f}" width="{front.width:.1f}" '
        f'height="{front.height:.1f}"/><polygon {paint} points="{top}"/>'
        f'<polygon {paint} points="{side}"/>'
    ), front


def _edge(edge: SvgEdge, placed: Layout, theme: Theme) -> str:
    aliased = edge.aliased and not edge.bundle
    color = theme.edge_renamed if aliased else theme.edge
    css = "edge-renamed" if aliased else "edge"
    width = WIDTH_ONE_TO_MANY if edge.multi and not edge.bundle else WIDTH_ONE_TO_ONE
    dash = "" if edge.primary or edge.bundle else f' stroke-dasharray="{DASH}"'
    title = edge.tooltip or f"{edge.parent} → {edge.child}"
    bundle = ' data-bundle="true"' if edge.bundle else ""
    return (
        f'<g class="{css}" data-parent="{attr(edge.parent)}" data-child="{attr(edge.child)}"'
        f"{bundle}>"
        f"<title>{text(title)}</title>"
        f'<path d="{_route(edge, placed)}" fill="none" stroke="{color}" '
        f'stroke-opacity="{theme.edge_opacity:.2f}" stroke-width="{width}"{dash}/></g>'
    )


def _route(edge: SvgEdge, placed: Layout) -> str:
    """A cubic curve leaving the parent downstream and entering the child from upstream; an
    edge inside one layer (master to part) bows out downstream instead."""
    a, b = placed.boxes[edge.parent], placed.boxes[edge.child]
    lr = placed.direction == "LR"
    same_layer = placed.layers[edge.parent] == placed.layers[edge.child]
    if lr:
        start = (a.x + a.width, a.cy)
        end = (b.x + b.width, b.cy) if same_layer else (b.x, b.cy)
    else:
        start = (a.cx, a.y + a.height)
        end = (b.cx, b.y + b.height) if same_layer else (b.cx, b.y)
    if same_layer:
        bow = 12.0
        c1 = (start[0] + bow, start[1]) if lr else (start[0], start[1] + bow)
        c2 = (end[0] + bow, end[1]) if lr else (end[0], end[1] + bow)
    else:
        span = ((end[0] - start[0]) if lr else (end[1] - start[1])) / 2
        c1 = (start[0] + span, start[1]) if lr else (start[0], start[1] + span)
        c2 = (end[0] - span, end[1]) if lr else (end[0], end[1] - span)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (c1, c2, end))
    return f"M{start[0]:.1f},{start[1]:.1f} C{points}"


def _adaptive_style() -> str:
    """CSS that repaints a light diagram in dark colours when the viewer prefers dark."""
    rules = [f"svg.joinery-diagram {{ background-color: {DARK.background}; }}"]
    for tier in (*TIERS, COLLAPSED):
        colors = DARK.tiers[tier]
        key = tier.lower()
        rules.append(f".tier-{key} {{ fill: {colors.fill}; stroke: {colors.stroke}; }}")
        rules.append(f".label-{key} {{ fill: {colors.text}; }}")
    rules += [
        f".edge path {{ stroke: {DARK.edge}; }}",
        f".edge-renamed path {{ stroke: {DARK.edge_renamed}; }}",
        f".cluster-frame {{ stroke: {DARK.cluster_stroke}; }}",
        f".cluster-label {{ fill: {DARK.cluster_text}; }}",
        f".entity {{ fill: {DARK.entity_fill}; stroke: {DARK.entity_fill}; }}",
    ]
    body = "\n".join("  " + r for r in rules)
    return f"<style>\n@media (prefers-color-scheme: dark) {{\n{body}\n}}\n</style>"

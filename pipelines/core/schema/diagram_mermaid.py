"""Draw a dependency diagram as Mermaid ``flowchart`` text (``Diagram.make_mermaid``, §6.3).

Input is the same plain data the SVG renderer takes (nodes in topological order). Each schema is
a subgraph, a master and its parts nest in an inner subgraph, every node carries its tier's class
(``classDef`` with the light theme's colours), primary foreign keys are solid arrows (``-->``) and
secondary ones dotted (``-.->``); ``linkStyle`` draws 1:1 keys thick, 1:many thin and renamed keys
amber. Edges bundling a collapsed schema's keys all look alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .diagram_style import COLLAPSED, LIGHT, SHAPES, TIERS, tier_key
from .svg import SvgEdge, SvgNode

#: Mermaid brackets around a label, per drawn shape.
BRACKETS = {
    "box": ('["', '"]'),
    "ellipse": ('(["', '"])'),
    "circle": ('(("', '"))'),
    "box3d": ('[["', '"]]'),
}
_NOT_ID = re.compile(r"[^A-Za-z0-9_]+")


class _Ids:
    """Mermaid identifiers: readable, unique, and never a keyword such as ``end``."""

    def __init__(self) -> None:
        self.given: dict[tuple[str, str], str] = {}
        self.used: set[str] = set()

    def __call__(self, key: str, prefix: str = "t_") -> str:
        """The identifier of ``key`` in the namespace ``prefix`` (tables, schemas, entities)."""
        if (prefix, key) not in self.given:
            base = prefix + (_NOT_ID.sub("_", key).strip("_") or "x")
            candidate, n = base, 1
            while candidate in self.used:
                n += 1
                candidate = f"{base}_{n}"
            self.used.add(candidate)
            self.given[prefix, key] = candidate
        return self.given[prefix, key]


def css_class(tier: str | None) -> str:
    return tier_key(tier).lower()


def render_mermaid(
    nodes: Sequence[SvgNode], edges: Sequence[SvgEdge], direction: str = "LR"
) -> str:
    """The Mermaid flowchart of ``nodes`` and ``edges``."""
    ids = _Ids()
    lines = [f"flowchart {direction}"]
    for tier in (*TIERS, COLLAPSED):
        colors = LIGHT.tiers[tier]
        lines.append(
            f"    classDef {css_class(tier)} "
            f"fill:{colors.fill},stroke:{colors.stroke},color:{colors.text}"
        )
    clusters: dict[str, list[SvgNode]] = {}
    for node in nodes:
        clusters.setdefault(node.cluster, []).append(node)
    for cluster, members in clusters.items():
        lines.append(f'    subgraph {ids(cluster, "schema_")}["{_label(cluster)}"]')
        lines.extend(_cluster_body(members, ids))
        lines.append("    end")
    shown = {n.id for n in nodes}
    drawn = [e for e in edges if e.parent in shown and e.child in shown]
    for edge in drawn:
        arrow = "-->" if edge.primary or edge.bundle else "-.->"
        lines.append(f"    {ids(edge.parent)} {arrow} {ids(edge.child)}")
    for index, edge in enumerate(drawn):
        lines.append(f"    linkStyle {index} {_link_style(edge)}")
    return "\n".join(lines) + "\n"


def _cluster_body(members: list[SvgNode], ids: _Ids) -> list[str]:
    """A schema's nodes; a master is nested with its parts in a frame of their own."""
    parts: dict[str, list[SvgNode]] = {}
    for node in members:
        if node.master is not None:
            parts.setdefault(node.master, []).append(node)
    lines: list[str] = []
    for node in members:
        if node.master is not None and any(m.id == node.master for m in members):
            continue  # drawn inside its master's frame
        if node.id in parts:
            lines.append(f'        subgraph {ids(node.id, "entity_")}[" "]')
            lines.append("            " + _node(node, ids))
            lines.extend("            " + _node(part, ids) for part in parts[node.id])
            lines.append("        end")
        else:
            lines.append("        " + _node(node, ids))
    return lines


def _node(node: SvgNode, ids: _Ids) -> str:
    tier = tier_key(node.tier)
    left, right = BRACKETS[SHAPES[tier].shape]
    return f"{ids(node.id)}{left}{_label(node.label)}{right}:::{css_class(tier)}"


def _label(value: str) -> str:
    return value.replace('"', "#quot;")


def _link_style(edge: SvgEdge) -> str:
    color = LIGHT.edge_renamed if edge.aliased and not edge.bundle else LIGHT.edge
    width = "1px" if edge.multi and not edge.bundle else "2px"
    return f"stroke:{color},stroke-width:{width}"

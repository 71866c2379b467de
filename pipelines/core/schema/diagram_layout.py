"""A layered ("Sugiyama-style") layout for dependency diagrams, in pure Python.

Layers come from the longest path in topological order; a master and its parts move together
as one unit stacked across the flow; each schema gets its own band across the flow, so schema
clusters never overlap; a few barycentre sweeps order the units inside each layer to reduce
edge crossings. Coordinates are computed along a "flow" axis (parents to children) and a
"cross" axis, then mapped to x/y by the direction (``LR``: flow = x, ``TB``: flow = y).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

LAYER_GAP = 56.0
NODE_GAP = 18.0
BAND_GAP = 24.0
CLUSTER_PAD = 12.0
CLUSTER_LABEL = 18.0
GROUP_PAD = 6.0
GROUP_GAP = 8.0
MARGIN = 8.0
SWEEPS = 4


@dataclass(frozen=True)
class LayoutNode:
    id: str
    cluster: str
    width: float
    height: float
    master: str | None = None  # a part's master, when the master is drawn too


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    def shifted(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.width, self.height)


@dataclass
class Layout:
    direction: str
    boxes: dict[str, Rect]
    layers: dict[str, int]  # node id -> layer
    clusters: dict[str, Rect]  # cluster name -> frame
    groups: dict[str, Rect]  # master id -> frame around the master and its parts
    width: float
    height: float


@dataclass
class _Unit:
    """A node, or a master with its parts, placed as one block."""

    members: list[str]
    cluster: str
    layer: int = 0
    position: float = 0.0
    flow: float = 0.0  # extent along the flow axis
    cross: float = 0.0  # extent across it
    parents: set[int] = field(default_factory=set)
    children: set[int] = field(default_factory=set)


def layout(
    nodes: Sequence[LayoutNode], edges: Sequence[tuple[str, str]], direction: str = "LR"
) -> Layout:
    """Place ``nodes`` (given in topological order) and frame their clusters and groups."""
    by_id = {n.id: n for n in nodes}
    units, unit_of = _units(nodes, by_id)
    for parent, child in edges:
        a, b = unit_of.get(parent), unit_of.get(child)
        if a is not None and b is not None and a != b:
            units[a].children.add(b)
            units[b].parents.add(a)
    _assign_layers(units)
    bands = _order(units)
    for unit in units:
        _measure(unit, by_id, direction)
    boxes = _place(units, bands, by_id, direction)
    return _frame(units, boxes, by_id, direction)


def _units(
    nodes: Sequence[LayoutNode], by_id: dict[str, LayoutNode]
) -> tuple[list[_Unit], dict[str, int]]:
    units: list[_Unit] = []
    unit_of: dict[str, int] = {}
    for node in nodes:
        if node.master is not None and node.master in by_id:
            continue
        unit_of[node.id] = len(units)
        units.append(_Unit(members=[node.id], cluster=node.cluster))
    for node in nodes:
        if node.master is not None and node.master in by_id:
            index = unit_of[_root(node.id, by_id)]
            units[index].members.append(node.id)
            unit_of[node.id] = index
    return units, unit_of


def _root(node: str, by_id: dict[str, LayoutNode]) -> str:
    seen = {node}
    while (master := by_id[node].master) is not None and master in by_id and master not in seen:
        seen.add(master)
        node = master
    return node


def _assign_layers(units: list[_Unit]) -> None:
    """Longest path from the sources; units are in topological order (earlier never waits)."""
    for index, unit in enumerate(units):
        earlier = [units[p].layer + 1 for p in unit.parents if p < index]
        unit.layer = max(earlier, default=0)


def _order(units: list[_Unit]) -> dict[str, dict[int, list[int]]]:
    """Units per cluster band and layer, ordered by barycentre sweeps."""
    bands: dict[str, dict[int, list[int]]] = {}
    for index, unit in enumerate(units):
        bands.setdefault(unit.cluster, {}).setdefault(unit.layer, []).append(index)
    band_index = {name: i for i, name in enumerate(bands)}
    _number(units, bands, band_index)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        for layers in bands.values():
            for members in layers.values():
                members.sort(key=lambda u: _barycentre(units[u], units, downward))
        _number(units, bands, band_index)
    return bands


def _number(
    units: list[_Unit], bands: dict[str, dict[int, list[int]]], band_index: dict[str, int]
) -> None:
    for name, layers in bands.items():
        for members in layers.values():
            for i, u in enumerate(members):
                units[u].position = band_index[name] + (i + 1) / (len(members) + 1)


def _barycentre(unit: _Unit, units: list[_Unit], downward: bool) -> float:
    neighbours = unit.parents if downward else unit.children
    if not neighbours:
        return unit.position
    return sum(units[n].position for n in neighbours) / len(neighbours)


def _extent(node: LayoutNode, direction: str) -> tuple[float, float]:
    """(flow, cross) extents of one node."""
    return (node.width, node.height) if direction == "LR" else (node.height, node.width)


def _measure(unit: _Unit, by_id: dict[str, LayoutNode], direction: str) -> None:
    extents = [_extent(by_id[m], direction) for m in unit.members]
    pad = GROUP_PAD if len(extents) > 1 else 0.0
    unit.flow = max(f for f, _ in extents) + 2 * pad
    unit.cross = sum(c for _, c in extents) + GROUP_GAP * (len(extents) - 1) + 2 * pad


def _place(
    units: list[_Unit],
    bands: dict[str, dict[int, list[int]]],
    by_id: dict[str, LayoutNode],
    direction: str,
) -> dict[str, Rect]:
    layer_count = max((u.layer for u in units), default=-1) + 1
    layer_size = [0.0] * layer_count
    for unit in units:
        layer_size[unit.layer] = max(layer_size[unit.layer], unit.flow)
    layer_start = [sum(layer_size[:i]) + LAYER_GAP * i for i in range(layer_count)]
    boxes: dict[str, Rect] = {}
    band_start = CLUSTER_PAD + CLUSTER_LABEL
    for layers in bands.values():
        stacks = {
            layer: sum(units[u].cross for u in members) + NODE_GAP * (len(members) - 1)
            for layer, members in layers.items()
        }
        band_size = max(stacks.values())
        for layer, members in layers.items():
            cross = band_start + (band_size - stacks[layer]) / 2
            for u in members:
                unit = units[u]
                flow = layer_start[unit.layer] + (layer_size[unit.layer] - unit.flow) / 2
                _place_unit(unit, flow, cross, by_id, direction, boxes)
                cross += unit.cross + NODE_GAP
        band_start += band_size + 2 * CLUSTER_PAD + CLUSTER_LABEL + BAND_GAP
    return boxes


def _place_unit(
    unit: _Unit,
    flow: float,
    cross: float,
    by_id: dict[str, LayoutNode],
    direction: str,
    boxes: dict[str, Rect],
) -> None:
    pad = GROUP_PAD if len(unit.members) > 1 else 0.0
    cross += pad
    for member in unit.members:
        node = by_id[member]
        node_flow, node_cross = _extent(node, direction)
        f = flow + (unit.flow - node_flow) / 2
        if direction == "LR":
            boxes[member] = Rect(f, cross, node.width, node.height)
        else:
            boxes[member] = Rect(cross, f, node.width, node.height)
        cross += node_cross + GROUP_GAP


def _bounds(rects: Sequence[Rect], pad: float, top: float = 0.0) -> Rect:
    x0 = min(r.x for r in rects) - pad
    y0 = min(r.y for r in rects) - pad - top
    x1 = max(r.x + r.width for r in rects) + pad
    y1 = max(r.y + r.height for r in rects) + pad
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _frame(
    units: list[_Unit], boxes: dict[str, Rect], by_id: dict[str, LayoutNode], direction: str
) -> Layout:
    clusters: dict[str, list[Rect]] = {}
    for node_id, box in boxes.items():
        clusters.setdefault(by_id[node_id].cluster, []).append(box)
    frames = {name: _bounds(rects, CLUSTER_PAD, CLUSTER_LABEL) for name, rects in clusters.items()}
    groups = {
        u.members[0]: _bounds([boxes[m] for m in u.members], GROUP_PAD - 1)
        for u in units
        if len(u.members) > 1
    }
    everything = [*frames.values(), *boxes.values()]
    if not everything:
        return Layout(direction, {}, {}, {}, {}, 2 * MARGIN, 2 * MARGIN)
    outer = _bounds(everything, MARGIN)
    dx, dy = -outer.x, -outer.y
    layers = {m: u.layer for u in units for m in u.members}
    return Layout(
        direction=direction,
        boxes={k: r.shifted(dx, dy) for k, r in boxes.items()},
        layers=layers,
        clusters={k: r.shifted(dx, dy) for k, r in frames.items()},
        groups={k: r.shifted(dx, dy) for k, r in groups.items()},
        width=outer.width,
        height=outer.height,
    )

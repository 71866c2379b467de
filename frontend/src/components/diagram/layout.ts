// Automatic layout with elk (layered, top to bottom, parents above children), parts placed
// inside their master. elk is loaded on first use so pages that never lay out do not fetch it.
import type { ElkNode } from "elkjs/lib/elk-api";
import { nodeSize, type DiagramEdge, type DiagramTable, type Position } from "./model";

type Elk = { layout: (graph: ElkNode) => Promise<ElkNode> };
let elkInstance: Promise<Elk> | null = null;

/** Start fetching elk now (a page that will lay out calls this while its data loads). */
export function preloadLayoutEngine(): void {
  void elk();
}

function elk(): Promise<Elk> {
  elkInstance ??= import("elkjs/lib/elk.bundled.js").then(
    (module) => new (module.default as unknown as new () => Elk)(),
  );
  return elkInstance;
}

export interface Layout {
  positions: Record<string, Position>;
  sizes: Record<string, { width: number; height: number }>;
}

const PART_GAP = 12;
const MASTER_HEADER = 34;

/**
 * Positions (top-left, absolute for masters, relative to the master for parts) of every table.
 * Parts are stacked below their master's own attributes; the master grows to hold them.
 * `extraHeight` adds room under a table's name (a status line drawn in the node).
 */
export async function layoutDiagram(
  tables: DiagramTable[],
  edges: DiagramEdge[],
  compact = false,
  extraHeight: (table: DiagramTable) => number = () => 0,
): Promise<Layout> {
  const sizes: Record<string, { width: number; height: number }> = {};
  const positions: Record<string, Position> = {};
  const partsOf = new Map<string, DiagramTable[]>();
  for (const table of tables) {
    const size = nodeSize(table, compact);
    sizes[table.id] = { ...size, height: size.height + extraHeight(table) };
    if (table.master) partsOf.set(table.master, [...(partsOf.get(table.master) ?? []), table]);
  }
  // A master holds its parts: its size grows, its parts get positions inside it.
  for (const [masterId, parts] of partsOf) {
    const master = sizes[masterId];
    if (!master) continue;
    let y = master.height + PART_GAP;
    let width = master.width;
    for (const part of parts) {
      positions[part.id] = { x: PART_GAP, y };
      y += sizes[part.id].height + PART_GAP;
      width = Math.max(width, sizes[part.id].width + 2 * PART_GAP);
    }
    sizes[masterId] = { width, height: Math.max(y, MASTER_HEADER) };
  }
  const top = tables.filter((table) => !table.master || !sizes[table.master]);
  const topOf = (id: string) => {
    const table = tables.find((t) => t.id === id);
    return table?.master && sizes[table.master] ? table.master : id;
  };
  const seen = new Set<string>();
  const graph: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.spacing.nodeNode": "28",
      "elk.layered.spacing.nodeNodeBetweenLayers": "48",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      // Only node positions are used (React Flow draws the edges): straight edge routes are
      // much cheaper to compute than orthogonal ones.
      "elk.edgeRouting": "POLYLINE",
    },
    children: top.map((table) => ({ id: table.id, ...sizes[table.id] })),
    edges: edges.flatMap((edge) => {
      const source = topOf(edge.parent);
      const target = topOf(edge.child);
      const key = `${source}->${target}`;
      if (source === target || seen.has(key)) return [];
      seen.add(key);
      return [{ id: key, sources: [source], targets: [target] }];
    }),
  };
  const laid = await (await elk()).layout(graph);
  for (const child of laid.children ?? []) {
    positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
  }
  return { positions, sizes };
}

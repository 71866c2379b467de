// The pipeline's diagram (tier colours, parts inside masters) with each table's live state;
// clicking a table (or Enter on it) selects it.
import "@xyflow/react/dist/style.css";
import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  type Edge,
  type NodeTypes,
} from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { layoutDiagramCached, layoutSignature } from "../../components/diagram/layoutCache";
import type { Position } from "../../components/diagram/model";
import { TableNode, type TableFlowNode } from "../../components/diagram/TableNode";
import type { DiagramOut, Run, TableStatus } from "./api";
import { diagramEdges, diagramTables, tableKey } from "./diagramData";
import { STATE_LINE_HEIGHT, TableState } from "./TableState";

const nodeTypes: NodeTypes = { table: TableNode };

interface Laid {
  positions: Record<string, Position>;
  sizes: Record<string, { width: number; height: number }>;
}

export function DashboardDiagram({
  scope,
  diagram,
  status,
  activeRun,
  selected,
  onSelect,
}: {
  /** The pipeline: layouts are remembered per pipeline. */
  scope: string;
  diagram: DiagramOut;
  status: Record<string, TableStatus>;
  activeRun: (schema: string, table: string) => Run | undefined;
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  const tables = useMemo(() => diagramTables(diagram), [diagram]);
  const edges = useMemo(() => diagramEdges(diagram), [diagram]);
  const [laid, setLaid] = useState<Laid | null>(null);
  const [layoutError, setLayoutError] = useState<unknown>(null);
  // Laid out again only when the diagram's structure changes, not on every refresh of counts.
  const signature = useMemo(
    () => layoutSignature(tables, edges, true, () => STATE_LINE_HEIGHT),
    [tables, edges],
  );
  const structure = useRef({ tables, edges });
  structure.current = { tables, edges };
  useEffect(() => {
    let live = true;
    const current = structure.current;
    void layoutDiagramCached(
      `dashboard:${scope}`, current.tables, current.edges, true, () => STATE_LINE_HEIGHT,
    ).then(
      (result) => live && setLaid(result),
      (failure: unknown) => live && setLayoutError(failure),
    );
    return () => {
      live = false;
    };
  }, [signature, scope]);

  const rowsOf = useMemo(
    () => new Map(diagram.nodes.map((node) => [node.id, node.rows ?? null])),
    [diagram],
  );
  const nodes: TableFlowNode[] = useMemo(() => {
    if (!laid) return [];
    // Masters before their parts, as React Flow wants parents first.
    const ordered = [...tables].sort((a, b) => Number(!!a.master) - Number(!!b.master));
    return ordered.map((table) => {
      const key = tableKey(table.schema, table.name);
      return {
        id: table.id,
        type: "table",
        position: laid.positions[table.id] ?? { x: 0, y: 0 },
        ...(table.master ? { parentId: table.master, extent: "parent" as const } : {}),
        // Fixed dimensions, not a style: nodes rebuilt on every status update are then drawn at
        // once, instead of hidden until React Flow has measured them again.
        width: laid.sizes[table.id]?.width,
        height: laid.sizes[table.id]?.height,
        selected: selected === key,
        ariaLabel: `${table.name} (${table.tier})`,
        className: selected === key ? "chosen" : undefined,
        data: {
          table,
          compact: true,
          selected: selected === key,
          status: (
            <TableState
              rows={rowsOf.get(table.id) ?? null}
              status={status[key]}
              run={activeRun(table.schema, table.name)}
            />
          ),
        },
      };
    });
  }, [laid, tables, selected, status, activeRun, rowsOf]);

  const flowEdges: Edge[] = useMemo(
    () =>
      edges.map((edge) => ({
        id: edge.id,
        source: edge.parent,
        target: edge.child,
        markerEnd: { type: MarkerType.ArrowClosed },
        style: { strokeWidth: edge.primary ? 1.6 : 1, strokeDasharray: edge.primary ? undefined : "4 3" },
      })),
    [edges],
  );

  const byId = useMemo(() => new Map(tables.map((t) => [t.id, t])), [tables]);
  return (
    <div className="dashboard-diagram" aria-label="Pipeline diagram">
      {laid ? (
        <ReactFlow
          nodes={nodes}
          edges={flowEdges}
          nodeTypes={nodeTypes}
          fitView
          nodesDraggable={false}
          nodesConnectable={false}
          onNodeClick={(_, node) => {
            const table = byId.get(node.id);
            if (table) onSelect(tableKey(table.schema, table.name));
          }}
          proOptions={{ hideAttribution: true }}
          minZoom={0.3}
        >
          <Background gap={16} />
          <Controls showInteractive={false} />
        </ReactFlow>
      ) : layoutError ? (
        <ErrorMessage error={layoutError} />
      ) : (
        <p className="muted">Laying out the diagram…</p>
      )}
    </div>
  );
}

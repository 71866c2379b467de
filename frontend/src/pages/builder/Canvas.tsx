// The canvas: a React Flow node per table (parts inside their master), an edge per foreign key.
// Drag a table to move it; drag from a parent's bottom handle to a child's top handle to add a
// foreign key. Node objects are reused while their table is unchanged, so one edit re-renders one
// node even on a large diagram.
import {
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type NodeChange,
  type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { nodeSize, type DiagramTable } from "../../components/diagram/model";
import { TableNode, type TableFlowNode, type TableNodeData } from "../../components/diagram/TableNode";
import type { DefinitionGraph } from "../../lib/definitionGraph";
import type { DefinitionError } from "./api";
import { idOf, type BuilderTable } from "./tables";

const BuilderNode = memo(function BuilderNode(props: NodeProps<TableFlowNode>) {
  return <TableNode {...props} />;
});
const nodeTypes = { table: BuilderNode };
const PART_GAP = 12;
const ERROR_LINE = 18;

export interface CanvasProps {
  tables: BuilderTable[];
  graph: DefinitionGraph;
  errors: Map<string, DefinitionError[]>;
  selectedKey: string | null;
  canEdit: boolean;
  compact: boolean;
  fitSignal: number;
  onSelect: (key: string | null) => void;
  onConnect: (parentKey: string, childKey: string) => void;
  onMove: (positions: Record<string, { x: number; y: number }>) => void;
  /** Called after the nodes on screen changed (and were painted). */
  onRendered?: () => void;
}

function ErrorBadge({ errors }: { errors: DefinitionError[] }) {
  return (
    <div className="node-errors" role="note" title={errors.map((e) => e.message).join("\n")}>
      ⚠ {errors.length > 1 ? `${errors.length} errors: ` : ""}
      {errors[0].message}
    </div>
  );
}

/** Node sizes; a master grows to hold its parts (parts sit at positions relative to it). */
function sizesOf(
  tables: BuilderTable[],
  diagram: Map<string, DiagramTable>,
  errors: Map<string, DefinitionError[]>,
  compact: boolean,
) {
  const sizes = new Map<string, { width: number; height: number }>();
  for (const table of tables) {
    const drawn = diagram.get(idOf(table));
    if (!drawn) continue;
    const size = nodeSize(drawn, compact);
    // the error badge takes a line
    sizes.set(drawn.id, errors.has(drawn.id) ? { ...size, height: size.height + ERROR_LINE } : size);
  }
  for (const part of tables) {
    if (!part.master) continue;
    const masterId = `${part.schema}.${part.master}`;
    const own = sizes.get(idOf(part));
    const master = sizes.get(masterId);
    if (!own || !master) continue;
    sizes.set(masterId, {
      width: Math.max(master.width, part.x + own.width + PART_GAP),
      height: Math.max(master.height, part.y + own.height + PART_GAP),
    });
  }
  return sizes;
}

export function Canvas(props: CanvasProps) {
  const { tables, graph, errors, selectedKey, canEdit, compact } = props;
  const dataCache = useRef(new Map<string, { signature: string; data: TableNodeData }>());
  const diagram = useMemo(() => new Map(graph.tables.map((t) => [t.id, t])), [graph]);
  const keyOf = useMemo(() => new Map(tables.map((t) => [idOf(t), t.key])), [tables]);

  const built = useMemo(() => {
    const sizes = sizesOf(tables, diagram, errors, compact);
    const ordered = [...tables].sort((a, b) => Number(Boolean(a.master)) - Number(Boolean(b.master)));
    const nodes: TableFlowNode[] = [];
    for (const table of ordered) {
      const id = idOf(table);
      const drawn = diagram.get(id);
      const size = sizes.get(id);
      if (!drawn || !size) continue;
      const tableErrors = errors.get(id) ?? [];
      const signature = JSON.stringify([drawn, compact, tableErrors.map((e) => e.message)]);
      let cached = dataCache.current.get(id);
      if (!cached || cached.signature !== signature) {
        const status = tableErrors.length ? <ErrorBadge errors={tableErrors} /> : undefined;
        cached = { signature, data: { table: drawn, compact, status } };
        dataCache.current.set(id, cached);
      }
      const master = table.master ? `${table.schema}.${table.master}` : undefined;
      nodes.push({
        id,
        type: "table",
        position: { x: table.x, y: table.y },
        data: cached.data,
        width: size.width,
        height: size.height,
        selected: table.key === selectedKey,
        draggable: canEdit,
        connectable: canEdit,
        ...(master && keyOf.has(master) ? { parentId: master, extent: "parent" as const } : {}),
        className: tableErrors.length ? "has-errors" : undefined,
      });
    }
    return nodes;
  }, [tables, diagram, errors, selectedKey, canEdit, compact, keyOf]);

  const [nodes, setNodes] = useState<TableFlowNode[]>(built);
  useEffect(() => {
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      return built.map((node) => {
        const old = before.get(node.id);
        if (!old) return node;
        const same =
          old.data === node.data &&
          old.position.x === node.position.x &&
          old.position.y === node.position.y &&
          old.width === node.width &&
          old.height === node.height &&
          old.selected === node.selected &&
          old.parentId === node.parentId &&
          old.draggable === node.draggable &&
          old.className === node.className;
        return same ? old : { ...node, measured: old.measured };
      });
    });
  }, [built]);

  const edges = useMemo<Edge[]>(
    () =>
      graph.edges
        .filter((edge) => diagram.get(edge.child)?.master !== edge.parent)
        .map((edge) => {
          const renamed = Object.keys(edge.renamed).length > 0;
          return {
            id: edge.id,
            source: edge.parent,
            target: edge.child,
            className: `fk ${edge.primary ? "fk-primary" : "fk-secondary"}${renamed ? " fk-renamed" : ""}`,
            label: renamed
              ? Object.entries(edge.renamed)
                  .map(([to, from]) => `${to} ← ${from}`)
                  .join(", ")
              : undefined,
            markerEnd: { type: MarkerType.ArrowClosed },
          };
        }),
    [graph, diagram],
  );

  const onNodesChange = useCallback((changes: NodeChange<TableFlowNode>[]) => {
    const kept = changes.filter((c) => c.type === "position" || c.type === "dimensions");
    if (kept.length) setNodes((current) => applyNodeChanges(kept, current));
  }, []);

  const { onMove, onSelect, onConnect, onRendered } = props;
  useEffect(() => {
    if (!onRendered) return;
    const frame = window.requestAnimationFrame(onRendered);
    return () => window.cancelAnimationFrame(frame);
  }, [nodes, onRendered]);
  const flow = useReactFlow();
  useEffect(() => {
    if (!props.fitSignal) return;
    const frame = window.requestAnimationFrame(() => void flow.fitView({ padding: 0.15, maxZoom: 1.1 }));
    return () => window.cancelAnimationFrame(frame);
  }, [props.fitSignal, flow]);

  return (
    <ReactFlow<TableFlowNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onNodeClick={(_, node) => onSelect(keyOf.get(node.id) ?? null)}
      onPaneClick={() => onSelect(null)}
      onNodeDragStop={(_, __, dragged) => {
        const moved: Record<string, { x: number; y: number }> = {};
        for (const node of dragged) {
          const key = keyOf.get(node.id);
          if (key) moved[key] = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
        }
        onMove(moved);
      }}
      onConnect={(connection: Connection) => {
        const parent = keyOf.get(connection.source);
        const child = keyOf.get(connection.target);
        if (parent && child && parent !== child) onConnect(parent, child);
      }}
      nodesDraggable={canEdit}
      nodesConnectable={canEdit}
      elementsSelectable
      deleteKeyCode={null}
      minZoom={0.1}
      fitView
      onlyRenderVisibleElements={tables.length > 60}
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={24} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

// A table on the canvas: its name on a band of its tier's colour, primary key attributes above a
// line, secondary attributes below; an optional status line (the dashboard's counts). Parts sit
// inside their master (React Flow's parentId), so a master is drawn as a frame.
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { tierColors, type DiagramTable } from "./model";

export interface TableNodeData extends Record<string, unknown> {
  table: DiagramTable;
  compact?: boolean;
  /** Extra content under the name (the dashboard's state, the builder's error badge). */
  status?: React.ReactNode;
  selected?: boolean;
}

export type TableFlowNode = Node<TableNodeData, "table">;

export function TableNode({ data }: NodeProps<TableFlowNode>) {
  const { table, compact, status } = data;
  const colors = tierColors(table.tier);
  const key = table.attributes.filter((a) => a.inKey);
  const rest = table.attributes.filter((a) => !a.inKey);
  const rounded = table.tier === "Manual" || table.tier === "Lookup" || table.tier === "Part";
  return (
    <div
      className={`table-node tier-${table.tier}`}
      data-table={table.id}
      style={{
        background: colors.fill,
        borderColor: colors.stroke,
        borderRadius: rounded ? 6 : 18,
        width: "100%",
        height: "100%",
      }}
    >
      <Handle type="target" position={Position.Top} />
      <div className="table-node-name" title={`${table.schema}.${table.name} (${table.tier})`}>
        {table.name.split(".").pop()}
        <span className="table-node-tier">{table.tier}</span>
      </div>
      {status}
      {!compact && (
        <div className="table-node-attrs">
          {key.map((a) => (
            <div key={a.name} className={a.fromParent ? "attr fk" : "attr"}>
              {a.name} <span className="muted">{a.type}</span>
            </div>
          ))}
          <hr />
          {rest.map((a) => (
            <div key={a.name} className={a.fromParent ? "attr fk" : "attr"}>
              {a.name} <span className="muted">{a.type}</span>
            </div>
          ))}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

// What the browse and visualize pages send: query pages, their code and CSV; and how tables are
// named and related (the tables and the diagram themselves come from api/tables.ts).
import { apiFetch, pipelineApi, post } from "../../api/client";
import type { DiagramEdge, DiagramNode } from "../../api/tables";
import type { Schema } from "../../api/types";
import type { QuerySpec, TableRef } from "../../lib/query";

export type QueryResult = Omit<Schema<"QueryOut">, "rows"> & { rows: Record<string, unknown>[] };

export const runQuery = (slug: string, spec: QuerySpec) =>
  post<QueryResult>(`${pipelineApi(slug)}/query/`, spec);

/** The rows of the whole query as a CSV file (downloaded by the browser). */
export async function downloadCsv(slug: string, spec: QuerySpec, filename: string) {
  const response = await apiFetch("POST", `${pipelineApi(slug)}/query/?format=csv`, spec);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export const refOf = (table: { schema: string; name: string }): TableRef => ({
  schema: table.schema,
  name: table.name,
});

export const sameTable = (a: TableRef, b: TableRef) => a.schema === b.schema && a.name === b.name;

export const tableLabel = (table: TableRef) => `${table.schema}.${table.name}`;

/** Tables related to any of `tables` by a foreign key (parents and children), not yet in it. */
export function relatedTables(
  tables: TableRef[],
  nodes: DiagramNode[],
  edges: DiagramEdge[],
): { table: TableRef; relation: "parent" | "child" }[] {
  const idOf = new Map(nodes.map((n) => [`${n.schema}.${n.name}`, n.id]));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const chosen = new Set(tables.map((t) => idOf.get(tableLabel(t))));
  const found = new Map<string, "parent" | "child">();
  for (const edge of edges) {
    if (chosen.has(edge.child) && !chosen.has(edge.parent)) found.set(edge.parent, "parent");
    if (chosen.has(edge.parent) && !chosen.has(edge.child) && !found.has(edge.child)) {
      found.set(edge.child, "child");
    }
  }
  return [...found.entries()]
    .map(([id, relation]) => ({ node: byId.get(id), relation }))
    .filter((f): f is { node: DiagramNode; relation: "parent" | "child" } => !!f.node)
    .map(({ node, relation }) => ({ table: refOf(node), relation }));
}

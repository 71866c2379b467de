// The API's diagram as the shared canvas pieces take it.
import type { DiagramEdge, DiagramTable } from "../../components/diagram/model";
import type { DiagramOut } from "./api";

export function diagramTables(diagram: DiagramOut): DiagramTable[] {
  const inherited = new Map<string, Set<string>>();
  for (const edge of diagram.edges) {
    const names = inherited.get(edge.child) ?? new Set<string>();
    for (const name of Object.keys(edge.attr_map)) names.add(name);
    inherited.set(edge.child, names);
  }
  return diagram.nodes.map((node) => ({
    id: node.id,
    schema: node.schema,
    name: node.name,
    tier: node.tier,
    master: node.master,
    attributes: node.attributes.map((a) => ({
      name: a.name,
      type: a.type,
      inKey: a.in_key,
      fromParent: inherited.get(node.id)?.has(a.name) ?? false,
    })),
  }));
}

export function diagramEdges(diagram: DiagramOut): DiagramEdge[] {
  return diagram.edges
    .filter((edge) => !edge.part_of_master)
    .map((edge) => ({
      id: `${edge.parent}->${edge.child}`,
      parent: edge.parent,
      child: edge.child,
      primary: edge.primary,
      renamed: edge.renamed,
    }));
}

/** The status key of a table: schema and class name. */
export const tableKey = (schema: string, name: string) => `${schema}.${name}`;

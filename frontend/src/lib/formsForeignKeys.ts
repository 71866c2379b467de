// The foreign keys of a table, read from the pipeline diagram's edges (attr_map: child attribute ->
// parent attribute), and the condition that searches a parent's rows for a typed text.
import { integerRange } from "./forms";

export interface DiagramAttribute {
  name: string;
  type: string;
  in_key: boolean;
}

export interface DiagramNode {
  id: string;
  schema: string;
  name: string;
  tier: string;
  primary_key: string[];
  attributes: DiagramAttribute[];
}

export interface DiagramEdge {
  parent: string;
  child: string;
  attr_map: Record<string, string>;
}

export interface Diagram {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

export interface ForeignKey {
  parent: DiagramNode;
  /** child attribute -> parent attribute */
  attrMap: Record<string, string>;
}

/** The foreign keys of `schema.name`, each attribute claimed by the first one naming it. */
export function foreignKeysOf(diagram: Diagram, schema: string, name: string): ForeignKey[] {
  const node = diagram.nodes.find((item) => item.schema === schema && item.name === name);
  if (!node) return [];
  const claimed = new Set<string>();
  const found: ForeignKey[] = [];
  for (const edge of diagram.edges) {
    if (edge.child !== node.id) continue;
    const parent = diagram.nodes.find((item) => item.id === edge.parent);
    const names = Object.keys(edge.attr_map);
    if (!parent || names.length === 0 || names.some((attr) => claimed.has(attr))) continue;
    names.forEach((attr) => claimed.add(attr));
    found.push({ parent, attrMap: edge.attr_map });
  }
  return found;
}

// Dates, times and uuids are compared as values by the server, so only strings are searched.
const TEXTUAL = /^(varchar|char|enum|text|longtext|mediumtext|tinytext)\b/i;
const NUMERIC = /^(u?int|tinyint|smallint|mediumint|bigint|integer|float|double|decimal|numeric|real)/i;

/** Whether `term` is a number the attribute's type can hold (else the server refuses it). */
function fits(type: string, term: string): boolean {
  if (!/^[+-]?\d+(\.\d+)?$/.test(term)) return false;
  const range = integerRange(type);
  if (!range) return true;
  return /^[+-]?\d+$/.test(term) && BigInt(term) >= range[0] && BigInt(term) <= range[1];
}

export type Condition =
  | { attribute: string; operator: string; value: unknown }
  | { or: Condition[] };

/** Rows of a table (a parent, or the table itself) matching `text`: a substring of a textual
 *  attribute or the value of a numeric one (null: every row). */
export function parentSearch(parent: { attributes: Omit<DiagramAttribute, "in_key">[] }, text: string): Condition | null {
  const term = text.trim();
  if (!term) return null;
  const like = `%${term}%`;
  const parts: Condition[] = [];
  for (const attribute of parent.attributes) {
    if (TEXTUAL.test(attribute.type)) parts.push({ attribute: attribute.name, operator: "like", value: like });
    else if (NUMERIC.test(attribute.type) && fits(attribute.type, term))
      parts.push({ attribute: attribute.name, operator: "=", value: Number(term) });
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : { or: parts };
}

/** A parent row as the select shows it: its key, then its other values. */
export function parentLabel(parent: DiagramNode, row: Record<string, unknown>): string {
  const key = parent.primary_key.map((name) => String(row[name] ?? "")).join(", ");
  const rest = parent.attributes
    .filter((attribute) => !attribute.in_key)
    .map((attribute) => row[attribute.name])
    .filter((value) => value !== null && value !== undefined && typeof value !== "object")
    .slice(0, 3)
    .map(String);
  return rest.length ? `${key} (${rest.join(", ")})` : key;
}

/** The child's values for a picked parent row. */
export function childValues(fk: ForeignKey, parentRow: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [child, parent] of Object.entries(fk.attrMap)) values[child] = parentRow[parent];
  return values;
}

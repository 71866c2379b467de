// The diagram a set of definitions draws: each table with its attributes (the ones inherited
// through `->` included, renamed as the projection says) and an edge for each foreign key.
import type { DiagramAttribute, DiagramEdge, DiagramTable } from "../components/diagram/model";
import { parseDefinition, type DefinitionModel } from "./definition";

export interface DraftTable {
  schema: string;
  /** A part's class name is `Master.Part`. */
  className: string;
  tier: string;
  /** A part's master (its class name). */
  master: string | null;
  definition: string;
}

export const tableId = (schema: string, className: string) => `${schema}.${className}`;

/** The id of the table `reference` names, seen from `from`: `Class`, `Master.Part`, `master`,
 * `master.Part`, `schema.Class`; null when it cannot name a table. */
export function referencedId(reference: string, from: DraftTable): string | null {
  const names = reference.split(".").map((name) => name.trim());
  let schema = from.schema;
  if (names[0] === "master") {
    if (!from.master) return null;
    names[0] = from.master;
  } else if (/^[a-z]/.test(names[0] ?? "")) {
    schema = names.shift() ?? "";
  }
  if (names.length < 1 || names.length > 2 || !names.every((n) => /^[A-Z]/.test(n))) return null;
  return tableId(schema, names.join("."));
}

export interface DefinitionGraph {
  tables: DiagramTable[];
  edges: DiagramEdge[];
  models: Map<string, DefinitionModel>;
}

/** Tables and foreign keys of the drafts; references to tables not among them draw no edge. */
export function buildGraph(drafts: DraftTable[]): DefinitionGraph {
  const byId = new Map(drafts.map((d) => [tableId(d.schema, d.className), d]));
  const models = new Map(drafts.map((d) => [tableId(d.schema, d.className), parseDefinition(d.definition)]));
  const keys = new Map<string, DiagramAttribute[]>();
  const visiting = new Set<string>();

  /** The primary key of a table, its inherited attributes included. */
  function primaryKey(id: string): DiagramAttribute[] {
    const known = keys.get(id);
    if (known) return known;
    const draft = byId.get(id);
    const model = models.get(id);
    if (!draft || !model || visiting.has(id)) return [];
    visiting.add(id);
    const found = attributesOf(draft, model, true);
    visiting.delete(id);
    keys.set(id, found);
    return found;
  }

  function attributesOf(draft: DraftTable, model: DefinitionModel, inKey: boolean): DiagramAttribute[] {
    const out: DiagramAttribute[] = [];
    for (const item of model.items) {
      if (item.inKey !== inKey) continue;
      if (item.kind === "attribute") {
        out.push({ name: item.name, type: item.type, inKey });
      } else if (item.kind === "foreign_key") {
        const parent = referencedId(item.table, draft);
        const inherited = parent ? primaryKey(parent) : [];
        if (!inherited.length) out.push({ name: `→ ${item.table}`, type: "", inKey, fromParent: true });
        for (const attribute of inherited) {
          const rename = item.renames.find((r) => r.from === attribute.name);
          out.push({ name: rename?.name || attribute.name, type: attribute.type, inKey, fromParent: true });
        }
      }
    }
    return out;
  }

  const tables: DiagramTable[] = [];
  const edges: DiagramEdge[] = [];
  for (const draft of drafts) {
    const id = tableId(draft.schema, draft.className);
    const model = models.get(id) as DefinitionModel;
    tables.push({
      id,
      schema: draft.schema,
      name: draft.className,
      tier: draft.tier,
      master: draft.master ? tableId(draft.schema, draft.master) : null,
      attributes: [...primaryKey(id), ...attributesOf(draft, model, false)],
    });
    model.items.forEach((item, index) => {
      if (item.kind !== "foreign_key") return;
      const parent = referencedId(item.table, draft);
      if (!parent || !byId.has(parent)) return;
      const renamed: Record<string, string> = {};
      for (const r of item.renames) if (r.name && r.name !== r.from) renamed[r.name] = r.from;
      edges.push({ id: `${parent}->${id}#${index}`, parent, child: id, primary: item.inKey, renamed });
    });
  }
  return { tables, edges, models };
}

/** How a child refers to `parent`: its class name from the child's schema (`Class`,
 * `Master.Part`, `master`, or `schema.Class` across schemas). */
export function referenceTo(parent: DraftTable, child: DraftTable): string {
  if (parent.schema !== child.schema) return `${parent.schema}.${parent.className}`;
  if (child.master && child.master === parent.className) return "master";
  return parent.className;
}

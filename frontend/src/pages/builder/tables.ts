// The builder's document: the pipeline's table definitions as the canvas and the side panel edit
// them, and the pure edits on it (each edit returns a new list; undo keeps the old one).
import {
  parseDefinition,
  renderDefinition,
  starterModel,
  type DefinitionItem,
  type DefinitionModel,
} from "../../lib/definition";
import { referenceTo, referencedId, tableId, type DraftTable } from "../../lib/definitionGraph";
import type { DefinitionOut } from "./api";

export interface BuilderTable extends DraftTable {
  /** Stable on the client (a new table has no server id yet). */
  key: string;
  x: number;
  y: number;
}

export const idOf = (t: { schema: string; className: string }) => tableId(t.schema, t.className);
export const shortName = (className: string) => className.split(".").pop() ?? className;

export function fromServer(out: DefinitionOut): BuilderTable {
  return {
    key: `d${out.id}`,
    schema: out.schema,
    className: out.class_name,
    tier: out.tier,
    master: out.master,
    definition: out.definition,
    x: out.position_x ?? 0,
    y: out.position_y ?? 0,
  };
}

let counter = 0;
const newKey = () => `n${Date.now().toString(36)}${(counter += 1)}`;

/** `SessionTrial` -> `session_trial`: the key attribute a new table starts with. */
export function keyNameFor(className: string): string {
  const snake = shortName(className)
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
  return `${snake}_id`;
}

export const CLASS_NAME = /^[A-Z][A-Za-z0-9]{0,63}$/;

/** Why a new table cannot be added under that name, or null. */
export function nameProblem(tables: BuilderTable[], schema: string, className: string): string | null {
  if (!CLASS_NAME.test(shortName(className))) {
    return "A table name is CamelCase: a capital letter, then letters and digits.";
  }
  if (tables.some((t) => t.schema === schema && t.className === className)) {
    return `${className} is already defined.`;
  }
  return null;
}

export function addTable(
  tables: BuilderTable[],
  fields: { schema: string; name: string; tier: string; master: string | null; comment?: string },
): { tables: BuilderTable[]; table: BuilderTable } {
  const className = fields.master ? `${fields.master}.${fields.name}` : fields.name;
  const model = starterModel(keyNameFor(fields.name), fields.tier, fields.comment);
  if (fields.tier === "Part") model.items.unshift({ kind: "foreign_key", table: "master", renames: [], nullable: false, unique: false, comment: "", inKey: true });
  const place = fields.master ? partPlace(tables, fields.schema, fields.master) : freePlace(tables);
  const table: BuilderTable = {
    key: newKey(),
    schema: fields.schema,
    className,
    tier: fields.tier,
    master: fields.master,
    definition: renderDefinition(model),
    ...place,
  };
  return { tables: [...tables, table], table };
}

/** Right of every top-level table, on the top row. */
function freePlace(tables: BuilderTable[]): { x: number; y: number } {
  const top = tables.filter((t) => !t.master);
  if (!top.length) return { x: 0, y: 0 };
  const right = Math.max(...top.map((t) => t.x + 240));
  return { x: right, y: Math.min(...top.map((t) => t.y)) };
}

/** Inside the master, below its other parts (relative to the master). */
function partPlace(tables: BuilderTable[], schema: string, master: string): { x: number; y: number } {
  const parts = tables.filter((t) => t.schema === schema && t.master === master);
  const below = parts.length ? Math.max(...parts.map((p) => p.y)) + 90 : 120;
  return { x: 12, y: below };
}

export function updateTable(tables: BuilderTable[], key: string, change: Partial<BuilderTable>): BuilderTable[] {
  return tables.map((t) => (t.key === key ? { ...t, ...change } : t));
}

/** Remove a table and its parts. */
export function removeTable(tables: BuilderTable[], key: string): BuilderTable[] {
  const gone = tables.find((t) => t.key === key);
  if (!gone) return tables;
  return tables.filter((t) => t.key !== key && !(t.schema === gone.schema && t.master === gone.className));
}

/** Rename a table: its parts follow, and every `->` naming it is rewritten. */
export function renameTable(tables: BuilderTable[], key: string, name: string): BuilderTable[] {
  const table = tables.find((t) => t.key === key);
  if (!table) return tables;
  const before = table.className;
  const after = table.master ? `${table.master}.${name}` : name;
  const oldId = idOf(table);
  const renamed = (t: BuilderTable): BuilderTable => {
    if (t.key === key) return { ...t, className: after };
    if (!table.master && t.schema === table.schema && t.master === before) {
      return { ...t, master: after, className: `${after}.${shortName(t.className)}` };
    }
    return t;
  };
  const next = tables.map(renamed);
  return next.map((t) => {
    const model = parseDefinition(t.definition);
    let changed = false;
    const original = tables.find((o) => o.key === t.key) as BuilderTable;
    for (const item of model.items) {
      if (item.kind !== "foreign_key") continue;
      const target = referencedId(item.table, original);
      if (target === oldId) {
        const newTable = { ...table, className: after };
        item.table = item.table === "master" ? "master" : referenceTo(newTable, t);
        changed = true;
      } else if (!table.master && target?.startsWith(`${oldId}.`)) {
        item.table = item.table.replace(before, after);
        changed = true;
      }
    }
    return changed ? { ...t, definition: renderDefinition(model) } : t;
  });
}

/** Add `-> parent` to the child's primary key, after its other foreign keys there. Returns the
 * index of the new item in the child's model. */
export function addForeignKey(
  tables: BuilderTable[],
  parentKey: string,
  childKey: string,
): { tables: BuilderTable[]; index: number } | null {
  const parent = tables.find((t) => t.key === parentKey);
  const child = tables.find((t) => t.key === childKey);
  if (!parent || !child || parent.key === child.key) return null;
  const model = parseDefinition(child.definition);
  const item: DefinitionItem = {
    kind: "foreign_key",
    table: referenceTo(parent, child),
    renames: [],
    nullable: false,
    unique: false,
    comment: "",
    inKey: true,
  };
  let index = 0;
  model.items.forEach((existing, i) => {
    if (existing.inKey && existing.kind === "foreign_key") index = i + 1;
  });
  model.items.splice(index, 0, item);
  return { tables: updateTable(tables, childKey, { definition: renderDefinition(model) }), index };
}

export function setModel(tables: BuilderTable[], key: string, model: DefinitionModel): BuilderTable[] {
  return updateTable(tables, key, { definition: renderDefinition(model) });
}

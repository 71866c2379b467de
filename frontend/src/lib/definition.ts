// DataJoint definition text <-> a structured model the builder edits.
//
// The syntax is the engine's (pipelines/core/definition/parser.py): an optional table comment
// (`# ...` on the first line), attribute lines `name [= default] : type [# comment]`, a `---`
// line between the primary key and the secondary attributes, foreign keys
// `-> [nullable, unique] Table[.proj(new='old', ...)]`, and `[unique] index(a, b)` lines.
// Lines the model cannot read are kept verbatim (the API reports what is wrong with them), and
// comment lines are kept where they are, so rendering a parsed text never loses a line.

export interface AttributeItem {
  kind: "attribute";
  name: string;
  /** The declared type, verbatim: `int32`, `varchar(64)`, `<blob@store>`. */
  type: string;
  /** The default as written after `=` (quotes included), or null when there is none. */
  default: string | null;
  comment: string;
}

export interface Rename {
  /** The attribute's name in the child. */
  name: string;
  /** The parent's attribute it comes from. */
  from: string;
}

export interface ForeignKeyItem {
  kind: "foreign_key";
  /** The referenced table as written: `Subject`, `Session.Trial`, `master`, `lab.Rig`. */
  table: string;
  renames: Rename[];
  nullable: boolean;
  unique: boolean;
  comment: string;
}

export interface IndexItem {
  kind: "index";
  unique: boolean;
  attributes: string[];
  comment: string;
}

/** A `# ...` line inside the definition (ignored by the engine). */
export interface CommentItem {
  kind: "comment";
  text: string;
}

/** A line the model cannot read; kept verbatim so the user's text is not lost. */
export interface RawItem {
  kind: "raw";
  text: string;
}

export type ItemBody = AttributeItem | ForeignKeyItem | IndexItem | CommentItem | RawItem;

/** An item and where it sits: in the primary key (above `---`) or below it. */
export type DefinitionItem = ItemBody & {
  inKey: boolean;
  /** The line of the parsed text it came from (1-based), when parsed. */
  line?: number;
};

export interface DefinitionModel {
  comment: string;
  items: DefinitionItem[];
}

const NAME = /^[a-z_][a-z0-9_]*$/;
const INDEX_LINE = /^(unique\s+)?index\s*\((.*)\)\s*(#.*)?$/i;
const DOTTED = String.raw`[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*`;
const REFERENCE = new RegExp(String.raw`^(${DOTTED}?)(?:\s*\.\s*proj\s*\((.*)\))?$`, "s");
const RENAME = /^([a-z_][a-z0-9_]*)\s*=\s*(?:'([a-z_][a-z0-9_]*)'|"([a-z_][a-z0-9_]*)")$/;

// ---- parsing -----------------------------------------------------------------------------------

/** Parse definition text; never throws (unreadable lines become raw items). */
export function parseDefinition(text: string): DefinitionModel {
  const lines = text
    .split("\n")
    .map((line, index) => ({ number: index + 1, text: line.trim() }))
    .filter((line) => line.text);
  let comment = "";
  let start = 0;
  if (lines.length && lines[0].text.startsWith("#")) {
    comment = lines[0].text.slice(1).trim();
    start = 1;
  }
  const items: DefinitionItem[] = [];
  let inKey = true;
  for (const line of lines.slice(start)) {
    if (line.text.startsWith("---")) {
      inKey = false;
      continue;
    }
    items.push({ ...parseLine(line.text), inKey, line: line.number });
  }
  return { comment, items };
}

/** One line of a definition (not the table comment, not `---`). */
export function parseLine(text: string): ItemBody {
  const line = text.trim();
  if (line.startsWith("#")) return { kind: "comment", text: line.slice(1).trim() };
  if (isForeignKeyLine(line)) return parseForeignKey(line) ?? { kind: "raw", text: line };
  const index = INDEX_LINE.exec(line);
  if (index) return parseIndex(line) ?? { kind: "raw", text: line };
  return parseAttribute(line) ?? { kind: "raw", text: line };
}

/** A `->` with no quote or `#` before it (the arrow is not inside a default or a comment). */
export function isForeignKeyLine(text: string): boolean {
  const arrow = text.indexOf("->");
  return arrow >= 0 && !/["'#]/.test(text.slice(0, arrow));
}

function parseForeignKey(line: string): ForeignKeyItem | null {
  const [body, comment] = splitComment(line);
  if (!body.startsWith("->")) return null;
  let rest = body.slice(2).trim();
  let options: string[] = [];
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return null;
    options = rest
      .slice(1, close)
      .split(",")
      .map((option) => option.trim().toLowerCase());
    rest = rest.slice(close + 1).trim();
  }
  if (!options.every((option) => option === "nullable" || option === "unique")) return null;
  const match = REFERENCE.exec(rest);
  if (!rest || !match || !match[1]) return null;
  const renames = match[2] === undefined ? [] : parseRenames(match[2]);
  if (!renames) return null;
  return {
    kind: "foreign_key",
    table: match[1].replace(/\s+/g, ""),
    renames,
    nullable: options.includes("nullable"),
    unique: options.includes("unique"),
    comment,
  };
}

function parseRenames(args: string): Rename[] | null {
  const renames: Rename[] = [];
  for (const part of args.split(",").map((p) => p.trim())) {
    if (!part) continue;
    const match = RENAME.exec(part);
    if (!match) return null;
    renames.push({ name: match[1], from: match[2] ?? match[3] });
  }
  return renames;
}

function parseIndex(line: string): IndexItem | null {
  const [body, comment] = splitComment(line);
  const match = /^(unique\s+)?index\s*\((.*)\)$/i.exec(body);
  if (!match) return null;
  const attributes = match[2]
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  if (!attributes.length || !attributes.every((a) => NAME.test(a))) return null;
  return { kind: "index", unique: Boolean(match[1]), attributes, comment };
}

function parseAttribute(line: string): AttributeItem | null {
  const name = /^[^\s=:#]*/.exec(line)?.[0] ?? "";
  if (!NAME.test(name)) return null;
  let pos = skipSpaces(line, name.length);
  let defaultText: string | null = null;
  if (line[pos] === "=") {
    const colon = findUnquoted(line, ":", pos + 1);
    if (colon < 0) return null;
    defaultText = line.slice(pos + 1, colon).trim() || null;
    pos = colon;
  }
  if (line[pos] !== ":") return null;
  pos = skipSpaces(line, pos + 1);
  let type: string;
  let hash: number;
  if (line[pos] === "<") {
    const close = line.indexOf(">", pos);
    if (close < 0) return null;
    type = line.slice(pos, close + 1);
    hash = skipSpaces(line, close + 1);
    if (hash < line.length && line[hash] !== "#") return null;
  } else if (/[A-Za-z]/.test(line[pos] ?? "")) {
    const found = findUnquoted(line, "#", pos);
    hash = found < 0 ? line.length : found;
    type = line.slice(pos, hash).trim();
  } else {
    return null;
  }
  const comment = line
    .slice(hash + 1)
    .replace(/#+$/, "")
    .trim();
  return { kind: "attribute", name, type, default: defaultText, comment };
}

function skipSpaces(text: string, pos: number): number {
  while (pos < text.length && /\s/.test(text[pos])) pos += 1;
  return pos;
}

/** Index of the first `target` outside quoted strings, from `pos`; -1 when there is none. */
function findUnquoted(text: string, target: string, pos: number): number {
  while (pos < text.length) {
    const char = text[pos];
    if (char === target) return pos;
    if (char === "'" || char === '"') {
      const close = text.indexOf(char, pos + 1);
      pos = close < 0 ? pos + 1 : close + 1;
    } else {
      pos += 1;
    }
  }
  return -1;
}

function splitComment(line: string): [string, string] {
  const hash = findUnquoted(line, "#", 0);
  if (hash < 0) return [line.trim(), ""];
  return [line.slice(0, hash).trim(), line.slice(hash + 1).trim()];
}

// ---- rendering ---------------------------------------------------------------------------------

/** The definition text of a model: comment, primary key, `---`, secondary attributes. */
export function renderDefinition(model: DefinitionModel): string {
  const key = model.items.filter((item) => item.inKey);
  const rest = model.items.filter((item) => !item.inKey);
  const lines: string[] = [];
  // A first comment line is the table comment: keep an empty one when the key opens with a
  // comment line, so that line does not become the table's comment.
  if (model.comment || key[0]?.kind === "comment") lines.push(`# ${model.comment}`.trimEnd());
  lines.push(...key.map(renderItem));
  if (rest.length) lines.push("---", ...rest.map(renderItem));
  return lines.join("\n") + "\n";
}

export function renderItem(item: ItemBody): string {
  switch (item.kind) {
    case "attribute": {
      const head = item.default !== null ? `${item.name} = ${item.default}` : item.name;
      return withComment(`${head} : ${item.type}`, item.comment);
    }
    case "foreign_key": {
      const options = [item.nullable && "nullable", item.unique && "unique"].filter(Boolean);
      const prefix = options.length ? `-> [${options.join(", ")}] ` : "-> ";
      const renames = item.renames.filter((r) => r.name && r.name !== r.from);
      const proj = renames.length
        ? `.proj(${renames.map((r) => `${r.name}='${r.from}'`).join(", ")})`
        : "";
      return withComment(`${prefix}${item.table}${proj}`, item.comment);
    }
    case "index":
      return withComment(
        `${item.unique ? "unique " : ""}index(${item.attributes.join(", ")})`,
        item.comment,
      );
    case "comment":
      return `# ${item.text}`.trimEnd();
    case "raw":
      return item.text;
  }
}

function withComment(text: string, comment: string): string {
  return comment ? `${text}  # ${comment}` : text;
}

// ---- reading the model -------------------------------------------------------------------------

/** Is the attribute nullable (its default is null)? */
export const isNullable = (item: AttributeItem) => item.default?.toLowerCase() === "null";

export function foreignKeys(model: DefinitionModel): (ForeignKeyItem & { inKey: boolean })[] {
  return model.items.filter(
    (item): item is ForeignKeyItem & DefinitionItem => item.kind === "foreign_key",
  );
}

/** A blank attribute for the side panel's "add attribute". */
export function newAttribute(inKey: boolean, name = "", type = "int32"): DefinitionItem {
  return { kind: "attribute", name, type, default: null, comment: "", inKey };
}

/** A model for a new table: one key attribute named after the table (`subject_id`). */
/** Auto-populated tables and parts start without attributes (their key comes from parents), so
 * they start with a table comment: a definition is never empty text. */
export function starterModel(keyName: string, tier: string, comment = ""): DefinitionModel {
  if (tier === "Computed" || tier === "Imported" || tier === "Part") {
    return { comment: comment || `${tier} table`, items: [] };
  }
  const type = tier === "Lookup" ? "varchar(32)" : "int32";
  return { comment, items: [newAttribute(true, keyName, type)] };
}

/** The line of each item in `renderDefinition(model)` (1-based, same order as the items). */
export function renderedLines(model: DefinitionModel): number[] {
  const key = model.items.filter((item) => item.inKey);
  let line = model.comment || key[0]?.kind === "comment" ? 2 : 1;
  const lines = new Map<DefinitionItem, number>();
  for (const item of key) lines.set(item, line++);
  if (model.items.length > key.length) line += 1; // the `---` line
  for (const item of model.items) if (!item.inKey) lines.set(item, line++);
  return model.items.map((item) => lines.get(item) ?? 0);
}

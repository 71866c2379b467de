// The condition builder's state (groups of rows the user clicks together) and the API's JSON
// condition tree (pipelines/services/conditions.py), both ways. Values are typed here: a number
// typed for a numeric attribute is sent as a number, `in` lists are split on commas.

export type Operator =
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "like"
  | "not like"
  | "in"
  | "not in"
  | "is null"
  | "is not null";

export const OPERATORS: Operator[] = [
  "=",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "like",
  "not like",
  "in",
  "not in",
  "is null",
  "is not null",
];
export const LIST_OPERATORS: Operator[] = ["in", "not in"];
export const NO_VALUE_OPERATORS: Operator[] = ["is null", "is not null"];

export type Scalar = string | number | boolean | null;

/** The JSON condition tree the API takes. */
export type Condition =
  | { attribute: string; operator?: string; value?: Scalar | Scalar[] }
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition };

/** One clicked-together comparison; `value` is the text in the box. */
export interface ConditionRow {
  kind: "row";
  id: string;
  attribute: string;
  operator: Operator;
  value: string;
}

/** Rows and groups joined by AND or OR, optionally negated. */
export interface ConditionGroup {
  kind: "group";
  id: string;
  join: "and" | "or";
  negate: boolean;
  items: (ConditionRow | ConditionGroup)[];
}

/** Attribute name -> its type (`int32`, `varchar(16)`, `float64`…), to type the values. */
export type AttributeTypes = Record<string, string>;

export interface RowError {
  id: string;
  message: string;
}

let counter = 0;
export const newId = (prefix = "c") => `${prefix}${++counter}`;

export const emptyRow = (attribute = ""): ConditionRow => ({
  kind: "row",
  id: newId("r"),
  attribute,
  operator: "=",
  value: "",
});

export const emptyGroup = (join: "and" | "or" = "and"): ConditionGroup => ({
  kind: "group",
  id: newId("g"),
  join,
  negate: false,
  items: [],
});

const NUMERIC = /^(u?int(8|16|32|64)?|float(32|64)?|double|real|decimal|numeric|(tiny|small|medium|big)?int|bool)/i;
const EXACT_DECIMAL = /^(decimal|numeric)/i;

/** True for attribute types whose values are numbers (decimals are sent as text, exact). */
export function isNumericType(type: string | undefined): boolean {
  return type !== undefined && NUMERIC.test(type.trim());
}

function typed(text: string, type: string | undefined): Scalar | undefined {
  const trimmed = text.trim();
  if (!isNumericType(type)) return text;
  if (trimmed === "" || !Number.isFinite(Number(trimmed))) return undefined;
  return EXACT_DECIMAL.test(type ?? "") ? trimmed : Number(trimmed);
}

/** Split an `in` list: commas separate values; a value may be "quoted" to hold a comma. */
export function splitList(text: string): string[] {
  const values: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match[0] === "") break;
    const value = match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2].trim();
    values.push(value);
  }
  return values.filter((value, index) => value !== "" || index < values.length - 1);
}

function joinList(values: Scalar[]): string {
  return values
    .map((value) => {
      const text = value === null ? "" : String(value);
      return /[,"]/.test(text) || text !== text.trim() ? `"${text.replace(/(["\\])/g, "\\$1")}"` : text;
    })
    .join(", ");
}

function isEmptyRow(row: ConditionRow): boolean {
  return row.attribute === "" && row.value.trim() === "";
}

function rowCondition(
  row: ConditionRow,
  types: AttributeTypes,
  errors: RowError[],
): Condition | null {
  if (isEmptyRow(row)) return null;
  const fail = (message: string) => {
    errors.push({ id: row.id, message });
    return null;
  };
  if (!row.attribute) return fail("Choose an attribute.");
  if (!(row.attribute in types)) return fail(`No attribute ${row.attribute} here.`);
  const type = types[row.attribute];
  if (NO_VALUE_OPERATORS.includes(row.operator)) {
    return { attribute: row.attribute, operator: row.operator };
  }
  if (LIST_OPERATORS.includes(row.operator)) {
    const items = splitList(row.value);
    if (items.length === 0) return fail("Type one or more values, separated by commas.");
    const values: Scalar[] = [];
    for (const item of items) {
      const value = typed(item, type);
      if (value === undefined) return fail(`${item || "(empty)"} is not a number.`);
      values.push(value);
    }
    return { attribute: row.attribute, operator: row.operator, value: values };
  }
  if (row.value.trim() === "") return fail("Type a value.");
  const value = typed(row.value, type);
  if (value === undefined) return fail(`${row.value} is not a number.`);
  return { attribute: row.attribute, operator: row.operator, value };
}

function groupCondition(
  group: ConditionGroup,
  types: AttributeTypes,
  errors: RowError[],
): Condition | null {
  const parts: Condition[] = [];
  for (const item of group.items) {
    const part =
      item.kind === "row"
        ? rowCondition(item, types, errors)
        : groupCondition(item, types, errors);
    if (part) parts.push(part);
  }
  if (parts.length === 0) return null;
  const joined: Condition =
    parts.length === 1 ? parts[0] : group.join === "and" ? { and: parts } : { or: parts };
  return group.negate ? { not: joined } : joined;
}

/** The JSON condition of the builder's state (null: no condition), and what is incomplete. */
export function toCondition(
  group: ConditionGroup,
  types: AttributeTypes,
): { condition: Condition | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const condition = groupCondition(group, types, errors);
  return { condition: errors.length ? null : condition, errors };
}

function rowOf(tree: { attribute: string; operator?: string; value?: Scalar | Scalar[] }): ConditionRow {
  const operator = (tree.operator ?? "=").toLowerCase() as Operator;
  if (!OPERATORS.includes(operator)) throw new Error(`The builder has no operator ${operator}.`);
  const value = tree.value;
  const text = Array.isArray(value) ? joinList(value) : value === undefined || value === null ? "" : String(value);
  return { kind: "row", id: newId("r"), attribute: tree.attribute, operator, value: text };
}

/** The builder's state for a JSON condition (the reverse of toCondition). */
export function fromCondition(tree: Condition | null | undefined): ConditionGroup {
  const top = emptyGroup();
  if (!tree || Object.keys(tree).length === 0) return top;
  const node = nodeOf(tree);
  return node.kind === "group" ? node : { ...top, items: [node] };
}

function nodeOf(tree: Condition): ConditionRow | ConditionGroup {
  if ("attribute" in tree) return rowOf(tree);
  if ("not" in tree) {
    const inner = nodeOf(tree.not);
    if (inner.kind === "group" && !inner.negate) return { ...inner, negate: true };
    return { ...emptyGroup(), negate: true, items: [inner] };
  }
  const join = "and" in tree ? "and" : "or";
  const items = "and" in tree ? tree.and : tree.or;
  return { ...emptyGroup(join), items: items.map(nodeOf) };
}

/** The group with `id` changed by `change` (anywhere in the tree). */
export function updateNode(
  group: ConditionGroup,
  id: string,
  change: (node: ConditionRow | ConditionGroup) => ConditionRow | ConditionGroup | null,
): ConditionGroup {
  if (group.id === id) {
    const changed = change(group);
    return changed && changed.kind === "group" ? changed : group;
  }
  const items: (ConditionRow | ConditionGroup)[] = [];
  for (const item of group.items) {
    if (item.id === id) {
      const changed = change(item);
      if (changed) items.push(changed);
    } else {
      items.push(item.kind === "group" ? updateNode(item, id, change) : item);
    }
  }
  return { ...group, items };
}

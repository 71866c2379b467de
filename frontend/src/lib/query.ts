// The browse page's choices (a table, joins, a filter, columns, an aggregate, an order) as the
// API's query spec (pipelines/services/query_spec.py): POST /query/ runs it, /query/code/ shows it.
import type { Condition } from "./conditions";

export interface TableRef {
  schema: string;
  name: string;
}

export const AGGREGATE_FUNCTIONS = ["count", "sum", "avg", "min", "max"] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

export interface Computation {
  name: string;
  function: AggregateFunction;
  /** An attribute, or "*" with count. */
  attribute: string;
}

export interface BrowseState {
  table: TableRef;
  joins: TableRef[];
  where: Condition | null;
  /** Secondary attributes left out of the result. */
  hidden: string[];
  /** attribute -> the name it is shown under. */
  renames: Record<string, string>;
  /** Group by these (with computations: one row per group). */
  groupBy: string[];
  computations: Computation[];
  orderBy: { attribute: string; descending: boolean } | null;
}

export interface QuerySpec {
  table: TableRef;
  join?: { table: TableRef }[];
  where?: Condition;
  aggregate?: {
    group_by: string[];
    compute: { name: string; function: string; attribute: string }[];
  };
  project?: { keep?: string[] | "all"; exclude?: string[]; rename?: Record<string, string> };
  order_by?: string[];
  limit: number;
  offset: number;
}

export const NEW_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export const emptyState = (table: TableRef): BrowseState => ({
  table,
  joins: [],
  where: null,
  hidden: [],
  renames: {},
  groupBy: [],
  computations: [],
  orderBy: null,
});

export const aggregating = (state: BrowseState) =>
  state.groupBy.length > 0 || state.computations.length > 0;

/** The renames that change a name (blank or unchanged ones are dropped), of shown columns. */
function activeRenames(state: BrowseState, shown: string[]): [string, string][] {
  return Object.entries(state.renames)
    .map(([old, name]) => [old, name.trim()] as [string, string])
    .filter(([old, name]) => name !== "" && name !== old && shown.includes(old));
}

/** The result's column names, in order, for attributes `attributes` of the joined tables. */
export function outputColumns(state: BrowseState, attributes: string[]): string[] {
  const shown = aggregating(state)
    ? [...state.groupBy, ...state.computations.map((c) => c.name)]
    : attributes.filter((a) => !state.hidden.includes(a));
  const renames = new Map(activeRenames(state, shown));
  return shown.map((name) => renames.get(name) ?? name);
}

/** What is wrong with the choices (new names, computations), before anything is sent. */
export function stateErrors(state: BrowseState, attributes: string[]): string[] {
  const errors: string[] = [];
  const shown = aggregating(state)
    ? [...state.groupBy, ...state.computations.map((c) => c.name)]
    : attributes.filter((a) => !state.hidden.includes(a));
  for (const [old, name] of activeRenames(state, shown)) {
    if (!NEW_NAME.test(name)) {
      errors.push(`${old}: a new name is lowercase letters, digits and _, first a letter.`);
    }
  }
  for (const computation of state.computations) {
    if (!NEW_NAME.test(computation.name)) {
      errors.push(`${computation.name || "(unnamed)"}: name the computed column (lowercase).`);
    }
    if (!computation.attribute) errors.push(`${computation.name}: choose an attribute.`);
    if (computation.attribute === "*" && computation.function !== "count") {
      errors.push(`${computation.name}: "*" goes with count only.`);
    }
  }
  const columns = outputColumns(state, attributes);
  if (new Set(columns).size !== columns.length) errors.push("Two columns have the same name.");
  return errors;
}

/** The spec of the choices, for one page of rows. */
export function querySpec(
  state: BrowseState,
  attributes: string[],
  page: { limit: number; offset: number },
): QuerySpec {
  const spec: QuerySpec = { table: state.table, limit: page.limit, offset: page.offset };
  if (state.joins.length) spec.join = state.joins.map((table) => ({ table }));
  if (state.where) spec.where = state.where;
  let shown = attributes;
  if (aggregating(state)) {
    spec.aggregate = {
      group_by: state.groupBy,
      compute: state.computations.map((c) => ({
        name: c.name,
        function: c.function,
        attribute: c.attribute,
      })),
    };
    shown = [...state.groupBy, ...state.computations.map((c) => c.name)];
  } else if (state.hidden.length) {
    spec.project = { keep: "all", exclude: state.hidden };
    shown = attributes.filter((a) => !state.hidden.includes(a));
  }
  const renames = activeRenames(state, shown);
  if (renames.length) {
    spec.project = {
      ...(spec.project ?? { keep: "all" }),
      rename: Object.fromEntries(renames.map(([old, name]) => [name, old])),
    };
  }
  if (state.orderBy) {
    const renamed = new Map(renames).get(state.orderBy.attribute) ?? state.orderBy.attribute;
    spec.order_by = [`${state.orderBy.descending ? "-" : ""}${renamed}`];
  }
  return spec;
}

// Browse & query: pick a table, join its parents or children, filter by clicking, choose and
// rename columns or aggregate, order, and page through the rows; export them as CSV or see the
// Python that runs the same query.
import { useMemo, useState } from "react";
import type { TableInfo } from "../../api/tables";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import { useTables } from "../../components/useTables";
import { ShowCode } from "../../components/ShowCode";
import {
  type ConditionGroup,
  emptyGroup,
  type RowError,
  toCondition,
} from "../../lib/conditions";
import {
  aggregating,
  type BrowseState,
  emptyState,
  outputColumns,
  querySpec,
  type QuerySpec,
  stateErrors,
  type TableRef,
} from "../../lib/query";
import { AggregatePanel } from "./AggregatePanel";
import {
  downloadCsv,
  type QueryResult,
  relatedTables,
  runQuery,
  sameTable,
  tableLabel,
} from "./api";
import { ColumnsPanel } from "./ColumnsPanel";
import { ConditionBuilder } from "./ConditionBuilder";
import { ResultsTable } from "./ResultsTable";
import { TablePicker } from "./TablePicker";
import "./browse.css";

const PAGE_SIZES = [25, 50, 100, 500];
const EXPORT_LIMIT = 100_000;

/** The attributes of the joined tables (each name once) and their types. */
export function joinedHeading(tables: TableInfo[], chosen: TableRef[]) {
  const names: string[] = [];
  const types: Record<string, string> = {};
  const key: string[] = [];
  chosen.forEach((ref) => {
    const table = tables.find((t) => sameTable(t, ref));
    if (!table) return;
    for (const attribute of table.attributes) {
      if (attribute.name in types) continue;
      names.push(attribute.name);
      types[attribute.name] = attribute.type;
      if (attribute.in_key) key.push(attribute.name);
    }
  });
  return { names, types, key };
}

export default function BrowsePage() {
  const { slug } = usePipeline();
  const { tables, diagram, error: loadError } = useTables(slug, true);
  const [state, setState] = useState<BrowseState | null>(null);
  const [filter, setFilter] = useState<ConditionGroup>(emptyGroup());
  const [rowErrors, setRowErrors] = useState<RowError[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [limit, setLimit] = useState(50);
  const [ran, setRan] = useState<{ spec: QuerySpec; result: QueryResult } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const chosen = useMemo(() => (state ? [state.table, ...state.joins] : []), [state]);
  const heading = useMemo(() => joinedHeading(tables ?? [], chosen), [tables, chosen]);
  const related = useMemo(
    () => (diagram && chosen.length ? relatedTables(chosen, diagram.nodes, diagram.edges) : []),
    [diagram, chosen],
  );

  const patch = (change: Partial<BrowseState>) => setState((s) => (s ? { ...s, ...change } : s));

  const pickTable = (table: TableRef) => {
    setState(emptyState(table));
    setFilter(emptyGroup());
    setRowErrors([]);
    setProblems([]);
    setRan(null);
    void run(emptyState(table), emptyGroup(), 0);
  };

  async function run(current: BrowseState, group: ConditionGroup, offset: number, pageSize = limit) {
    const { condition, errors } = toCondition(group, headingOf(current).types);
    setRowErrors(errors);
    const complete = { ...current, where: condition };
    const names = headingOf(current).names;
    const issues = [
      ...(errors.length ? ["Complete or remove the highlighted conditions."] : []),
      ...stateErrors(complete, names),
    ];
    setProblems(issues);
    if (issues.length) return;
    const spec = querySpec(complete, names, { limit: pageSize, offset });
    setBusy(true);
    setError(null);
    try {
      setRan({ spec, result: await runQuery(slug, spec) });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  function headingOf(current: BrowseState) {
    return joinedHeading(tables ?? [], [current.table, ...current.joins]);
  }

  const page = ran ? { offset: ran.spec.offset, count: ran.result.count, shown: ran.result.rows.length } : null;
  const columns = state ? outputColumns(state, heading.names) : [];

  return (
    <section className="browse">
      <h2 className="visually-hidden">Browse &amp; query</h2>
      <ErrorMessage error={loadError} />
      <div className="browse-layout">
        <form
          className="browse-controls stack"
          aria-label="Query"
          onSubmit={(event) => {
            event.preventDefault();
            if (state) void run(state, filter, 0);
          }}
        >
          {tables && <TablePicker tables={tables} value={state?.table ?? null} onChange={pickTable} />}
          {state && (
            <>
              <details open className="browse-section">
                <summary>Join</summary>
                {state.joins.map((join) => (
                  <div className="row" key={tableLabel(join)}>
                    <span>{tableLabel(join)}</span>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Remove join ${join.name}`}
                      onClick={() => patch({ joins: state.joins.filter((j) => !sameTable(j, join)) })}
                    >
                      ✕
                    </button>
                  </div>
                ))}
                {related.length > 0 ? (
                  <div className="row">
                    {related.map(({ table, relation }) => (
                      <button
                        type="button"
                        key={tableLabel(table)}
                        title={`${relation} of the tables above`}
                        onClick={() => patch({ joins: [...state.joins, table] })}
                      >
                        Join {table.name} <span className="muted">({relation})</span>
                      </button>
                    ))}
                  </div>
                ) : (
                  <p className="muted">No related tables left to join.</p>
                )}
              </details>
              <details open className="browse-section">
                <summary>Filter</summary>
                <ConditionBuilder
                  group={filter}
                  attributes={heading.names}
                  errors={rowErrors}
                  onChange={setFilter}
                />
              </details>
              <details className="browse-section">
                <summary>Columns</summary>
                {aggregating(state) ? (
                  <p className="muted">Aggregating: the result has the groups and computed columns.</p>
                ) : (
                  <ColumnsPanel
                    attributes={heading.names}
                    primaryKey={heading.key}
                    state={state}
                    onChange={patch}
                  />
                )}
              </details>
              <details className="browse-section">
                <summary>Aggregate</summary>
                <AggregatePanel attributes={heading.names} state={state} onChange={patch} />
              </details>
              <div className="row">
                <label className="inline">
                  Order by
                  <select
                    value={state.orderBy?.attribute ?? ""}
                    onChange={(event) =>
                      patch({
                        orderBy: event.target.value
                          ? { attribute: event.target.value, descending: state.orderBy?.descending ?? false }
                          : null,
                      })
                    }
                  >
                    <option value="">(primary key)</option>
                    {(aggregating(state) ? [...state.groupBy, ...state.computations.map((c) => c.name)] : heading.names)
                      .filter((name) => !state.hidden.includes(name) || aggregating(state))
                      .map((name) => (
                        <option key={name}>{name}</option>
                      ))}
                  </select>
                </label>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={state.orderBy?.descending ?? false}
                    disabled={!state.orderBy}
                    onChange={(event) =>
                      state.orderBy && patch({ orderBy: { ...state.orderBy, descending: event.target.checked } })
                    }
                  />
                  descending
                </label>
              </div>
              {problems.length > 0 && (
                <div className="error" role="alert">
                  {problems.map((p) => (
                    <div key={p}>{p}</div>
                  ))}
                </div>
              )}
              <div className="row">
                <button type="submit" className="primary" disabled={busy}>
                  Run query
                </button>
              </div>
            </>
          )}
        </form>
        <div className="browse-output">
          <ErrorMessage error={error} />
          {!state && <p className="muted">Choose a table to see its rows.</p>}
          {ran && page && (
            <>
              <div className="row browse-bar">
                <span aria-live="polite">
                  {page.count === 0
                    ? "No rows"
                    : `Rows ${page.offset + 1}–${page.offset + page.shown} of ${page.count}`}
                </span>
                <button
                  type="button"
                  disabled={busy || page.offset === 0}
                  onClick={() => state && void run(state, filter, Math.max(0, page.offset - limit))}
                >
                  Previous
                </button>
                <button
                  type="button"
                  disabled={busy || page.offset + page.shown >= page.count}
                  onClick={() => state && void run(state, filter, page.offset + limit)}
                >
                  Next
                </button>
                <label className="inline">
                  Rows per page
                  <select
                    value={limit}
                    onChange={(event) => {
                      const size = Number(event.target.value);
                      setLimit(size);
                      if (state) void run(state, filter, 0, size);
                    }}
                  >
                    {PAGE_SIZES.map((size) => (
                      <option key={size}>{size}</option>
                    ))}
                  </select>
                </label>
                <span className="spacer" />
                <button
                  type="button"
                  onClick={() =>
                    void downloadCsv(
                      slug,
                      { ...ran.spec, limit: EXPORT_LIMIT, offset: 0 },
                      `${ran.spec.table.name}.csv`,
                    ).catch(setError)
                  }
                >
                  Export CSV
                </button>
                <ShowCode code={ran.result.code} />
              </div>
              {columns.length > 0 && <ResultsTable result={ran.result} />}
            </>
          )}
        </div>
      </div>
    </section>
  );
}

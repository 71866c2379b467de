// Visualize: a numeric column as a histogram, two as a scatter or line plot (one series per
// group), or one row's array as lines or a heat map. The server bins and down-samples; every
// plot has the Python that draws it.
import { useEffect, useMemo, useState } from "react";
import { type Plot, type PlotKind, type PlotRequest, fetchPlot } from "../../api/plots";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import { useTables } from "../../components/useTables";
import { ShowCode } from "../../components/ShowCode";
import { type ConditionGroup, emptyGroup, isNumericType, type RowError, toCondition } from "../../lib/conditions";
import type { TableRef } from "../../lib/query";
import { runQuery, sameTable } from "../browse/api";
import { ConditionBuilder } from "../browse/ConditionBuilder";
import { TablePicker } from "../browse/TablePicker";
import { blobLinesChart, histogramChart, pointsChart } from "./charts";
import { HeatMap } from "./HeatMap";
import { UPlotChart } from "./UPlotChart";
import "../browse/browse.css";
import "./visualize.css";

const KINDS: { kind: PlotKind; label: string }[] = [
  { kind: "histogram", label: "Histogram" },
  { kind: "scatter", label: "Scatter" },
  { kind: "line", label: "Line" },
  { kind: "blob", label: "Array of one row" },
];

const isBlob = (type: string) => type.startsWith("<blob");
const keyText = (key: Record<string, unknown>) =>
  Object.entries(key)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");

function Select({
  label,
  value,
  options,
  onChange,
  empty,
}: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
  empty?: string;
}) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(event) => onChange(event.target.value)}>
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map((name) => (
          <option key={name}>{name}</option>
        ))}
      </select>
    </label>
  );
}

export default function VisualizePage() {
  const { slug } = usePipeline();
  const { tables, error: loadError } = useTables(slug);
  const [table, setTable] = useState<TableRef | null>(null);
  const [kind, setKind] = useState<PlotKind>("histogram");
  const [x, setX] = useState("");
  const [y, setY] = useState("");
  const [groupBy, setGroupBy] = useState("");
  const [bins, setBins] = useState(30);
  const [attribute, setAttribute] = useState("");
  const [view, setView] = useState<"" | "line" | "image">("");
  const [keys, setKeys] = useState<Record<string, unknown>[]>([]);
  const [keyIndex, setKeyIndex] = useState(0);
  const [filter, setFilter] = useState<ConditionGroup>(emptyGroup());
  const [rowErrors, setRowErrors] = useState<RowError[]>([]);
  const [plot, setPlot] = useState<Plot | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const info = useMemo(
    () => (table && tables ? tables.find((t) => sameTable(t, table)) ?? null : null),
    [table, tables],
  );
  const attributes = useMemo(() => info?.attributes ?? [], [info]);
  const numeric = attributes.filter((a) => isNumericType(a.type)).map((a) => a.name);
  const blobs = attributes.filter((a) => isBlob(a.type)).map((a) => a.name);
  const groupable = attributes.filter((a) => !isBlob(a.type) && a.type !== "json").map((a) => a.name);
  const types = useMemo(
    () => Object.fromEntries(attributes.map((a) => [a.name, a.type])),
    [attributes],
  );

  const pickTable = (ref: TableRef) => {
    const found = tables?.find((t) => sameTable(t, ref));
    const names = found?.attributes ?? [];
    const firstNumeric = names.filter((a) => isNumericType(a.type)).map((a) => a.name);
    const firstBlob = names.find((a) => isBlob(a.type))?.name ?? "";
    setTable(ref);
    setX(firstNumeric.find((n) => !found?.primary_key.includes(n)) ?? firstNumeric[0] ?? "");
    setY(firstNumeric[1] ?? "");
    setGroupBy("");
    setAttribute(firstBlob);
    setKind(firstBlob ? "blob" : "histogram");
    setFilter(emptyGroup());
    setPlot(null);
    setError(null);
  };

  // The rows one may pick an array from: their keys, in key order.
  useEffect(() => {
    if (!table || kind !== "blob") return;
    let live = true;
    runQuery(slug, { table, project: { keep: [] }, limit: 500, offset: 0 }).then(
      (result) => {
        if (!live) return;
        setKeys(result.rows);
        setKeyIndex(0);
      },
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [slug, table, kind]);

  const request = (): PlotRequest | null => {
    if (!table) return null;
    if (kind === "blob") {
      const key = keys[keyIndex];
      if (!key) return null;
      return { table, kind, key, attribute, ...(view ? { view } : {}) };
    }
    const { condition, errors } = toCondition(filter, types);
    setRowErrors(errors);
    if (errors.length) return null;
    const where = condition ? { where: condition } : {};
    if (kind === "histogram") return { table, kind, x, bins, ...where };
    return { table, kind, x, y, ...(groupBy ? { group_by: groupBy } : {}), ...where };
  };

  const draw = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = request();
    if (!body) return;
    setBusy(true);
    setError(null);
    try {
      setPlot(await fetchPlot(slug, body));
    } catch (failure) {
      setPlot(null);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="visualize">
      <ErrorMessage error={loadError} />
      <div className="browse-layout">
        <form className="browse-controls stack" aria-label="Plot" onSubmit={(event) => void draw(event)}>
          {tables && <TablePicker tables={tables} value={table} onChange={pickTable} />}
          {table && (
            <>
              <fieldset className="plot-kinds">
                <legend>Plot</legend>
                {KINDS.map((k) => (
                  <label key={k.kind} className="inline">
                    <input
                      type="radio"
                      name="kind"
                      checked={kind === k.kind}
                      disabled={k.kind === "blob" ? blobs.length === 0 : numeric.length === 0}
                      onChange={() => {
                        setKind(k.kind);
                        setPlot(null);
                      }}
                    />
                    {k.label}
                  </label>
                ))}
              </fieldset>
              {kind === "histogram" && (
                <>
                  <Select label="Column" value={x} options={numeric} onChange={setX} />
                  <label>
                    Bins
                    <input
                      aria-label="Bins"
                      type="number"
                      min={1}
                      max={500}
                      value={bins}
                      onChange={(event) => setBins(Number(event.target.value))}
                    />
                  </label>
                </>
              )}
              {(kind === "scatter" || kind === "line") && (
                <>
                  <Select label="X" value={x} options={numeric} onChange={setX} />
                  <Select label="Y" value={y} options={numeric} onChange={setY} empty="choose…" />
                  <Select
                    label="Group by"
                    value={groupBy}
                    options={groupable}
                    onChange={setGroupBy}
                    empty="(no groups)"
                  />
                </>
              )}
              {kind === "blob" && (
                <>
                  <Select label="Array" value={attribute} options={blobs} onChange={setAttribute} />
                  <label>
                    Row
                    <select aria-label="Row" value={keyIndex} onChange={(event) => setKeyIndex(Number(event.target.value))}>
                      {keys.map((key, index) => (
                        <option key={index} value={index}>
                          {keyText(key)}
                        </option>
                      ))}
                    </select>
                  </label>
                  {keys.length === 0 && <p className="muted">The table has no rows yet.</p>}
                  <label>
                    Show as
                    <select aria-label="Show as" value={view} onChange={(event) => setView(event.target.value as "" | "line" | "image")}>
                      <option value="">automatic (1-D: line, 2-D: heat map)</option>
                      <option value="line">lines (one per row of the array)</option>
                      <option value="image">heat map</option>
                    </select>
                  </label>
                </>
              )}
              {kind !== "blob" && (
                <details className="browse-section">
                  <summary>Filter</summary>
                  <ConditionBuilder
                    group={filter}
                    attributes={attributes.map((a) => a.name)}
                    errors={rowErrors}
                    onChange={setFilter}
                  />
                </details>
              )}
              <div className="row">
                <button type="submit" className="primary" disabled={busy}>
                  Draw
                </button>
              </div>
            </>
          )}
        </form>
        <div className="browse-output">
          <ErrorMessage error={error} />
          {!table && <p className="muted">Choose a table, then what to plot.</p>}
          {plot && table && <PlotView plot={plot} table={table} />}
        </div>
      </div>
    </section>
  );
}

function PlotView({ plot, table }: { plot: Plot; table: TableRef }) {
  const chart = useMemo(() => {
    if (plot.kind === "histogram") return histogramChart(plot);
    if (plot.kind === "blob") return plot.view === "line" ? blobLinesChart(plot) : null;
    return pointsChart(plot);
  }, [plot]);
  const title =
    plot.kind === "histogram"
      ? `${table.name}.${plot.x}`
      : plot.kind === "blob"
        ? `${table.name}.${plot.attribute} (${Object.values(plot.key).join(", ")})`
        : `${table.name}: ${plot.y} against ${plot.x}`;
  const number = (value: number | null) => (value === null ? "–" : Number(value.toPrecision(6)).toString());
  return (
    <div className="stack">
      <div className="row plot-facts" aria-label="Summary">
        {plot.kind === "histogram" && (
          <>
            <span>{plot.rows} rows</span>
            {plot.missing > 0 && <span>{plot.missing} without a value</span>}
            <span>min {number(plot.summary.min)}</span>
            <span>max {number(plot.summary.max)}</span>
            <span>mean {number(plot.summary.mean)}</span>
          </>
        )}
        {(plot.kind === "scatter" || plot.kind === "line") && (
          <span>
            {plot.rows} rows{plot.shown < plot.rows ? `, ${plot.shown} points shown` : ""}
          </span>
        )}
        {plot.kind === "blob" && (
          <>
            <span>shape ({plot.shape.join(", ")})</span>
            <span>dtype {plot.dtype}</span>
            <span>min {number(plot.summary.min)}</span>
            <span>max {number(plot.summary.max)}</span>
            <span>mean {number(plot.summary.mean)}</span>
          </>
        )}
        <span className="spacer" />
        <ShowCode code={plot.code} />
      </div>
      {chart && <UPlotChart chart={chart} title={title} />}
      {plot.kind === "blob" && plot.view === "image" && <HeatMap plot={plot} title={title} />}
    </div>
  );
}

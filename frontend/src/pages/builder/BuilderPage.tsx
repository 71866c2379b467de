// The Builder (/p/:slug/builder): the pipeline's tables on a canvas, edited by clicking and
// dragging or as definition text; every edit saved as a draft and validated by the API; review
// the plan and apply it; revision history; the pipeline as Python code.
import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { atLeast } from "../../api/session";
import { layoutDiagram } from "../../components/diagram/layout";
import { ErrorMessage } from "../../components/ErrorMessage";
import { usePipeline } from "../../components/pipeline";
import { buildGraph } from "../../lib/definitionGraph";
import { AddTableForm, type NewTable } from "./AddTableForm";
import "./builder.css";
import { Canvas } from "./Canvas";
import { CodeDialog } from "./CodeDialog";
import { HistoryDialog } from "./HistoryDialog";
import { ReviewDialog } from "./ReviewDialog";
import { TablePanel } from "./TablePanel";
import {
  addForeignKey,
  addTable,
  idOf,
  nameProblem,
  removeTable,
  renameTable,

  updateTable,
  type BuilderTable,
} from "./tables";
import { useBuilder } from "./useBuilder";

type Dialog = "review" | "history" | "code" | null;

export default function BuilderPage() {
  const pipeline = usePipeline();
  const canEdit = atLeast(pipeline.role, "maintainer");
  const builder = useBuilder(pipeline.slug, canEdit);
  const { tables, commit, undo, redo, flush, validate, api } = builder;
  const [selected, setSelected] = useState<string | null>(null);
  const [focusItem, setFocusItem] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [fitSignal, setFitSignal] = useState(0);
  const [compactChoice, setCompact] = useState<boolean | null>(null);
  const [layoutMs, setLayoutMs] = useState<{ count: number; ms: number } | null>(null);
  const layoutStart = useRef<number | null>(null);
  const laidOutOnLoad = useRef(false);

  const list = useMemo(() => tables ?? [], [tables]);
  const graph = useMemo(() => buildGraph(list), [list]);
  const compact = compactChoice ?? list.length > 80;

  const autoLayout = useCallback(
    async (quiet: boolean) => {
      const start = performance.now();
      const { positions } = await layoutDiagram(graph.tables, graph.edges, compact);
      const next = list.map((t) => {
        const p = positions[idOf(t)];
        return p ? { ...t, x: Math.round(p.x), y: Math.round(p.y) } : t;
      });
      layoutStart.current = start;
      if (quiet) builder.placeQuietly(next);
      else commit(next);
      setFitSignal((n) => n + 1);
    },
    [graph, compact, list, builder, commit],
  );

  // A pipeline whose tables were never placed (imported, restored) is laid out once on load.
  useEffect(() => {
    if (!tables || laidOutOnLoad.current) return;
    laidOutOnLoad.current = true;
    if (tables.length > 1 && tables.every((t) => t.x === 0 && t.y === 0)) void autoLayout(true);
  }, [tables, autoLayout]);

  // How long a layout took to reach the screen (shown, and read by the browser tests).
  const onRendered = useCallback(() => {
    const start = layoutStart.current;
    if (start === null) return;
    layoutStart.current = null;
    setLayoutMs((last) => ({ count: (last?.count ?? 0) + 1, ms: Math.round(performance.now() - start) }));
  }, []);

  useEffect(() => {
    if (!canEdit) return;
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (!(event.ctrlKey || event.metaKey)) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) undo();
      else if ((key === "z" && event.shiftKey) || key === "y") redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [canEdit, undo, redo]);

  const prepareReview = useCallback(async () => {
    await flush();
    return validate();
  }, [flush, validate]);
  const loadCode = useCallback(async () => {
    await flush();
    return api.code();
  }, [flush, api]);

  if (builder.loadError) return <ErrorMessage error={builder.loadError} />;
  if (!tables) return <p className="muted">Loading the definitions…</p>;

  const table = list.find((t) => t.key === selected) ?? null;
  const add = (fields: NewTable) => {
    const result = addTable(list, fields);
    commit(result.tables);
    setSelected(result.table.key);
    setFocusItem(null);
    setAdding(false);
    setFitSignal((n) => n + 1);
  };
  const connect = (parentKey: string, childKey: string) => {
    const result = addForeignKey(list, parentKey, childKey);
    if (!result) return;
    commit(result.tables);
    setSelected(childKey);
    setFocusItem(result.index);
  };
  const rename = (current: BuilderTable, name: string) => {
    const className = current.master ? `${current.master}.${name}` : name;
    const problem = nameProblem(list, current.schema, className);
    if (problem) {
      setNotice(problem);
      return;
    }
    setNotice(null);
    commit(renameTable(list, current.key, name));
  };
  const status = builder.saving
    ? "Saving…"
    : builder.validating
      ? "Checking…"
      : builder.validation
        ? builder.validation.errors.length
          ? `${builder.validation.errors.length} error${builder.validation.errors.length > 1 ? "s" : ""}`
          : "Valid"
        : "";

  return (
    <ReactFlowProvider>
      <div className="builder">
        <div className="builder-toolbar" role="toolbar" aria-label="Builder">
          {canEdit && (
            <button type="button" className="primary" onClick={() => setAdding(true)} disabled={adding}>
              Add table
            </button>
          )}
          {canEdit && (
            <>
              <button type="button" onClick={undo} disabled={!builder.history.canUndo} title="Ctrl+Z">
                Undo
              </button>
              <button type="button" onClick={redo} disabled={!builder.history.canRedo} title="Ctrl+Shift+Z">
                Redo
              </button>
            </>
          )}
          <button type="button" onClick={() => void autoLayout(!canEdit)} disabled={!list.length}>
            Auto-layout
          </button>
          <label className="inline">
            <input type="checkbox" checked={compact} onChange={(e) => setCompact(e.target.checked)} />
            Compact
          </label>
          <span className="spacer" />
          <span className={`builder-status${builder.validation?.errors.length ? " bad" : ""}`} role="status">
            {status}
          </span>
          {canEdit && (
            <button type="button" onClick={() => setDialog("review")} disabled={!list.length}>
              Review
            </button>
          )}
          <button type="button" onClick={() => setDialog("history")}>
            History
          </button>
          <button type="button" onClick={() => setDialog("code")}>
            Show the code
          </button>
        </div>
        {adding && (
          <AddTableForm schemas={pipeline.schemas} tables={list} onAdd={add} onCancel={() => setAdding(false)} />
        )}
        {!canEdit && (
          <p className="muted read-only">
            Read only: maintainers and owners edit this pipeline&apos;s tables.
          </p>
        )}
        {!pipeline.schemas.length && canEdit && (
          <p className="error">This pipeline has no schema in the data database yet: add one in its settings.</p>
        )}
        {notice && (
          <div className="error" role="alert">
            {notice}
          </div>
        )}
        <ErrorMessage error={builder.saveError} />
        <div className="builder-main">
          <div className="builder-canvas" data-tables={list.length} data-layout-ms={layoutMs?.ms}
            data-layouts={layoutMs?.count ?? 0}>
            {list.length === 0 && (
              <p className="empty muted">No tables yet{canEdit ? ": add the first one." : "."}</p>
            )}
            <Canvas
              tables={list}
              graph={graph}
              errors={builder.errors}
              selectedKey={selected}
              canEdit={canEdit}
              compact={compact}
              fitSignal={fitSignal}
              onSelect={(key) => {
                setSelected(key);
                setFocusItem(null);
              }}
              onConnect={connect}
              onRendered={onRendered}
              onMove={(moved) =>
                commit(list.map((t) => (moved[t.key] ? { ...t, ...moved[t.key] } : t)))
              }
            />
          </div>
          {table && (
            <TablePanel
              key={table.key}
              table={table}
              graph={graph}
              errors={builder.errors.get(idOf(table)) ?? []}
              status={builder.statuses[table.key]}
              readOnly={!canEdit}
              focusItem={focusItem}
              onDefinition={(text, tag) => commit(updateTable(list, table.key, { definition: text }), { coalesce: tag })}
              onRename={(name) => rename(table, name)}
              onTier={(tier) => commit(updateTable(list, table.key, { tier }))}
              onDelete={() => {
                commit(removeTable(list, table.key));
                setSelected(null);
              }}
            />
          )}
        </div>
        {dialog === "review" && (
          <ReviewDialog
            api={api}
            prepare={prepareReview}
            onApplied={() => void builder.load()}
            onClose={() => setDialog(null)}
          />
        )}
        {dialog === "history" && (
          <HistoryDialog
            api={api}
            tables={list}
            canEdit={canEdit}
            onRestored={() => {
              laidOutOnLoad.current = false;
              void builder.load();
            }}
            onClose={() => setDialog(null)}
          />
        )}
        {dialog === "code" && <CodeDialog load={loadCode} onClose={() => setDialog(null)} />}
      </div>
    </ReactFlowProvider>
  );
}


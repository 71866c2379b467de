// The pipeline's dashboard (its default page): the diagram with each table's live state, the
// selected table's details (start a run, its errors), the runs with live progress, the workers.
// Everything stays current over the pipeline's event socket; viewers watch, operators act.
import "./dashboard.css";
import { useCallback, useEffect } from "react";
import { useSearchParams } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { preloadLayoutEngine } from "../../components/diagram/layout";
import { hasLayouts } from "../../components/diagram/layoutCache";
import { usePipeline } from "../../components/pipeline";
import { atLeast } from "../../api/session";
import type { Run } from "./api";
import { DashboardDiagram } from "./DashboardDiagram";
import { LiveBadge } from "./LiveBadge";
import { RunsPanel } from "./RunsPanel";
import { StatusTable } from "./StatusTable";
import { TableDetails } from "./TableDetails";
import { useDashboard } from "./useDashboard";
import { WorkersPanel } from "./WorkersPanel";

export default function DashboardPage() {
  const pipeline = usePipeline();
  // elk downloads while the diagram's data loads, unless this pipeline's layout is remembered.
  useEffect(() => {
    if (!hasLayouts(`dashboard:${pipeline.slug}`)) preloadLayoutEngine();
  }, [pipeline.slug]);
  const board = useDashboard(pipeline.slug);
  const canOperate = atLeast(pipeline.role, "operator");
  // The selected table lives in the URL (?table=schema.Class): a reload or a link keeps it.
  const [params, setParams] = useSearchParams();
  const selected = params.get("table");
  const setSelected = useCallback(
    (key: string) => setParams({ table: key }, { replace: true }),
    [setParams],
  );
  const { api, addRun, refresh } = board;

  const cancel = useCallback(
    async (run: Run) => {
      addRun(await api.cancel(run.id));
    },
    [api, addRun],
  );
  const retry = useCallback(
    async (run: Run) => {
      addRun(await api.retry(run.id));
    },
    [api, addRun],
  );

  const chosen = selected ? splitKey(selected) : null;
  const statusList = Object.values(board.status);
  return (
    <div className="dashboard">
      <div className="dashboard-main">
        <div className="row dashboard-bar">
          <LiveBadge state={board.live.state} detail={board.live.detail} />
          {!canOperate && <span className="muted">You watch this pipeline (viewer).</span>}
        </div>
        <ErrorMessage error={board.loadError} />
        {board.diagram ? (
          <DashboardDiagram
            scope={pipeline.slug}
            diagram={board.diagram}
            status={board.status}
            activeRun={board.activeRun}
            selected={selected}
            onSelect={setSelected}
          />
        ) : (
          <p className="muted">Loading the diagram…</p>
        )}
        <StatusTable
          status={statusList}
          activeRun={board.activeRun}
          selected={selected}
          onSelect={setSelected}
        />
        <RunsPanel
          runs={board.runs}
          samples={board.samples}
          canOperate={canOperate}
          onCancel={cancel}
          onRetry={retry}
        />
      </div>
      <aside className="dashboard-side">
        {chosen && board.diagram ? (
          <TableDetails
            api={api}
            diagram={board.diagram}
            schema={chosen.schema}
            name={chosen.name}
            status={board.status[selected ?? ""]}
            activeRun={board.activeRun(chosen.schema, chosen.name)}
            canOperate={canOperate}
            errorsVersion={board.errorsVersion}
            onRunStarted={addRun}
            onChanged={() => void refresh()}
          />
        ) : (
          <section className="panel">
            <p className="muted">Select a table in the diagram to see its state and populate it.</p>
          </section>
        )}
        <WorkersPanel workers={board.workers} readAt={board.workersAt} />
      </aside>
    </div>
  );
}

function splitKey(key: string): { schema: string; name: string } {
  const dot = key.indexOf(".");
  return { schema: key.slice(0, dot), name: key.slice(dot + 1) };
}

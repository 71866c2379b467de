// A table's live state on its diagram node: rows, keys remaining, a running run, errors.
import type { Run, TableStatus } from "./api";
import { percent } from "./progress";

export const STATE_LINE_HEIGHT = 22;

export function TableState({
  rows,
  status,
  run,
}: {
  rows: number | null;
  status?: TableStatus;
  run?: Run;
}) {
  const errors = status ? Object.values(status.errors_by_type).reduce((a, b) => a + b, 0) : 0;
  return (
    <div className="table-state">
      <span title="Rows">{(status?.rows ?? rows ?? 0).toLocaleString()} rows</span>
      {status && status.remaining > 0 && (
        <span className="badge" title="Keys not yet made">
          {status.remaining.toLocaleString()} to do
        </span>
      )}
      {run && (
        <span className="badge running" title={`Run ${run.id} ${run.status}`}>
          {run.status === "queued" ? "queued" : `running ${percent(run)}%`}
        </span>
      )}
      {errors > 0 && (
        <span className="badge failed" title="Keys that failed">
          {errors} {errors === 1 ? "error" : "errors"}
        </span>
      )}
    </div>
  );
}

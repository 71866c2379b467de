// One run: a live progress bar (done and failed of total), percentage, rate over the last
// seconds, ETA, its status, and for operators cancel (while active) or retry its failed keys.
import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { etaSeconds, formatDuration, rateOf, type Sample } from "../../lib/liveRate";
import { isActive, type Run } from "./api";
import { percent, processed } from "./progress";

export function RunProgress({
  run,
  samples,
  canOperate,
  onCancel,
  onRetry,
}: {
  run: Run;
  samples: Sample[];
  canOperate: boolean;
  onCancel: (run: Run) => Promise<void>;
  onRetry: (run: Run) => Promise<void>;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const total = run.total ?? 0;
  const active = isActive(run);
  const rate = active ? rateOf(samples) : null;
  const eta = active && run.status === "running" ? etaSeconds(total - processed(run), rate) : null;
  const pct = percent(run);
  const doneShare = total > 0 ? ((run.done ?? 0) / total) * 100 : pct;
  const failedShare = total > 0 ? ((run.failed ?? 0) / total) * 100 : 0;
  const label = `Run ${run.id}: ${run.schema}.${run.table}`;

  const act = async (action: (run: Run) => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action(run);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="run" aria-label={label} data-run={run.id} data-table={run.table}>
      <div className="run-head">
        <strong>{run.table}</strong>
        <span className="muted">run {run.id}</span>
        <span className={`run-status status-${run.status}`} data-testid="run-status">
          {run.cancel_requested && active ? "cancelling" : run.status}
        </span>
        {canOperate && active && (
          <button type="button" className="danger" disabled={busy || run.cancel_requested} onClick={() => void act(onCancel)}>
            Cancel run {run.id}
          </button>
        )}
        {canOperate && !active && (run.failed ?? 0) > 0 && (
          <button type="button" disabled={busy} onClick={() => void act(onRetry)}>
            Retry failed keys of run {run.id}
          </button>
        )}
      </div>
      <div
        className="bar"
        role="progressbar"
        aria-label={`Progress of run ${run.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${pct}%`}
      >
        <div className="bar-done" style={{ width: `${doneShare}%` }} />
        <div className="bar-failed" style={{ width: `${failedShare}%` }} />
      </div>
      <div className="run-figures">
        <span className="run-percent">{pct}%</span>
        <span>
          {(run.done ?? 0).toLocaleString()} done
          {(run.failed ?? 0) > 0 && <>, <span className="failed-text">{run.failed} failed</span></>} of{" "}
          {total.toLocaleString()}
        </span>
        {active && <span>{rate === null ? "— keys/s" : `${rate.toFixed(1)} keys/s`}</span>}
        {active && <span>ETA {eta === null ? "—" : formatDuration(eta)}</span>}
        {run.workers_wanted ? <span className="muted">{run.workers_wanted} workers</span> : null}
        {run.keys ? (
          <span className="muted">
            {run.keys} {run.keys === 1 ? "key" : "keys"} retried
            {run.retry_of ? ` from run ${run.retry_of}` : ""}
          </span>
        ) : null}
      </div>
      {run.error && <p className="error">{run.error}</p>}
      <ErrorMessage error={error} />
    </li>
  );
}

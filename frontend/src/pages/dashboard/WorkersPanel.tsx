// The workers seen for this pipeline: host and process, state, what they make, and how long
// since their last heartbeat (counting on between two reads).
import { useEffect, useState } from "react";
import type { Worker } from "./api";
import { formatDuration } from "../../lib/liveRate";
import { keyText } from "./restriction";

export function WorkersPanel({ workers, readAt }: { workers: Worker[]; readAt: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  const since = Math.max(0, (now - readAt) / 1000);
  return (
    <section className="panel" aria-labelledby="workers-title">
      <h2 id="workers-title">Workers</h2>
      {workers.length === 0 ? (
        <p className="muted">No worker has taken a run yet.</p>
      ) : (
        <table className="grid workers">
          <thead>
            <tr>
              <th>Worker</th>
              <th>State</th>
              <th>Making</th>
              <th>Heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((worker) => {
              const stale = worker.state === "stale" || worker.state === "lost";
              return (
                <tr key={`${worker.hostname}:${worker.pid}`} className={stale ? "stale" : undefined}>
                  <td>
                    {worker.hostname}:{worker.pid}
                  </td>
                  <td>
                    <span className={`worker-state state-${worker.state}`}>{worker.state}</span>
                  </td>
                  <td>
                    {worker.table ?? "—"}
                    {worker.current_key != null && (
                      <>
                        {" "}
                        <code>{keyText(worker.current_key)}</code>
                      </>
                    )}
                  </td>
                  <td title={worker.last_seen}>
                    {formatDuration(worker.seconds_since_seen + since)} ago
                    {stale && <span className="badge failed">stale</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

// The recent runs, newest first, each with its live progress.
import type { Sample } from "../../lib/liveRate";
import type { Run } from "./api";
import { RunProgress } from "./RunProgress";

export function RunsPanel({
  runs,
  samples,
  canOperate,
  onCancel,
  onRetry,
}: {
  runs: Run[];
  samples: Record<number, Sample[]>;
  canOperate: boolean;
  onCancel: (run: Run) => Promise<void>;
  onRetry: (run: Run) => Promise<void>;
}) {
  return (
    <section className="panel" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      {runs.length === 0 ? (
        <p className="muted">No populate run yet.</p>
      ) : (
        <ul className="runs">
          {runs.map((run) => (
            <RunProgress
              key={run.id}
              run={run}
              samples={samples[run.id] ?? []}
              canOperate={canOperate}
              onCancel={onCancel}
              onRetry={onRetry}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

// A run's progress figures: keys processed (made or failed) against its total.
import type { Run } from "./api";

export const processed = (run: Run) => (run.done ?? 0) + (run.failed ?? 0) + (run.skipped ?? 0);

/** Whole percent, 100 once a run ended with nothing left or had nothing to do. */
export function percent(run: Run): number {
  const total = run.total ?? 0;
  if (total <= 0) return run.status === "queued" || run.status === "running" ? 0 : 100;
  return Math.min(100, Math.floor((processed(run) / total) * 100));
}

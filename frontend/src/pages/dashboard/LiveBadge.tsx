// Whether the page is live: connected, (re)connecting — the page may be behind — or closed.
import type { LiveState } from "../../lib/live";

const TEXT: Record<LiveState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting: catching up…",
  closed: "Not live",
};

export function LiveBadge({ state, detail }: { state: LiveState; detail?: string }) {
  return (
    <span className={`live-badge live-${state}`} role="status" title={detail}>
      {TEXT[state]}
    </span>
  );
}

// The dashboard's state: snapshots from the API (populate status, recent runs, workers), kept
// current by the live event stream — each batch of events schedules one refresh of what it
// touched — with each active run's recent speed.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { LiveClient, socketUrl, type LiveEvent, type LiveState } from "../../lib/live";
import { addSample, type Sample } from "../../lib/liveRate";
import {
  dashboardApi,
  isActive,
  type DashboardApi,
  type DiagramOut,
  type Run,
  type TableStatus,
  type Worker,
} from "./api";
import { tableKey } from "./diagramData";
import { processed } from "./progress";

/** Refreshes after events wait this long, so a burst of batches costs one round of requests. */
const REFRESH_DELAY_MS = 300;
/** Heartbeats and status are re-read this often without events. */
const POLL_MS = 5000;
const RECENT_RUNS = 8;
const EVENTS_KEPT = 40;

export interface Dashboard {
  api: DashboardApi;
  diagram: DiagramOut | null;
  status: Record<string, TableStatus>;
  runs: Run[];
  workers: Worker[];
  /** When the workers were read (ms), to age their heartbeats. */
  workersAt: number;
  samples: Record<number, Sample[]>;
  events: LiveEvent[];
  live: { state: LiveState; detail?: string };
  loadError: unknown;
  /** Bumped when a table's errors may have changed (key_failed, finished, clear, ignore). */
  errorsVersion: number;
  refresh: () => Promise<void>;
  addRun: (run: Run) => void;
  activeRun: (schema: string, table: string) => Run | undefined;
}

function mergeRuns(current: Run[], fresh: Run[]): Run[] {
  const byId = new Map(current.map((run) => [run.id, run]));
  for (const run of fresh) byId.set(run.id, run);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, RECENT_RUNS);
}

/** Apply what an event says about its run at once (the refresh confirms it). */
function applyEvent(run: Run, event: LiveEvent): Run {
  const p = event.payload;
  const num = (value: unknown, fallback: number | undefined) =>
    typeof value === "number" ? value : fallback;
  switch (event.kind) {
    case "started":
      return { ...run, status: "running", total: num(p.total, run.total) };
    case "key_done":
      return { ...run, done: (run.done ?? 0) + 1 };
    case "key_failed":
      return { ...run, failed: (run.failed ?? 0) + 1 };
    case "cancel_requested":
      return { ...run, cancel_requested: true };
    case "finished":
      return {
        ...run,
        status: (typeof p.status === "string" ? p.status : run.status) as Run["status"],
        total: num(p.total, run.total),
        done: num(p.done, run.done),
        failed: num(p.failed, run.failed),
        error: typeof p.error === "string" ? p.error : run.error,
      };
    default:
      return run;
  }
}

export function useDashboard(slug: string): Dashboard {
  const api = useMemo(() => dashboardApi(slug), [slug]);
  const [diagram, setDiagram] = useState<DiagramOut | null>(null);
  const [status, setStatus] = useState<Record<string, TableStatus>>({});
  const [runs, setRuns] = useState<Run[]>([]);
  const [workers, setWorkers] = useState<Worker[]>([]);
  const [workersAt, setWorkersAt] = useState(0);
  const [samples, setSamples] = useState<Record<number, Sample[]>>({});
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [live, setLive] = useState<{ state: LiveState; detail?: string }>({ state: "connecting" });
  const [loadError, setLoadError] = useState<unknown>(null);
  const [errorsVersion, setErrorsVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const sample = useCallback((fresh: Run[]) => {
    const now = Date.now();
    setSamples((current) => {
      const next = { ...current };
      for (const run of fresh) {
        if (isActive(run)) next[run.id] = addSample(next[run.id] ?? [], { at: now, count: processed(run) });
      }
      return next;
    });
  }, []);

  const refresh = useCallback(async () => {
    try {
      const [tables, recent, found] = await Promise.all([api.status(), api.runs(RECENT_RUNS), api.workers()]);
      setStatus(Object.fromEntries(tables.map((t) => [tableKey(t.schema, t.table), t])));
      setRuns((current) => mergeRuns(current, recent));
      setWorkers(found);
      setWorkersAt(Date.now());
      setLoadError(null);
    } catch (error) {
      setLoadError(error);
    }
  }, [api]);

  const scheduleRefresh = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void refresh();
    }, REFRESH_DELAY_MS);
  }, [refresh]);

  useEffect(() => {
    let alive = true;
    api.diagram().then(
      (found) => alive && setDiagram(found),
      (error: unknown) => alive && setLoadError(error),
    );
    return () => {
      alive = false;
    };
  }, [api]);

  useEffect(() => {
    const client = new LiveClient({ url: socketUrl(slug, window.location), replay: api.events });
    const offState = client.onState((state, detail) => setLive({ state, detail }));
    const offEvents = client.subscribe((batch) => {
      setEvents((current) => [...current, ...batch].slice(-EVENTS_KEPT));
      setRuns((current) =>
        current.map((run) => batch.filter((e) => e.run === run.id).reduce(applyEvent, run)),
      );
      if (batch.some((e) => e.kind === "key_failed" || e.kind === "finished")) {
        setErrorsVersion((v) => v + 1);
      }
      scheduleRefresh();
    });
    client.start(null);
    void refresh();
    const poll = setInterval(() => void refresh(), POLL_MS);
    return () => {
      offState();
      offEvents();
      client.stop();
      clearInterval(poll);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [slug, api, refresh, scheduleRefresh]);

  useEffect(() => sample(runs), [runs, sample]);

  const addRun = useCallback(
    (run: Run) => {
      setRuns((current) => mergeRuns(current, [run]));
      setErrorsVersion((v) => v + 1);
      scheduleRefresh();
    },
    [scheduleRefresh],
  );

  const activeRun = useCallback(
    (schema: string, table: string) =>
      runs.find((run) => run.schema === schema && run.table === table && isActive(run)),
    [runs],
  );

  return {
    api, diagram, status, runs, workers, workersAt, samples, events, live, loadError,
    errorsVersion, refresh, addRun, activeRun,
  };
}

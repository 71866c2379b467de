// The dashboard's calls: the diagram, populate status, runs, workers and a table's job errors.
import { get, pipelineApi, post } from "../../api/client";
import type { Schema } from "../../api/types";
import type { EventPage } from "../../lib/live";

export type DiagramOut = Schema<"DiagramOut">;
export type TableStatus = Schema<"TableStatusOut">;
export type Run = Schema<"RunOut">;
export type RunStatus = Schema<"RunOutStatusEnum">;
export type Worker = Schema<"WorkerOut">;
export type Code = Schema<"TableCodeOut">;
/** A failed key with its exception type, message and traceback. */
export type JobError = Schema<"JobErrorOut">;

const ACTIVE_STATUSES: RunStatus[] = ["queued", "running"];
export const isActive = (run: Run) => ACTIVE_STATUSES.includes(run.status ?? "queued");

export interface RunRequest {
  schema: string;
  table: string;
  restriction: unknown;
  workers: number;
}

interface Paged<T> {
  results: T[];
}

const populate = (slug: string, schema: string, table: string) =>
  `${pipelineApi(slug)}/populate/${encodeURIComponent(schema)}/${encodeURIComponent(table)}`;

export const dashboardApi = (slug: string) => ({
  diagram: () => get<DiagramOut>(`${pipelineApi(slug)}/diagram/`),
  status: () => get<TableStatus[]>(`${pipelineApi(slug)}/populate/status/`),
  runs: async (limit = 10) =>
    (await get<Paged<Run>>(`${pipelineApi(slug)}/runs/`, { limit })).results,
  run: (id: number) => get<Run>(`${pipelineApi(slug)}/runs/${id}/`),
  start: (request: RunRequest) => post<Run>(`${pipelineApi(slug)}/runs/`, request),
  cancel: (id: number) => post<Run>(`${pipelineApi(slug)}/runs/${id}/cancel/`),
  retry: (id: number) => post<Run>(`${pipelineApi(slug)}/runs/${id}/retry/`, {}),
  events: (after: number) => get<EventPage>(`${pipelineApi(slug)}/events/`, { after }),
  workers: () => get<Worker[]>(`${pipelineApi(slug)}/workers/`),
  errors: (schema: string, table: string) => get<JobError[]>(`${populate(slug, schema, table)}/errors/`),
  clear: (schema: string, table: string, error?: string) =>
    post<{ cleared: number }>(`${populate(slug, schema, table)}/errors/clear/`, error ? { error } : {}),
  ignore: (schema: string, table: string, key: unknown) =>
    post<{ key: unknown }>(`${populate(slug, schema, table)}/ignore/`, { key }),
  code: (schema: string, table: string) => get<Code>(`${populate(slug, schema, table)}/code/`),
});

export type DashboardApi = ReturnType<typeof dashboardApi>;

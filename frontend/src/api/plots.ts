// POST /api/pipelines/<slug>/plot/: plots computed on the server (types written by hand; the
// endpoint's contract is in pipelines/services/plots.py).
import { pipelineApi, post } from "./client";
import type { Condition } from "../lib/conditions";
import type { TableRef } from "../lib/query";

export type PlotKind = "histogram" | "scatter" | "line" | "blob";

export interface PlotRequest {
  table: TableRef;
  kind: PlotKind;
  where?: Condition;
  x?: string;
  y?: string;
  group_by?: string;
  bins?: number;
  max_points?: number;
  key?: Record<string, unknown>;
  attribute?: string;
  view?: "line" | "image";
}

export interface Summary {
  min: number | null;
  max: number | null;
  mean: number | null;
}

export interface HistogramPlot {
  kind: "histogram";
  x: string;
  edges: number[];
  counts: number[];
  rows: number;
  missing: number;
  summary: Summary;
  code: string;
}

export interface Series {
  group: string | number | boolean | null;
  rows: number;
  x: (number | null)[];
  y: (number | null)[];
}

export interface PointsPlot {
  kind: "scatter" | "line";
  x: string;
  y: string;
  group_by: string | null;
  rows: number;
  shown: number;
  series: Series[];
  code: string;
}

export interface BlobPlot {
  kind: "blob";
  attribute: string;
  key: Record<string, unknown>;
  shape: number[];
  dtype: string;
  summary: Summary;
  view: "line" | "image";
  lines?: { index: number; x: number[]; y: (number | null)[] }[];
  image?: { rows: number; cols: number; row_step: number; col_step: number; values: (number | null)[][] };
  code: string;
}

export type Plot = HistogramPlot | PointsPlot | BlobPlot;

export const fetchPlot = (slug: string, request: PlotRequest) =>
  post<Plot>(`${pipelineApi(slug)}/plot/`, request);

// The pipeline's tables with their headings, and its diagram (foreign keys between tables): what
// the browse, visualize and data entry pages read to offer tables, joins and parent pickers.
import { get, pipelineApi, tableApi } from "./client";
import type { Schema } from "./types";

export type TableInfo = Schema<"TableOut">;
export type DiagramOut = Schema<"DiagramOut">;
export type DiagramNode = Schema<"NodeOut">;
export type DiagramEdge = Schema<"EdgeOut">;

export const fetchTables = (slug: string) => get<TableInfo[]>(`${pipelineApi(slug)}/tables/`);

export const fetchTable = (slug: string, schema: string, name: string) =>
  get<TableInfo>(`${tableApi(slug, schema, name)}/`);

/** The diagram without row counts (cheaper: the pages that use it show no counts). */
export const fetchDiagram = (slug: string) =>
  get<DiagramOut>(`${pipelineApi(slug)}/diagram/`, { counts: false });

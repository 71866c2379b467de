// The rows endpoints as the data entry page uses them (the tables and the diagram come from
// api/tables.ts).
import { ApiError, apiFetch, patch, post, tableApi } from "../../api/client";
import type { TableInfo } from "../../api/tables";
import type { Schema } from "../../api/types";
import type { Condition } from "../../lib/formsForeignKeys";

export type Row = Record<string, unknown>;
export type RowsPage = Schema<"RowsPageOut">;
export type InsertOut = Schema<"InsertOut">;
export type RowErrors = Schema<"RowErrorsOut">;
export type DeletePreview = Schema<"DeletePreviewOut">;
export type DeleteOut = Schema<"DeleteOut">;

export interface RowsQuery {
  where?: Condition | null;
  order_by?: string[];
  limit: number;
  offset: number;
  count: boolean;
}

/** A page of rows (through rows/search/, so long conditions fit). */
export const searchRows = (slug: string, schema: string, name: string, query: RowsQuery) =>
  post<RowsPage>(`${tableApi(slug, schema, name)}/rows/search/`, query);

export const insertRows = (slug: string, schema: string, name: string, rows: Row[], dryRun: boolean) =>
  post<InsertOut>(`${tableApi(slug, schema, name)}/rows/${dryRun ? "?dry_run=1" : ""}`, { rows });

export const updateRow = (slug: string, schema: string, name: string, key: Row, values: Row) =>
  patch<Row>(`${tableApi(slug, schema, name)}/rows/`, { key, values });

export const previewDelete = (slug: string, schema: string, name: string, keys: Row[]) =>
  post<DeletePreview>(`${tableApi(slug, schema, name)}/rows/delete-preview/`, { keys });

export const confirmDelete = (slug: string, schema: string, name: string, token: string) =>
  post<DeleteOut>(`${tableApi(slug, schema, name)}/rows/delete/`, { token });

export async function uploadRows(
  slug: string,
  schema: string,
  name: string,
  file: File,
  dryRun: boolean,
): Promise<InsertOut> {
  const form = new FormData();
  form.append("file", file);
  const url = `${tableApi(slug, schema, name)}/rows/upload/${dryRun ? "?dry_run=1" : ""}`;
  const response = await apiFetch("POST", url, form);
  return (await response.json()) as InsertOut;
}

export const exportUrl = (slug: string, schema: string, name: string) =>
  `${tableApi(slug, schema, name)}/rows/export.csv`;

/** The bad rows of a refused insert (a 400 "invalid_rows"), else null. */
export function invalidRows(error: unknown): RowErrors[] | null {
  if (!(error instanceof ApiError) || error.code !== "invalid_rows") return null;
  const details = error.details as { rows?: RowErrors[] } | null;
  return Array.isArray(details?.rows) ? details.rows : null;
}

/** A row's key as JSON text: how rows are told apart in the grid and the selection. */
export const keyText = (table: TableInfo, row: Row) =>
  JSON.stringify(Object.fromEntries(table.primary_key.map((name) => [name, row[name]])));

/** File -> the file object the API takes for bytes and attachments. */
export function fileValue(file: File): Promise<{ base64: string; filename: string }> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ base64: url.slice(url.indexOf(",") + 1), filename: file.name });
    };
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.readAsDataURL(file);
  });
}

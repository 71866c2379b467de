// The definition endpoints the builder uses (types of the existing ones from the OpenAPI
// schema; the code endpoint's by hand).
import { del, get, patch, pipelineApi, post } from "../../api/client";
import type { Schema } from "../../api/types";

export type DefinitionOut = Schema<"DefinitionOut">;
export type Validation = Schema<"ValidationOut">;
export type PlanItem = Schema<"PlanItemOut">;
export type DefinitionError = Schema<"ErrorOut">;
export type Revision = Schema<"RevisionOut">;
export type RevisionDetail = Schema<"RevisionDetailOut">;

export interface SnapshotEntry {
  schema: string;
  class_name: string;
  tier: string;
  definition: string;
  master: string | null;
  position?: [number, number];
}

export interface DefinitionCode {
  filename: string;
  code: string;
}

export interface DefinitionFields {
  schema: string;
  class_name: string;
  tier: string;
  definition: string;
  master: string | null;
  position_x: number;
  position_y: number;
}

export type DefinitionChange = Partial<
  Pick<DefinitionFields, "class_name" | "tier" | "definition" | "position_x" | "position_y">
>;

export function definitionsApi(slug: string) {
  const base = `${pipelineApi(slug)}/definitions/`;
  const revisions = `${pipelineApi(slug)}/revisions/`;
  return {
    list: () => get<DefinitionOut[]>(base),
    create: (fields: DefinitionFields) => post<DefinitionOut>(base, fields),
    update: (id: number, change: DefinitionChange) => patch<DefinitionOut>(`${base}${id}/`, change),
    remove: (id: number) => del<void>(`${base}${id}/`),
    validate: () => post<Validation>(`${base}validate/`),
    apply: (message: string, allowDataLoss: boolean) =>
      post<RevisionDetail>(`${base}apply/`, { message, allow_data_loss: allowDataLoss }),
    code: () => get<DefinitionCode>(`${base}code/`),
    revisions: () => get<Revision[]>(revisions),
    revision: (number: number) => get<RevisionDetail>(`${revisions}${number}/`),
    restore: (number: number) => post<DefinitionOut[]>(`${revisions}${number}/restore/`),
  };
}

export type DefinitionsApi = ReturnType<typeof definitionsApi>;

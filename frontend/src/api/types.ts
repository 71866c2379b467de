// Shorthand for the API's schemas, generated from /api/schema/ into schema.d.ts
// (`make api-types` regenerates it after the API changes).
import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Schema<Name extends keyof Schemas> = Schemas[Name];

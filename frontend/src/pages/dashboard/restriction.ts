// The restriction of a populate run as the API takes it: a JSON condition tree, built from one
// simple condition row or typed as raw JSON (checked here before it is sent).

export const OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "in", "like"] as const;
export type Operator = (typeof OPERATORS)[number];

export type Condition = Record<string, unknown>;

export type Parsed = { ok: true; condition: Condition | null } | { ok: false; error: string };

/** A typed value: a number when it reads as one, else the text. */
function scalar(text: string): string | number {
  const trimmed = text.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** One condition row; an empty value restricts nothing. */
export function simpleCondition(attribute: string, operator: Operator, value: string): Parsed {
  if (!attribute || value.trim() === "") return { ok: true, condition: null };
  if (operator === "in") {
    const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
    if (items.length === 0) return { ok: false, error: "List the values, separated by commas." };
    return { ok: true, condition: { attribute, operator, value: items.map(scalar) } };
  }
  return { ok: true, condition: { attribute, operator, value: scalar(value) } };
}

/** Raw JSON: empty restricts nothing; otherwise a JSON object. */
export function jsonCondition(text: string): Parsed {
  if (text.trim() === "") return { ok: true, condition: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : error}` };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return {
      ok: false,
      error: 'The restriction is a JSON object, e.g. {"attribute": "subject_id", "operator": "=", "value": 1}.',
    };
  }
  return { ok: true, condition: parsed as Condition };
}

/** The condition matching exactly these keys (one "and" of equalities per key, or-ed). */
export function keysCondition(keys: Record<string, unknown>[]): Condition {
  return {
    or: keys.map((key) => ({
      and: Object.entries(key).map(([attribute, value]) => ({ attribute, operator: "=", value })),
    })),
  };
}

/** A key as people read it: subject_id=1, session_idx=7. */
export function keyText(key: unknown): string {
  if (key === null || typeof key !== "object") return String(key);
  return Object.entries(key as Record<string, unknown>)
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

// The form model of a table's heading: one field per attribute with the control that enters it,
// and the checks a value passes before it is sent (the server checks again and has the last word).
// Values travel as the rows API takes them: numbers as numbers, decimals as strings, dates
// YYYY-MM-DD, datetimes ISO 8601, json as JSON, files as {"base64", "filename"}.

/** One attribute of a heading, as `GET tables/<schema>/<name>/` describes it. */
export interface HeadingAttribute {
  name: string;
  type: string;
  sql_type?: string;
  kind?: string;
  storage?: "value" | "bytes" | "store" | "raw";
  entry?: "value" | "file" | "none";
  in_key: boolean;
  nullable: boolean;
  default: string | null;
  autoincrement?: boolean;
  comment: string;
  enum?: string[] | null;
}

export type Control =
  | "integer"
  | "float"
  | "decimal"
  | "text"
  | "date"
  | "datetime"
  | "time"
  | "enum"
  | "bool"
  | "json"
  | "uuid"
  | "file"
  | "none";

export interface Field {
  name: string;
  control: Control;
  attribute: HeadingAttribute;
  /** No default, not nullable, not auto-incremented: an empty value is refused. */
  required: boolean;
  /** Integer bounds (bigint: int64 and uint64 do not fit a double). */
  min?: bigint;
  max?: bigint;
  /** float32's magnitude limit. */
  maxMagnitude?: number;
  maxLength?: number;
  options?: string[];
  precision?: number;
  scale?: number;
}

/** A parsed value: `value` undefined means "leave it out" (the attribute's default). */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const FLOAT32_MAX = 3.4028234663852886e38;

const INTEGER_BITS: Record<string, number> = {
  int8: 8,
  int16: 16,
  int24: 24,
  int32: 32,
  int64: 64,
  tinyint: 8,
  smallint: 16,
  mediumint: 24,
  int: 32,
  integer: 32,
  bigint: 64,
};

/** [min, max] of an integer type (`int16`, `uint8`, `smallint unsigned`…), or null. */
export function integerRange(type: string): [bigint, bigint] | null {
  const text = type.trim().toLowerCase();
  const match = /^(u?)(int8|int16|int24|int32|int64|tinyint|smallint|mediumint|integer|int|bigint)\b(?:\(\d+\))?\s*(unsigned)?/.exec(
    text,
  );
  if (!match) return null;
  const bits = INTEGER_BITS[match[2]];
  const unsigned = match[1] === "u" || match[3] === "unsigned";
  if (unsigned) return [0n, (1n << BigInt(bits)) - 1n];
  return [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
}

/** The values of `enum('a','b')` (quotes doubled or backslashed inside a value), or null. */
export function enumOptions(type: string): string[] | null {
  const match = /^\s*enum\s*\((.*)\)\s*$/is.exec(type);
  if (!match) return null;
  const values: string[] = [];
  const body = match[1];
  let i = 0;
  while (i < body.length) {
    const quote = body[i];
    if (quote !== "'" && quote !== '"') {
      i += 1;
      continue;
    }
    let value = "";
    i += 1;
    while (i < body.length) {
      const char = body[i];
      if (char === "\\" && i + 1 < body.length) {
        value += body[i + 1];
        i += 2;
      } else if (char === quote && body[i + 1] === quote) {
        value += quote;
        i += 2;
      } else if (char === quote) {
        i += 1;
        break;
      } else {
        value += char;
        i += 1;
      }
    }
    values.push(value);
  }
  return values;
}

function controlOf(attribute: HeadingAttribute): Pick<Field, "control"> & Partial<Field> {
  if (attribute.entry === "none") return { control: "none" };
  if (attribute.entry === "file") return { control: "file" };
  if (attribute.kind === "blob" || attribute.kind === "json") return { control: "json" };
  if (attribute.kind === "bool") return { control: "bool" };
  const type = attribute.type.trim().toLowerCase();
  const options = attribute.enum ?? enumOptions(attribute.type);
  if (options) return { control: "enum", options };
  const range = integerRange(type);
  if (range) return { control: "integer", min: range[0], max: range[1] };
  if (/^(float32|float)\b/.test(type)) return { control: "float", maxMagnitude: FLOAT32_MAX };
  if (/^(float64|double|real)\b/.test(type)) return { control: "float" };
  const decimal = /^(decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)(\s*unsigned)?/.exec(type);
  if (decimal)
    return { control: "decimal", precision: Number(decimal[2]), scale: Number(decimal[3] ?? 0) };
  if (/^(decimal|numeric)/.test(type)) return { control: "decimal" };
  if (type === "bool" || type === "boolean") return { control: "bool" };
  if (type === "date") return { control: "date" };
  if (/^(datetime|timestamp)/.test(type)) return { control: "datetime" };
  if (/^time/.test(type)) return { control: "time" };
  if (type === "uuid") return { control: "uuid" };
  if (type === "json") return { control: "json" };
  const sized = /^(varchar|char)\s*\(\s*(\d+)\s*\)/.exec(type);
  if (sized) return { control: "text", maxLength: Number(sized[2]) };
  return { control: "text" };
}

/** One field per attribute, in heading order. */
export function fieldsOf(attributes: HeadingAttribute[]): Field[] {
  return attributes.map((attribute) => ({
    name: attribute.name,
    attribute,
    required: !attribute.nullable && attribute.default === null && !attribute.autoincrement,
    ...controlOf(attribute),
  }));
}

/** Fields a person types values into (a file field takes a file, `none` nothing). */
export const typedFields = (fields: Field[]) =>
  fields.filter((field) => field.control !== "none" && field.control !== "file");

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{1,3}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function validDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const fail = (error: string): Parsed => ({ ok: false, error });
const ok = (value: unknown): Parsed => ({ ok: true, value });

function parseInteger(field: Field, text: string): Parsed {
  if (!/^[+-]?\d+$/.test(text)) return fail("A whole number.");
  const value = BigInt(text);
  if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max))
    return fail(`Out of range for ${field.attribute.type}: ${field.min} to ${field.max}.`);
  const asNumber = Number(text);
  return ok(Number.isSafeInteger(asNumber) ? asNumber : value.toString());
}

function parseFloatValue(field: Field, text: string): Parsed {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return fail("A number.");
  const value = Number(text);
  if (!Number.isFinite(value) || (field.maxMagnitude && Math.abs(value) > field.maxMagnitude))
    return fail(`Out of range for ${field.attribute.type}.`);
  return ok(value);
}

function parseDecimal(field: Field, text: string): Parsed {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === "" && !match[3])) return fail("A decimal number.");
  if (field.precision !== undefined && field.scale !== undefined) {
    const whole = match[2].replace(/^0+(?=\d)/, "");
    const fraction = match[3] ?? "";
    if (fraction.length > field.scale)
      return fail(`At most ${field.scale} digits after the point.`);
    if (whole.replace(/^0$/, "").length > field.precision - field.scale)
      return fail(`Out of range for ${field.attribute.type}.`);
  }
  if (match[1] === "-" && /unsigned/i.test(field.attribute.type)) return fail("Not below 0.");
  return ok(text);
}

function parseDatetime(text: string): Parsed {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)$/.exec(text);
  if (!match || !validDate(match[1])) return fail("A date and time (YYYY-MM-DD HH:MM:SS).");
  const [hours, minutes, seconds = "0"] = match[2].split(":");
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) >= 60)
    return fail("A date and time (YYYY-MM-DD HH:MM:SS).");
  const time = match[2].length === 5 ? `${match[2]}:00` : match[2];
  return ok(`${match[1]}T${time}`);
}

function parseTyped(field: Field, text: string): Parsed {
  switch (field.control) {
    case "integer":
      return parseInteger(field, text);
    case "float":
      return parseFloatValue(field, text);
    case "decimal":
      return parseDecimal(field, text);
    case "date":
      return validDate(text) ? ok(text) : fail("A date (YYYY-MM-DD).");
    case "datetime":
      return parseDatetime(text);
    case "time":
      return TIME.test(text) ? ok(text) : fail("A time (HH:MM:SS).");
    case "enum":
      return field.options?.includes(text)
        ? ok(text)
        : fail(`One of ${(field.options ?? []).join(", ")}.`);
    case "bool": {
      const lower = text.toLowerCase();
      if (["true", "yes", "1"].includes(lower)) return ok(true);
      if (["false", "no", "0"].includes(lower)) return ok(false);
      return fail("true or false.");
    }
    case "uuid":
      return UUID.test(text) ? ok(text) : fail("A UUID.");
    case "json":
      try {
        return ok(JSON.parse(text));
      } catch (error) {
        return fail(`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
    case "text":
      return field.maxLength !== undefined && text.length > field.maxLength
        ? fail(`At most ${field.maxLength} characters.`)
        : ok(text);
    case "file":
    case "none":
      return fail("Not entered as text.");
  }
}

/** The value of one field typed as text. Empty text: null if nullable, else the default. */
export function parseValue(field: Field, text: string): Parsed {
  const trimmed = field.control === "text" ? text : text.trim();
  if (trimmed === "") {
    if (field.attribute.nullable) return ok(null);
    if (!field.required) return ok(undefined);
    return fail("Required.");
  }
  return parseTyped(field, trimmed);
}

export interface ParsedRow {
  row: Record<string, unknown>;
  /** Attribute -> reason. */
  errors: Record<string, string>;
}

/** A row from typed texts (missing names count as empty). Values of `extra` (already JSON, e.g.
 *  file objects or foreign keys picked in a select) are taken as they are. */
export function parseRow(
  fields: Field[],
  texts: Record<string, string>,
  extra: Record<string, unknown> = {},
): ParsedRow {
  const row: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    if (field.name in extra) {
      const value = extra[field.name];
      if ((value === undefined || value === null) && field.required) errors[field.name] = "Required.";
      else if (value !== undefined) row[field.name] = value;
      continue;
    }
    if (field.control === "none" || field.control === "file") {
      if (field.required) errors[field.name] = "Required.";
      continue;
    }
    const parsed = parseValue(field, texts[field.name] ?? "");
    if (!parsed.ok) errors[field.name] = parsed.error;
    else if (parsed.value !== undefined) row[field.name] = parsed.value;
  }
  return { row, errors };
}

/** A value as the grid shows it and as an edit box starts with. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    const blob = value as { blob?: boolean; size?: number | null; store?: string };
    if (blob.blob) {
      const size = blob.size === null || blob.size === undefined ? "" : ` ${blob.size} B`;
      return blob.store ? `file in ${blob.store}${size}` : `file${size}`;
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/** Whether a field's value can be corrected in a grid cell (secondary, typed as text). */
export const editableInCell = (field: Field) =>
  !field.attribute.in_key && field.control !== "none" && field.control !== "file";

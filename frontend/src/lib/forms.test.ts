import { describe, expect, it } from "vitest";
import {
  displayValue,
  editableInCell,
  enumOptions,
  fieldsOf,
  integerRange,
  parseRow,
  parseValue,
  type Field,
  type HeadingAttribute,
} from "./forms";

const attr = (name: string, type: string, more: Partial<HeadingAttribute> = {}): HeadingAttribute => ({
  name,
  type,
  kind: "plain",
  storage: "value",
  entry: "value",
  in_key: false,
  nullable: false,
  default: null,
  autoincrement: false,
  comment: "",
  enum: null,
  ...more,
});

const field = (type: string, more: Partial<HeadingAttribute> = {}): Field =>
  fieldsOf([attr("a", type, more)])[0];

describe("fieldsOf", () => {
  it("picks the control of each type", () => {
    const controls = fieldsOf([
      attr("subject_id", "int32", { in_key: true }),
      attr("species", "varchar(32)"),
      attr("date_of_birth", "date"),
      attr("start", "datetime(3)"),
      attr("at", "time"),
      attr("sex", "enum('F','M','U')"),
      attr("duration", "float64"),
      attr("weight", "decimal(5,2)"),
      attr("ok", "bool", { kind: "bool" }),
      attr("params", "json", { kind: "json" }),
      attr("trace", "<blob>", { kind: "blob", storage: "bytes" }),
      attr("report", "<attach>", { kind: "attach", storage: "bytes", entry: "file" }),
      attr("custom", "<mine>", { kind: "codec", storage: "raw", entry: "none" }),
      attr("uid", "uuid"),
    ]).map((f) => [f.name, f.control]);
    expect(Object.fromEntries(controls)).toEqual({
      subject_id: "integer",
      species: "text",
      date_of_birth: "date",
      start: "datetime",
      at: "time",
      sex: "enum",
      duration: "float",
      weight: "decimal",
      ok: "bool",
      params: "json",
      trace: "json",
      report: "file",
      custom: "none",
      uid: "uuid",
    });
  });

  it("marks required fields: no default, not nullable, not auto-incremented", () => {
    const [a, b, c, d] = fieldsOf([
      attr("a", "int32"),
      attr("b", "int32", { nullable: true }),
      attr("c", "int32", { default: "5" }),
      attr("d", "int32", { autoincrement: true }),
    ]);
    expect([a.required, b.required, c.required, d.required]).toEqual([true, false, false, false]);
  });

  it("takes the enum values the server lists, else parses them from the type", () => {
    expect(field("enum('x','y')", { enum: ["x", "y"] }).options).toEqual(["x", "y"]);
    expect(field("enum('p','q')").options).toEqual(["p", "q"]);
  });

  it("knows which fields a grid cell can correct", () => {
    expect(editableInCell(field("int32"))).toBe(true);
    expect(editableInCell(field("int32", { in_key: true }))).toBe(false);
    expect(editableInCell(field("<attach>", { entry: "file" }))).toBe(false);
  });
});

describe("enumOptions", () => {
  it("reads quoted values with commas, doubled and escaped quotes", () => {
    expect(enumOptions("enum('a','b,c','it''s',\"d\",'e\\'f')")).toEqual(["a", "b,c", "it's", "d", "e'f"]);
  });
  it("is null for other types", () => {
    expect(enumOptions("varchar(3)")).toBeNull();
  });
});

describe("integerRange", () => {
  it("covers the core and native integer types", () => {
    expect(integerRange("int8")).toEqual([-128n, 127n]);
    expect(integerRange("uint8")).toEqual([0n, 255n]);
    expect(integerRange("int16")).toEqual([-32768n, 32767n]);
    expect(integerRange("uint16")).toEqual([0n, 65535n]);
    expect(integerRange("int32")).toEqual([-2147483648n, 2147483647n]);
    expect(integerRange("uint32")).toEqual([0n, 4294967295n]);
    expect(integerRange("int64")).toEqual([-(2n ** 63n), 2n ** 63n - 1n]);
    expect(integerRange("uint64")).toEqual([0n, 2n ** 64n - 1n]);
    expect(integerRange("smallint unsigned")).toEqual([0n, 65535n]);
    expect(integerRange("int(11)")).toEqual([-2147483648n, 2147483647n]);
    expect(integerRange("float64")).toBeNull();
  });
});

describe("parseValue", () => {
  it("checks integer ranges per type", () => {
    expect(parseValue(field("int8"), "127")).toEqual({ ok: true, value: 127 });
    expect(parseValue(field("int8"), "128")).toMatchObject({ ok: false, error: expect.stringMatching(/Out of range/) });
    expect(parseValue(field("uint8"), "-1").ok).toBe(false);
    expect(parseValue(field("uint16"), "65535")).toEqual({ ok: true, value: 65535 });
    expect(parseValue(field("int16"), "1.5")).toEqual({ ok: false, error: "A whole number." });
    expect(parseValue(field("int16"), "abc").ok).toBe(false);
  });

  it("keeps 64-bit integers beyond a double exact, as text", () => {
    expect(parseValue(field("uint64"), "18446744073709551615")).toEqual({
      ok: true,
      value: "18446744073709551615",
    });
    expect(parseValue(field("uint64"), "18446744073709551616").ok).toBe(false);
    expect(parseValue(field("int64"), "-9223372036854775808").ok).toBe(true);
    expect(parseValue(field("int64"), "9223372036854775808").ok).toBe(false);
  });

  it("parses floats and refuses what is not a finite number", () => {
    expect(parseValue(field("float64"), " 2.5 ")).toEqual({ ok: true, value: 2.5 });
    expect(parseValue(field("float64"), "1e3")).toEqual({ ok: true, value: 1000 });
    expect(parseValue(field("float64"), "two").ok).toBe(false);
    expect(parseValue(field("float64"), "1e400").ok).toBe(false);
    expect(parseValue(field("float32"), "1e39").ok).toBe(false);
    expect(parseValue(field("float32"), "1e38").ok).toBe(true);
  });

  it("keeps decimals as text and checks their digits", () => {
    expect(parseValue(field("decimal(5,2)"), "123.45")).toEqual({ ok: true, value: "123.45" });
    expect(parseValue(field("decimal(5,2)"), "1234.5").ok).toBe(false);
    expect(parseValue(field("decimal(5,2)"), "1.234").ok).toBe(false);
    expect(parseValue(field("decimal(5,2)"), "x").ok).toBe(false);
  });

  it("checks dates and datetimes, and sends ISO text", () => {
    expect(parseValue(field("date"), "2026-02-28")).toEqual({ ok: true, value: "2026-02-28" });
    expect(parseValue(field("date"), "2026-02-30")).toEqual({ ok: false, error: "A date (YYYY-MM-DD)." });
    expect(parseValue(field("date"), "28/02/2026").ok).toBe(false);
    expect(parseValue(field("datetime"), "2026-02-28T13:45")).toEqual({ ok: true, value: "2026-02-28T13:45:00" });
    expect(parseValue(field("datetime"), "2026-02-28 13:45:10")).toEqual({
      ok: true,
      value: "2026-02-28T13:45:10",
    });
    expect(parseValue(field("datetime"), "2026-02-28T25:00").ok).toBe(false);
    expect(parseValue(field("time"), "12:30:00")).toEqual({ ok: true, value: "12:30:00" });
  });

  it("accepts only the enum's values, bools as words, uuids", () => {
    expect(parseValue(field("enum('F','M')"), "F")).toEqual({ ok: true, value: "F" });
    expect(parseValue(field("enum('F','M')"), "X")).toEqual({ ok: false, error: "One of F, M." });
    expect(parseValue(field("bool", { kind: "bool" }), "yes")).toEqual({ ok: true, value: true });
    expect(parseValue(field("bool", { kind: "bool" }), "0")).toEqual({ ok: true, value: false });
    expect(parseValue(field("bool", { kind: "bool" }), "maybe").ok).toBe(false);
    expect(parseValue(field("uuid"), "123e4567-e89b-12d3-a456-426614174000").ok).toBe(true);
    expect(parseValue(field("uuid"), "123").ok).toBe(false);
  });

  it("parses json and says why it is not", () => {
    expect(parseValue(field("json", { kind: "json" }), '{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
    const bad = parseValue(field("json", { kind: "json" }), "{a: 1}");
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/^Not valid JSON/) });
  });

  it("checks string lengths", () => {
    expect(parseValue(field("varchar(3)"), "abc")).toEqual({ ok: true, value: "abc" });
    expect(parseValue(field("varchar(3)"), "abcd")).toEqual({ ok: false, error: "At most 3 characters." });
  });

  it("reads an empty value as null, the default, or a missing required value", () => {
    expect(parseValue(field("int32", { nullable: true }), "")).toEqual({ ok: true, value: null });
    expect(parseValue(field("int32", { default: "0" }), " ")).toEqual({ ok: true, value: undefined });
    expect(parseValue(field("int32"), "")).toEqual({ ok: false, error: "Required." });
  });
});

describe("parseRow", () => {
  const fields = fieldsOf([
    attr("subject_id", "int32", { in_key: true }),
    attr("species", "varchar(32)"),
    attr("date_of_birth", "date"),
    attr("note", "varchar(10)", { default: "none" }),
    attr("report", "<attach>", { entry: "file", nullable: true }),
  ]);

  it("collects the row and every field's objection", () => {
    expect(parseRow(fields, { subject_id: "7", species: "mouse", date_of_birth: "2026-01-02" })).toEqual({
      row: { subject_id: 7, species: "mouse", date_of_birth: "2026-01-02" },
      errors: {},
    });
    expect(parseRow(fields, { subject_id: "x", date_of_birth: "2026-13-01" }).errors).toEqual({
      subject_id: "A whole number.",
      species: "Required.",
      date_of_birth: "A date (YYYY-MM-DD).",
    });
  });

  it("takes values given as JSON already (a picked parent, a file object)", () => {
    const file = { base64: "aGk=", filename: "a.txt" };
    const parsed = parseRow(
      fields,
      { subject_id: "1", date_of_birth: "2026-01-02" },
      { species: "Mus musculus", report: file },
    );
    expect(parsed).toEqual({
      row: { subject_id: 1, species: "Mus musculus", date_of_birth: "2026-01-02", report: file },
      errors: {},
    });
    expect(parseRow(fields, { subject_id: "1", date_of_birth: "2026-01-02" }, { species: null }).errors).toEqual({
      species: "Required.",
    });
  });
});

describe("displayValue", () => {
  it("shows files, json and nulls", () => {
    expect(displayValue({ blob: true, size: 12, download: "/x" })).toBe("file 12 B");
    expect(displayValue({ blob: true, size: null, store: "main" })).toBe("file in main");
    expect(displayValue({ a: 1 })).toBe('{"a":1}');
    expect(displayValue(null)).toBe("");
    expect(displayValue(2.5)).toBe("2.5");
  });
});

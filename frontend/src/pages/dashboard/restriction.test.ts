import { describe, expect, it } from "vitest";
import { jsonCondition, keysCondition, keyText, simpleCondition } from "./restriction";

describe("simpleCondition", () => {
  it("types numbers and keeps text", () => {
    expect(simpleCondition("subject_id", "=", " 2 ")).toEqual({
      ok: true,
      condition: { attribute: "subject_id", operator: "=", value: 2 },
    });
    expect(simpleCondition("species", "like", "Mus%")).toEqual({
      ok: true,
      condition: { attribute: "species", operator: "like", value: "Mus%" },
    });
  });
  it("splits a list for 'in'", () => {
    expect(simpleCondition("subject_id", "in", "1, 3,")).toEqual({
      ok: true,
      condition: { attribute: "subject_id", operator: "in", value: [1, 3] },
    });
    expect(simpleCondition("subject_id", "in", " , ")).toEqual({
      ok: false,
      error: "List the values, separated by commas.",
    });
  });
  it("restricts nothing without a value", () => {
    expect(simpleCondition("subject_id", "=", "  ")).toEqual({ ok: true, condition: null });
  });
});

describe("jsonCondition", () => {
  it("accepts an object and nothing", () => {
    expect(jsonCondition('{"or": []}')).toEqual({ ok: true, condition: { or: [] } });
    expect(jsonCondition("")).toEqual({ ok: true, condition: null });
  });
  it("refuses bad JSON and what is not an object", () => {
    const bad = jsonCondition("{subject_id: 1}");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^Not valid JSON/);
    for (const text of ["[1]", "3", "null"]) {
      const refused = jsonCondition(text);
      expect(!refused.ok && refused.error).toMatch(/is a JSON object/);
    }
  });
});

describe("keys", () => {
  it("match exactly the given keys", () => {
    expect(keysCondition([{ a: 1, b: "x" }])).toEqual({
      or: [{ and: [
        { attribute: "a", operator: "=", value: 1 },
        { attribute: "b", operator: "=", value: "x" },
      ] }],
    });
  });
  it("read as name=value pairs", () => {
    expect(keyText({ subject_id: 1, name: "m1" })).toBe("subject_id=1, name=m1");
  });
});

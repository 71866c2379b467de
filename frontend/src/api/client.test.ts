import { describe, expect, it } from "vitest";
import { atLeast } from "./session";
import { tableApi, withQuery } from "./client";

describe("withQuery", () => {
  it("adds only the parameters that have a value", () => {
    expect(withQuery("/api/x/", { a: 1, b: "", c: undefined, d: null, e: false })).toBe(
      "/api/x/?a=1&e=false",
    );
  });
  it("encodes values and appends to an existing query", () => {
    expect(withQuery("/api/x/?k=1", { where: '{"a": "b&c"}' })).toBe(
      "/api/x/?k=1&where=%7B%22a%22%3A+%22b%26c%22%7D",
    );
  });
});

describe("tableApi", () => {
  it("escapes schema and table names", () => {
    expect(tableApi("lab", "my schema", "Session")).toBe(
      "/api/pipelines/lab/tables/my%20schema/Session",
    );
  });
});

describe("atLeast", () => {
  it("orders roles owner > maintainer > operator > entry > viewer", () => {
    expect(atLeast("owner", "maintainer")).toBe(true);
    expect(atLeast("operator", "operator")).toBe(true);
    expect(atLeast("entry", "operator")).toBe(false);
    expect(atLeast(undefined, "viewer")).toBe(false);
  });
});

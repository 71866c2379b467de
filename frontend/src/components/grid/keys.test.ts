import { describe, expect, it } from "vitest";
import { moved } from "./keys";

describe("moved", () => {
  const at = { index: 5, column: 1 };
  it("moves by one cell, a page, or to either end", () => {
    expect(moved("ArrowDown", at, 100, 3, 10)).toEqual({ index: 6, column: 1 });
    expect(moved("ArrowUp", at, 100, 3, 10)).toEqual({ index: 4, column: 1 });
    expect(moved("ArrowRight", at, 100, 3, 10)).toEqual({ index: 5, column: 2 });
    expect(moved("ArrowLeft", at, 100, 3, 10)).toEqual({ index: 5, column: 0 });
    expect(moved("PageDown", at, 100, 3, 10)).toEqual({ index: 15, column: 1 });
    expect(moved("Home", at, 100, 3, 10)).toEqual({ index: 0, column: 1 });
    expect(moved("End", at, 100, 3, 10)).toEqual({ index: 99, column: 1 });
  });
  it("stays inside the grid", () => {
    expect(moved("PageUp", at, 100, 3, 10)).toEqual({ index: 0, column: 1 });
    expect(moved("ArrowRight", { index: 0, column: 2 }, 100, 3, 10)).toEqual({ index: 0, column: 2 });
    expect(moved("PageDown", { index: 95, column: 0 }, 100, 3, 10)).toEqual({ index: 99, column: 0 });
  });
  it("ignores other keys", () => {
    expect(moved("a", at, 100, 3, 10)).toBeNull();
  });
});

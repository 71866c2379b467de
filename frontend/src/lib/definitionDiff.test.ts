import { describe, expect, it } from "vitest";
import { diffLines, diffSnapshots } from "./definitionDiff";

describe("line diff", () => {
  it("marks kept, removed and added lines in order", () => {
    expect(diffLines("a\nb\nc\n", "a\nc\nd\n")).toEqual([
      { op: "same", text: "a" },
      { op: "removed", text: "b" },
      { op: "same", text: "c" },
      { op: "added", text: "d" },
    ]);
  });

  it("treats a missing text as empty", () => {
    expect(diffLines("", "x : int8\n")).toEqual([{ op: "added", text: "x : int8" }]);
    expect(diffLines("x\n", "x")).toEqual([{ op: "same", text: "x" }]);
  });

  it("compares tables of two snapshots", () => {
    const t = (class_name: string, definition: string, tier = "Manual") => ({ schema: "s", class_name, tier, definition });
    const result = diffSnapshots(
      [t("A", "a : int8\n"), t("B", "b : int8\n"), t("C", "c : int8\n")],
      [t("A", "a : int8\n"), t("B", "b : int16\n"), t("D", "d : int8\n"), t("C", "c : int8\n", "Lookup")],
    );
    expect(result.map((r) => [r.id, r.change])).toEqual([
      ["s.A", "same"],
      ["s.B", "changed"],
      ["s.C", "changed"],
      ["s.D", "added"],
    ]);
    expect(result[1].lines.map((l) => l.op)).toEqual(["removed", "added"]);
  });
});

import { describe, expect, it } from "vitest";
import {
  addForeignKey,
  addTable,
  keyNameFor,
  nameProblem,
  removeTable,
  renameTable,
  type BuilderTable,
} from "./tables";

const table = (key: string, className: string, definition: string, extra: Partial<BuilderTable> = {}): BuilderTable => ({
  key,
  schema: "lab",
  className,
  tier: "Manual",
  master: null,
  definition,
  x: 0,
  y: 0,
  ...extra,
});

describe("builder edits", () => {
  const start = [
    table("a", "Subject", "subject_id : int32\n"),
    table("b", "Session", "-> Subject\nsession : int16\n---\n-> [nullable] lab.Subject\n", { x: 240 }),
    table("c", "Session.Trial", "-> master\ntrial : int16\n", { master: "Session", tier: "Part" }),
    table("d", "Other", "-> Session.Trial\n"),
  ];

  it("adds tables with a starting key, parts inside their master with -> master", () => {
    const { tables, table: added } = addTable(start, { schema: "lab", name: "MouseLine", tier: "Lookup", master: null });
    expect(added.definition).toBe("mouse_line_id : varchar(32)\n");
    expect(added.x).toBe(480);
    expect(tables).toHaveLength(5);
    const part = addTable(start, { schema: "lab", name: "Stim", tier: "Part", master: "Session" }).table;
    expect(part.className).toBe("Session.Stim");
    expect(part.definition).toBe("# Part table\n-> master\n");
    expect(part.y).toBeGreaterThan(0);
    expect(keyNameFor("Session.TrialEvent")).toBe("trial_event_id");
  });

  it("adds a foreign key after the key's other foreign keys", () => {
    const result = addForeignKey(start, "a", "b");
    expect(result?.index).toBe(1);
    expect(result?.tables[1].definition).toBe(
      "-> Subject\n-> Subject\nsession : int16\n---\n-> [nullable] lab.Subject\n",
    );
    expect(addForeignKey(start, "b", "c")?.tables[2].definition).toBe("-> master\n-> master\ntrial : int16\n");
    expect(addForeignKey(start, "a", "a")).toBeNull();
  });

  it("renames a table, its parts and every reference to it", () => {
    const renamed = renameTable(start, "b", "Visit");
    expect(renamed.map((t) => t.className)).toEqual(["Subject", "Visit", "Visit.Trial", "Other"]);
    expect(renamed[2].master).toBe("Visit");
    expect(renamed[2].definition).toBe("-> master\ntrial : int16\n");
    expect(renamed[3].definition).toBe("-> Visit.Trial\n");
    const subject = renameTable(start, "a", "Animal");
    expect(subject[1].definition).toBe("-> Animal\nsession : int16\n---\n-> [nullable] Animal\n");
  });

  it("removes a table with its parts", () => {
    expect(removeTable(start, "b").map((t) => t.key)).toEqual(["a", "d"]);
  });

  it("checks new names", () => {
    expect(nameProblem(start, "lab", "Subject")).toMatch(/already defined/);
    expect(nameProblem(start, "lab", "subject")).toMatch(/CamelCase/);
    expect(nameProblem(start, "other", "Subject")).toBeNull();
  });
});

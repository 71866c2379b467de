import { describe, expect, it } from "vitest";
import { buildGraph, referenceTo, referencedId, type DraftTable } from "./definitionGraph";

const draft = (className: string, tier: string, definition: string, master: string | null = null): DraftTable => ({
  schema: "lab",
  className,
  tier,
  master,
  definition,
});

describe("the graph of definitions", () => {
  const drafts = [
    draft("Species", "Lookup", "species : varchar(32)\n"),
    draft("Subject", "Manual", "subject_id : int32\n---\n-> Species\n"),
    draft("Session", "Manual", "-> Subject.proj(animal='subject_id')\nsession : int16\n---\nnote : varchar(9)\n"),
    draft("Session.Trial", "Part", "-> master\ntrial : int16\n", "Session"),
    draft("Stats", "Computed", "-> Session\n---\nmean : float64\n"),
    draft("Far", "Manual", "-> other.Thing\nid : int8\n"),
  ];
  const graph = buildGraph(drafts);
  const table = (id: string) => graph.tables.find((t) => t.id === id)!;

  it("inherits parents' keys, renamed as the projection says", () => {
    expect(table("lab.Session").attributes.map((a) => [a.name, a.inKey, a.fromParent ?? false])).toEqual([
      ["animal", true, true],
      ["session", true, false],
      ["note", false, false],
    ]);
    expect(table("lab.Subject").attributes.map((a) => [a.name, a.inKey])).toEqual([
      ["subject_id", true],
      ["species", false],
    ]);
    expect(table("lab.Stats").attributes.map((a) => a.name)).toEqual(["animal", "session", "mean"]);
    expect(table("lab.Session.Trial").attributes.map((a) => a.name)).toEqual(["animal", "session", "trial"]);
    expect(table("lab.Session.Trial").master).toBe("lab.Session");
  });

  it("draws an edge per foreign key with primary and renamed", () => {
    const edges = graph.edges.map((e) => [e.parent, e.child, e.primary, e.renamed]);
    expect(edges).toEqual([
      ["lab.Species", "lab.Subject", false, {}],
      ["lab.Subject", "lab.Session", true, { animal: "subject_id" }],
      ["lab.Session", "lab.Session.Trial", true, {}],
      ["lab.Session", "lab.Stats", true, {}],
    ]);
  });

  it("shows a reference to a table it does not know as one line", () => {
    expect(table("lab.Far").attributes[0]).toMatchObject({ name: "→ other.Thing", fromParent: true });
  });

  it("survives a cycle", () => {
    const cyclic = buildGraph([draft("A", "Manual", "-> B\na : int8\n"), draft("B", "Manual", "-> A\nb : int8\n")]);
    expect(cyclic.tables).toHaveLength(2);
  });

  it("names references as the engine reads them", () => {
    const part = drafts[3];
    expect(referencedId("master", part)).toBe("lab.Session");
    expect(referencedId("master.Other", part)).toBe("lab.Session.Other");
    expect(referencedId("other.Thing", part)).toBe("other.Thing");
    expect(referencedId("Session.Trial", drafts[4])).toBe("lab.Session.Trial");
    expect(referencedId("bad name", drafts[4])).toBeNull();
    expect(referenceTo(drafts[2], part)).toBe("master");
    expect(referenceTo(drafts[2], drafts[4])).toBe("Session");
    expect(referenceTo({ ...drafts[0], schema: "ref" }, drafts[1])).toBe("ref.Species");
  });
});

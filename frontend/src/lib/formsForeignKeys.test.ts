import { describe, expect, it } from "vitest";
import { childValues, foreignKeysOf, parentLabel, parentSearch, type Diagram } from "./formsForeignKeys";

const species = {
  id: "`demo`.`#species`",
  schema: "demo",
  name: "Species",
  tier: "Lookup",
  primary_key: ["species"],
  attributes: [
    { name: "species", type: "varchar(32)", in_key: true },
    { name: "common_name", type: "varchar(64)", in_key: false },
  ],
};
const subject = {
  id: "`demo`.`subject`",
  schema: "demo",
  name: "Subject",
  tier: "Manual",
  primary_key: ["subject_id"],
  attributes: [
    { name: "subject_id", type: "int32", in_key: true },
    { name: "species", type: "varchar(32)", in_key: false },
    { name: "date_of_birth", type: "date", in_key: false },
  ],
};
const diagram: Diagram = {
  nodes: [species, subject],
  edges: [{ parent: species.id, child: subject.id, attr_map: { species: "species" } }],
};

describe("foreignKeysOf", () => {
  it("finds a table's parents with the attribute map", () => {
    expect(foreignKeysOf(diagram, "demo", "Subject")).toEqual([
      { parent: species, attrMap: { species: "species" } },
    ]);
    expect(foreignKeysOf(diagram, "demo", "Species")).toEqual([]);
    expect(foreignKeysOf(diagram, "demo", "Nowhere")).toEqual([]);
  });
});

describe("parentSearch", () => {
  it("searches text attributes with like, numeric ones by value", () => {
    expect(parentSearch(species, " mus ")).toEqual({
      or: [
        { attribute: "species", operator: "like", value: "%mus%" },
        { attribute: "common_name", operator: "like", value: "%mus%" },
      ],
    });
    expect(parentSearch(subject, "3")).toEqual({
      or: [
        { attribute: "subject_id", operator: "=", value: 3 },
        { attribute: "species", operator: "like", value: "%3%" },
      ],
    });
    expect(parentSearch(species, "")).toBeNull();
    const session = { attributes: [{ name: "session_idx", type: "int16" }, { name: "duration", type: "float64" }] };
    expect(parentSearch(session, "40000")).toEqual({ attribute: "duration", operator: "=", value: 40000 });
    expect(parentSearch(session, "1.5")).toEqual({ attribute: "duration", operator: "=", value: 1.5 });
  });
});

describe("parentLabel and childValues", () => {
  it("labels a parent row by key and values, and maps it to the child's attributes", () => {
    const row = { species: "Mus musculus", common_name: "house mouse" };
    expect(parentLabel(species, row)).toBe("Mus musculus (house mouse)");
    expect(childValues({ parent: species, attrMap: { kind: "species" } }, row)).toEqual({ kind: "Mus musculus" });
  });
});

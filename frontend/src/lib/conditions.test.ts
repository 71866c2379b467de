import { describe, expect, it } from "vitest";
import {
  type Condition,
  type ConditionGroup,
  emptyGroup,
  emptyRow,
  fromCondition,
  splitList,
  toCondition,
  updateNode,
} from "./conditions";

const TYPES = {
  subject_id: "int32",
  species: "varchar(32)",
  duration: "float64",
  score: "decimal(5,2)",
  session_date: "date",
};

const row = (attribute: string, operator: string, value: string) => ({
  ...emptyRow(attribute),
  operator: operator as ReturnType<typeof emptyRow>["operator"],
  value,
});

describe("toCondition", () => {
  it("sends nothing for an empty builder or empty rows", () => {
    expect(toCondition(emptyGroup(), TYPES)).toEqual({ condition: null, errors: [] });
    const group = { ...emptyGroup(), items: [emptyRow(), emptyRow()] };
    expect(toCondition(group, TYPES)).toEqual({ condition: null, errors: [] });
  });

  it("types values: numbers stay numbers, decimals exact text, text as typed", () => {
    const group: ConditionGroup = {
      ...emptyGroup(),
      items: [
        row("subject_id", ">=", " 2 "),
        row("duration", "<", "2.5"),
        row("score", "=", "1.10"),
        row("species", "like", "Mus%"),
      ],
    };
    expect(toCondition(group, TYPES).condition).toEqual({
      and: [
        { attribute: "subject_id", operator: ">=", value: 2 },
        { attribute: "duration", operator: "<", value: 2.5 },
        { attribute: "score", operator: "=", value: "1.10" },
        { attribute: "species", operator: "like", value: "Mus%" },
      ],
    });
  });

  it("turns in lists into typed lists", () => {
    const group = {
      ...emptyGroup(),
      items: [row("subject_id", "in", "1, 2,3"), row("species", "not in", 'a, "b, c"')],
    };
    expect(toCondition(group, TYPES).condition).toEqual({
      and: [
        { attribute: "subject_id", operator: "in", value: [1, 2, 3] },
        { attribute: "species", operator: "not in", value: ["a", "b, c"] },
      ],
    });
  });

  it("sends no value for is null, one condition without a group, NOT and OR", () => {
    const single = { ...emptyGroup(), items: [row("score", "is null", "")] };
    expect(toCondition(single, TYPES).condition).toEqual({ attribute: "score", operator: "is null" });
    const nested: ConditionGroup = {
      ...emptyGroup("or"),
      negate: true,
      items: [row("subject_id", "=", "1"), { ...emptyGroup(), items: [row("species", "=", "rat")] }],
    };
    expect(toCondition(nested, TYPES).condition).toEqual({
      not: {
        or: [
          { attribute: "subject_id", operator: "=", value: 1 },
          { attribute: "species", operator: "=", value: "rat" },
        ],
      },
    });
  });

  it("reports incomplete rows by id and sends nothing then", () => {
    const noAttribute = row("", "=", "3");
    const noValue = row("species", "=", "  ");
    const notNumber = row("duration", ">", "long");
    const badList = row("subject_id", "in", "1, x");
    const emptyList = row("subject_id", "in", " ");
    const unknown = row("nope", "=", "1");
    const group = {
      ...emptyGroup(),
      items: [noAttribute, noValue, notNumber, badList, emptyList, unknown, row("subject_id", "=", "1")],
    };
    const { condition, errors } = toCondition(group, TYPES);
    expect(condition).toBeNull();
    expect(errors.map((e) => e.id)).toEqual([
      noAttribute.id,
      noValue.id,
      notNumber.id,
      badList.id,
      emptyList.id,
      unknown.id,
    ]);
    expect(errors[2].message).toBe("long is not a number.");
  });
});

describe("fromCondition", () => {
  const trees: Condition[] = [
    { attribute: "subject_id", operator: ">", value: 1 },
    { and: [{ attribute: "species", operator: "=", value: "Mus musculus" }, { attribute: "duration", operator: "<=", value: 3 }] },
    { or: [{ attribute: "subject_id", operator: "in", value: [1, 2] }, { not: { attribute: "species", operator: "like", value: "R%" } }] },
    { not: { and: [{ attribute: "score", operator: "is not null" }, { attribute: "species", operator: "not in", value: ["a, b", 'say "hi"'] }] } },
    { and: [{ attribute: "score", operator: "=", value: "1.10" }, { or: [{ attribute: "session_date", operator: ">=", value: "2026-01-01" }, { attribute: "subject_id", operator: "!=", value: -3.5 }] }] },
  ];

  it.each(trees.map((tree) => [JSON.stringify(tree), tree]))("round trips %s", (_, tree) => {
    expect(toCondition(fromCondition(tree), TYPES)).toEqual({ condition: tree, errors: [] });
  });

  it("folds a group of one into its condition", () => {
    const tree: Condition = { or: [{ attribute: "subject_id", operator: "=", value: 1 }] };
    expect(toCondition(fromCondition(tree), TYPES).condition).toEqual(tree.or[0]);
  });

  it("gives an empty builder for no condition and fills a default operator", () => {
    expect(fromCondition(null).items).toEqual([]);
    expect(fromCondition({} as Condition).items).toEqual([]);
    const group = fromCondition({ attribute: "species", value: "rat" });
    expect(group.items[0]).toMatchObject({ attribute: "species", operator: "=", value: "rat" });
  });

  it("refuses operators the builder cannot show", () => {
    expect(() => fromCondition({ attribute: "a", operator: "between", value: [1, 2] })).toThrow(/between/);
  });
});

describe("helpers", () => {
  it("splits lists on commas, with quotes for values holding one", () => {
    expect(splitList("a, b ,c")).toEqual(["a", "b", "c"]);
    expect(splitList('"x, y", z')).toEqual(["x, y", "z"]);
    expect(splitList("")).toEqual([]);
  });

  it("updates and removes nodes anywhere in the tree", () => {
    const inner = { ...emptyGroup(), items: [row("species", "=", "a")] };
    const first = row("subject_id", "=", "1");
    const group = { ...emptyGroup(), items: [first, inner] };
    const changed = updateNode(group, inner.items[0].id, (node) => ({ ...node, value: "b" }) as typeof node);
    expect((changed.items[1] as ConditionGroup).items[0]).toMatchObject({ value: "b" });
    const removed = updateNode(group, first.id, () => null);
    expect(removed.items).toEqual([inner]);
  });
});

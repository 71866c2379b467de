import { describe, expect, it } from "vitest";
import { emptyState, outputColumns, querySpec, stateErrors } from "./query";

const SESSION = { schema: "demo", name: "Session" };
const ATTRS = ["subject_id", "session_idx", "session_date", "duration", "species"];
const PAGE = { limit: 50, offset: 100 };

describe("querySpec", () => {
  it("is just the table and the page for a plain browse", () => {
    expect(querySpec(emptyState(SESSION), ATTRS, PAGE)).toEqual({
      table: SESSION,
      limit: 50,
      offset: 100,
    });
  });

  it("joins, filters, hides and renames columns, and orders by the shown name", () => {
    const state = {
      ...emptyState(SESSION),
      joins: [{ schema: "demo", name: "Subject" }],
      where: { attribute: "duration", operator: ">", value: 2 },
      hidden: ["session_date"],
      renames: { duration: "seconds", species: " ", subject_id: "subject_id" },
      orderBy: { attribute: "duration", descending: true },
    };
    expect(querySpec(state, ATTRS, PAGE)).toEqual({
      table: SESSION,
      join: [{ table: { schema: "demo", name: "Subject" } }],
      where: { attribute: "duration", operator: ">", value: 2 },
      project: { keep: "all", exclude: ["session_date"], rename: { seconds: "duration" } },
      order_by: ["-seconds"],
      limit: 50,
      offset: 100,
    });
    expect(outputColumns(state, ATTRS)).toEqual(["subject_id", "session_idx", "seconds", "species"]);
  });

  it("aggregates by groups, computing named columns", () => {
    const state = {
      ...emptyState(SESSION),
      hidden: ["duration"],
      groupBy: ["subject_id"],
      computations: [
        { name: "n", function: "count" as const, attribute: "*" },
        { name: "mean_duration", function: "avg" as const, attribute: "duration" },
      ],
      renames: { n: "sessions" },
      orderBy: { attribute: "n", descending: false },
    };
    expect(querySpec(state, ATTRS, { limit: 10, offset: 0 })).toEqual({
      table: SESSION,
      aggregate: {
        group_by: ["subject_id"],
        compute: [
          { name: "n", function: "count", attribute: "*" },
          { name: "mean_duration", function: "avg", attribute: "duration" },
        ],
      },
      project: { keep: "all", rename: { sessions: "n" } },
      order_by: ["sessions"],
      limit: 10,
      offset: 0,
    });
    expect(outputColumns(state, ATTRS)).toEqual(["subject_id", "sessions", "mean_duration"]);
  });
});

describe("stateErrors", () => {
  it("accepts good choices", () => {
    expect(stateErrors(emptyState(SESSION), ATTRS)).toEqual([]);
  });

  it("names bad new names, computations and clashing columns", () => {
    const state = {
      ...emptyState(SESSION),
      renames: { duration: "Seconds", species: "session_idx" },
    };
    expect(stateErrors(state, ATTRS)).toEqual([
      "duration: a new name is lowercase letters, digits and _, first a letter.",
      "Two columns have the same name.",
    ]);
    const aggregate = {
      ...emptyState(SESSION),
      computations: [
        { name: "", function: "count" as const, attribute: "*" },
        { name: "total", function: "sum" as const, attribute: "*" },
        { name: "low", function: "min" as const, attribute: "" },
      ],
    };
    expect(stateErrors(aggregate, ATTRS)).toEqual([
      "(unnamed): name the computed column (lowercase).",
      'total: "*" goes with count only.',
      "low: choose an attribute.",
    ]);
  });
});

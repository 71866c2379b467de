import { describe, expect, it } from "vitest";
import type { JobError, Run } from "./api";
import { groupErrors } from "./ErrorGroups";
import { percent, processed } from "./progress";

const failure = (error: string, message: string, n: number): JobError => ({
  key: { n },
  error,
  message,
  traceback: `Traceback (most recent call last):\n${error}: ${message}`,
  time: null,
  worker: "host:1",
});

describe("groupErrors", () => {
  it("groups keys by exception type, the largest group first, messages once", () => {
    const groups = groupErrors([
      failure("KeyError", "KeyError: 'x'", 1),
      failure("ValueError", "ValueError: empty", 2),
      failure("ValueError", "ValueError: empty", 3),
      failure("ValueError", "ValueError: negative", 4),
    ]);
    expect(groups.map((g) => [g.error, g.items.length])).toEqual([
      ["ValueError", 3],
      ["KeyError", 1],
    ]);
    expect(groups[0].messages).toEqual(["ValueError: empty", "ValueError: negative"]);
    expect(groupErrors([])).toEqual([]);
  });
});

const run = (fields: Partial<Run>): Run =>
  ({ id: 1, schema: "s", table: "T", status: "running", total: 10, done: 0, failed: 0, skipped: 0, ...fields }) as Run;

describe("progress", () => {
  it("counts failed keys as processed", () => {
    expect(processed(run({ done: 6, failed: 1 }))).toBe(7);
    expect(percent(run({ total: 7, done: 6, failed: 1, status: "failed" }))).toBe(100);
    expect(percent(run({ total: 3, done: 1 }))).toBe(33);
  });
  it("never passes 100, and is 100 for an ended run that had nothing to do", () => {
    expect(percent(run({ total: 2, done: 3 }))).toBe(100);
    expect(percent(run({ total: 0, status: "succeeded" }))).toBe(100);
    expect(percent(run({ total: 0, status: "queued" }))).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { PageCache, pagesOf, scrollScale, visibleRange } from "./paging";

describe("visibleRange", () => {
  it("covers the viewport plus the overscan, clipped to the rows", () => {
    expect(visibleRange(0, 280, 28, 100_000, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(28 * 5000, 280, 28, 100_000, 5)).toEqual({ start: 4995, end: 5015 });
    expect(visibleRange(28 * 99_995, 280, 28, 100_000, 5)).toEqual({ start: 99_990, end: 100_000 });
  });
  it("renders a bounded number of rows wherever the scroll is", () => {
    for (const top of [0, 1234, 28 * 50_000 + 13, 28 * 100_000]) {
      const range = visibleRange(top, 800, 28, 100_000);
      expect(range.end - range.start).toBeLessThanOrEqual(Math.ceil(800 / 28) + 1 + 16);
    }
  });
  it("is empty without rows", () => {
    expect(visibleRange(0, 500, 28, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe("pagesOf", () => {
  it("lists the pages a range spans", () => {
    expect(pagesOf({ start: 90, end: 130 }, 100)).toEqual([0, 1]);
    expect(pagesOf({ start: 100, end: 200 }, 100)).toEqual([1]);
    expect(pagesOf({ start: 5, end: 5 }, 100)).toEqual([]);
  });
});

describe("PageCache", () => {
  it("forgets the least recently used page past its limit", () => {
    const cache = new PageCache<number>(2);
    cache.set(0, [0]);
    cache.set(1, [1]);
    cache.get(0);
    cache.set(2, [2]);
    expect([cache.has(0), cache.has(1), cache.has(2)]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });
  it("replaces a row in place", () => {
    const cache = new PageCache<string>();
    cache.set(1, ["a", "b"]);
    cache.replace(3, 2, "B");
    expect(cache.get(1)).toEqual(["a", "B"]);
  });
});

describe("scrollScale", () => {
  it("is 1:1 while the rows fit the browser's height limit", () => {
    expect(scrollScale(100_000, 28, 400)).toEqual({ height: 2_800_000, ratio: 1 });
  });
  it("compresses the scroll of tens of millions of rows so the last row is reachable", () => {
    const scale = scrollScale(50_000_000, 28, 400);
    expect(scale.height).toBe(8_000_000);
    // Scrolled to the end, the rows' offset is the last screenful.
    const lastTop = (scale.height - 400) * scale.ratio;
    expect(lastTop).toBeCloseTo(50_000_000 * 28 - 400, 0);
    expect(visibleRange(lastTop, 400, 28, 50_000_000, 0).end).toBe(50_000_000);
  });
});

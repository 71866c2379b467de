import { describe, expect, it } from "vitest";
import { addSample, etaSeconds, formatDuration, rateOf, type Sample } from "./liveRate";

describe("the sliding window", () => {
  it("keeps the samples of the window and the last one before it", () => {
    let samples: Sample[] = [];
    for (const [at, count] of [[0, 0], [4000, 10], [8000, 20], [15000, 50]]) {
      samples = addSample(samples, { at, count }, 10_000);
    }
    expect(samples).toEqual([
      { at: 4000, count: 10 },
      { at: 8000, count: 20 },
      { at: 15000, count: 50 },
    ]);
    expect(rateOf(samples)).toBeCloseTo(40 / 11);
  });

  it("reflects a change of speed once the old samples leave the window", () => {
    let samples: Sample[] = [];
    for (let second = 0; second <= 10; second += 1) {
      samples = addSample(samples, { at: second * 1000, count: second * 2 }, 5000);
    }
    expect(rateOf(samples)).toBeCloseTo(2);
    for (let second = 11; second <= 20; second += 1) {
      samples = addSample(samples, { at: second * 1000, count: 20 + (second - 10) * 10 }, 5000);
    }
    expect(rateOf(samples)).toBeCloseTo(10);
  });

  it("drops samples that went back in time or count (a reset)", () => {
    const samples = addSample([{ at: 5000, count: 9 }], { at: 6000, count: 3 });
    expect(samples).toEqual([{ at: 6000, count: 3 }]);
  });

  it("has no rate from one sample or no elapsed time", () => {
    expect(rateOf([{ at: 0, count: 0 }])).toBeNull();
    expect(rateOf([{ at: 5, count: 0 }, { at: 5, count: 4 }])).toBeNull();
  });
});

describe("ETA", () => {
  it("divides what is left by the rate", () => {
    expect(etaSeconds(30, 3)).toBe(10);
    expect(etaSeconds(0, null)).toBe(0);
    expect(etaSeconds(5, null)).toBeNull();
    expect(etaSeconds(5, 0)).toBeNull();
  });
  it("reads as seconds, minutes or hours", () => {
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(185)).toBe("3 min 5 s");
    expect(formatDuration(7800)).toBe("2 h 10 min");
  });
});

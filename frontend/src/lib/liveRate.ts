// A run's speed over a sliding window of (time, keys processed) samples, and what it implies:
// keys per second and the time left.

export interface Sample {
  /** Milliseconds (any clock, the same for every sample). */
  at: number;
  /** Keys processed so far (made + failed). */
  count: number;
}

export const RATE_WINDOW_MS = 10_000;

/** Add a sample and drop those older than the window (the newest one before it is kept as the
 * window's start, so a slow run still has a rate). Samples are returned oldest first. */
export function addSample(samples: Sample[], sample: Sample, windowMs = RATE_WINDOW_MS): Sample[] {
  const kept = [...samples.filter((s) => s.at <= sample.at && s.count <= sample.count), sample];
  const start = sample.at - windowMs;
  let first = 0;
  while (first + 1 < kept.length && kept[first + 1].at <= start) first += 1;
  return kept.slice(first);
}

/** Keys per second across the samples, or null when they span no time or no progress. */
export function rateOf(samples: Sample[]): number | null {
  if (samples.length < 2) return null;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = (last.at - first.at) / 1000;
  if (seconds <= 0) return null;
  return (last.count - first.count) / seconds;
}

/** Seconds left for `remaining` keys at `rate`, or null when unknown. */
export function etaSeconds(remaining: number, rate: number | null): number | null {
  if (remaining <= 0) return 0;
  if (rate === null || rate <= 0) return null;
  return remaining / rate;
}

/** "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

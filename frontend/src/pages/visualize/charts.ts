// Server plots as uPlot's aligned data and series: a histogram's bars, scatter points and lines
// (each series on its own x values, merged onto one sorted x axis with gaps elsewhere).
import uPlot from "uplot";
import type { BlobPlot, HistogramPlot, PointsPlot } from "../../api/plots";

export const PALETTE = [
  "#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df",
  "#bf3989", "#0a7f8f", "#6e7781", "#fb8500", "#3e7a52",
];

export const colour = (index: number) => PALETTE[index % PALETTE.length];

interface XY {
  x: (number | null)[];
  y: (number | null)[];
}

/** Series with their own x values on one x axis: x sorted, each series null where another's
 *  point is (uPlot draws lines across the gaps with spanGaps). */
export function alignSeries(series: XY[]): uPlot.AlignedData {
  const points: { x: number; s: number; y: number | null }[] = [];
  series.forEach((one, s) =>
    one.x.forEach((x, i) => {
      if (x !== null) points.push({ x, s, y: one.y[i] ?? null });
    }),
  );
  points.sort((a, b) => a.x - b.x || a.s - b.s);
  return [points.map((p) => p.x), ...series.map((_, s) => points.map((p) => (p.s === s ? p.y : null)))];
}

export interface Chart {
  data: uPlot.AlignedData;
  series: uPlot.Series[];
  xLabel: string;
  yLabel: string;
}

export function histogramChart(plot: HistogramPlot): Chart {
  const centres = plot.counts.map((_, i) => (plot.edges[i] + plot.edges[i + 1]) / 2);
  return {
    data: [centres, plot.counts],
    series: [
      {},
      {
        label: "rows",
        stroke: colour(0),
        fill: "rgba(9, 105, 218, 0.45)",
        paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 1 }),
        points: { show: false },
      },
    ],
    xLabel: plot.x,
    yLabel: "rows",
  };
}

const groupLabel = (group: unknown, by: string | null) =>
  by === null ? "rows" : `${by} = ${group === null ? "null" : String(group)}`;

export function pointsChart(plot: PointsPlot): Chart {
  const scatter = plot.kind === "scatter";
  return {
    data: alignSeries(plot.series),
    series: [
      {},
      ...plot.series.map((one, i): uPlot.Series => ({
        label: groupLabel(one.group, plot.group_by),
        stroke: colour(i),
        width: scatter ? 0 : 1.5,
        spanGaps: !scatter,
        paths: scatter ? () => null : undefined,
        points: scatter ? { show: true, size: 5, fill: colour(i), space: 0 } : { show: false },
      })),
    ],
    xLabel: plot.x,
    yLabel: plot.y,
  };
}

export function blobLinesChart(plot: BlobPlot): Chart {
  const lines = plot.lines ?? [];
  return {
    data: alignSeries(lines),
    series: [
      {},
      ...lines.map((line, i): uPlot.Series => ({
        label: lines.length > 1 ? `row ${line.index}` : plot.attribute,
        stroke: colour(i),
        width: 1,
        spanGaps: true,
        points: { show: false },
      })),
    ],
    xLabel: "sample",
    yLabel: plot.attribute,
  };
}

/** Viridis-like colour of t in [0, 1] (five stops, linear between). */
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
export function heatColour(t: number): [number, number, number] {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const at = clamped * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(at));
  const f = at - i;
  return [0, 1, 2].map((c) => Math.round(STOPS[i][c] + (STOPS[i + 1][c] - STOPS[i][c]) * f)) as [
    number,
    number,
    number,
  ];
}

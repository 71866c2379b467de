// A uPlot chart that follows its container's width.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Chart } from "./charts";

export function UPlotChart({ chart, title }: { chart: Chart; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(320, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 380,
        title,
        scales: { x: { time: false } },
        axes: [{ label: chart.xLabel }, { label: chart.yLabel }],
        series: chart.series,
        legend: { show: chart.series.length > 2 },
      },
      chart.data,
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 380 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [chart, title]);
  return <div ref={box} className="plot-canvas" role="img" aria-label={title} />;
}

// A 2-D array as a heat map on a plain canvas: one pixel block per cell, a colour bar beside it.
import { useEffect, useMemo, useRef } from "react";
import type { BlobPlot } from "../../api/plots";
import { heatColour } from "./charts";

const WIDTH = 820;
const HEIGHT = 360;

export function HeatMap({ plot, title }: { plot: BlobPlot; title: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const image = plot.image;
  // The colour scale spans the cells shown (block means), not the raw extremes.
  const [low, high] = useMemo(() => {
    let least = Infinity;
    let most = -Infinity;
    for (const row of image?.values ?? []) {
      for (const value of row) {
        if (value === null) continue;
        least = Math.min(least, value);
        most = Math.max(most, value);
      }
    }
    return least <= most ? [least, most] : [0, 1];
  }, [image]);
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext("2d");
    if (!element || !context || !image || image.rows === 0 || image.cols === 0) return;
    const cells = document.createElement("canvas");
    cells.width = image.cols;
    cells.height = image.rows;
    const pixels = new ImageData(image.cols, image.rows);
    const span = high - low || 1;
    image.values.forEach((row, r) =>
      row.forEach((value, c) => {
        const at = (r * image.cols + c) * 4;
        if (value === null) return; // transparent: no value
        const [red, green, blue] = heatColour((value - low) / span);
        pixels.data.set([red, green, blue, 255], at);
      }),
    );
    cells.getContext("2d")?.putImageData(pixels, 0, 0);
    context.clearRect(0, 0, element.width, element.height);
    context.imageSmoothingEnabled = false;
    context.drawImage(cells, 0, 0, element.width, element.height);
  }, [image, low, high]);
  if (!image) return null;
  return (
    <figure className="heat-map">
      <figcaption>{title}</figcaption>
      <div className="row heat-map-body">
        <canvas ref={canvas} width={WIDTH} height={HEIGHT} role="img" aria-label={title} />
        <div className="heat-bar" aria-hidden="true">
          <span>{high.toPrecision(4)}</span>
          <span className="heat-bar-colours" />
          <span>{low.toPrecision(4)}</span>
        </div>
      </div>
      <p className="muted">
        {image.rows} × {image.cols} cells
        {(image.row_step > 1 || image.col_step > 1) &&
          `, each the mean of ${image.row_step} × ${image.col_step} values`}
        ; rows top to bottom, columns left to right.
      </p>
    </figure>
  );
}

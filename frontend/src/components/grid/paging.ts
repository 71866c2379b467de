// The arithmetic of a virtualized, server-paged grid: which rows are on screen for a scroll
// position, which pages hold them, and a small cache of fetched pages that forgets the oldest.

export interface RowRange {
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last one to render. */
  end: number;
}

/** The rows visible at `scrollTop` in a viewport `height` px tall, plus `overscan` either side. */
export function visibleRange(
  scrollTop: number,
  height: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): RowRange {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, height)) / rowHeight);
  return {
    start: Math.max(0, Math.min(total, first - overscan)),
    end: Math.max(0, Math.min(total, last + overscan)),
  };
}

/** Page numbers (from 0) holding the rows of `range`. */
export function pagesOf(range: RowRange, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const pages: number[] = [];
  for (let page = Math.floor(range.start / pageSize); page * pageSize < range.end; page += 1) {
    pages.push(page);
  }
  return pages;
}

/** Fetched pages by number; past `limit` pages the least recently used one is dropped. */
export class PageCache<Row> {
  private pages = new Map<number, Row[]>();
  private readonly limit: number;

  constructor(limit = 40) {
    this.limit = limit;
  }

  get(page: number): Row[] | undefined {
    const rows = this.pages.get(page);
    if (rows !== undefined) {
      this.pages.delete(page);
      this.pages.set(page, rows);
    }
    return rows;
  }

  set(page: number, rows: Row[]): void {
    this.pages.delete(page);
    this.pages.set(page, rows);
    while (this.pages.size > this.limit) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
  }

  /** Replace one row in place (after an edit). */
  replace(index: number, pageSize: number, row: Row): void {
    const rows = this.pages.get(Math.floor(index / pageSize));
    if (rows) rows[index % pageSize] = row;
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  get size(): number {
    return this.pages.size;
  }

  clear(): void {
    this.pages.clear();
  }
}

/** Browsers cap an element's height (about 33 million px in Chromium): past `maxPx` the scroll
 *  area stays `maxPx` tall and one px of scrolling moves `ratio` px through the rows. */
export const MAX_SCROLL_PX = 8_000_000;

export interface ScrollScale {
  /** Height of the scrolling area, px. */
  height: number;
  /** Row px per scrolled px (1 when the rows fit). */
  ratio: number;
}

export function scrollScale(total: number, rowHeight: number, viewport: number, maxPx = MAX_SCROLL_PX): ScrollScale {
  const rows = Math.max(0, total) * rowHeight;
  if (rows <= maxPx) return { height: rows, ratio: 1 };
  const room = Math.max(1, maxPx - viewport);
  return { height: maxPx, ratio: Math.max(1, (rows - viewport) / room) };
}

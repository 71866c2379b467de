"""The web app in a real browser: Chromium driven by Playwright against daphne, the built app and
the API (SQLite data database, the embedded default).

Figures (issue 8 targets):

* the JavaScript a first load of the builder fetches, compressed (gzip, as whitenoise serves it):
  <= 400 KB;
* a 150-table pipeline diagram laid out and drawn (dashboard and builder), from navigation to
  every node placed: <= 1 s;
* scrolling the data grid through a 100k-row table (server paging, virtualized): frame times
  while it scrolls (no frame over 50 ms is "without jank"), and how many rows were fetched.

Usage (from the repository root, after ``make install``)::

    .venv/bin/python bench/web.py [--tables 150] [--rows 100000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.web.harness import CHROMIUM, CHROMIUM_ARGS, WebStack, embedded_env  # noqa: E402

DIST = ROOT / "frontend" / "dist"

WIDE = """
import django
django.setup()
import pipelines.core as dj
from accounts.models import Membership, User
from pipelines.models import Pipeline
from pipelines.services.data import data_connection

TABLES, ROWS = {tables}, {rows}
context = {{}}
schema = dj.Schema("wide", context=context, connection=data_connection())
classes = []
for i in range(TABLES):
    if i == 0:
        base = dj.Lookup
        body = "t0_id : int32\\n---\\nlabel : varchar(40)\\n"
    else:
        base = (dj.Manual, dj.Manual, dj.Computed, dj.Imported)[i % 4]
        parent = classes[(i - 1) // 2].__name__
        key = "" if base in (dj.Computed, dj.Imported) else f"t{{i}}_id : int32\\n"
        body = f"-> {{parent}}\\n{{key}}---\\nvalue : float64\\nnote : varchar(60)\\n"
    cls = type(f"T{{i}}", (base,), {{"definition": body, "make": lambda self, key: None}})
    classes.append(schema(cls))
    context[cls.__name__] = cls


@schema
class Reading(dj.Manual):
    definition = '''
    reading_id : int32
    ---
    value : float64
    taken : date
    note : varchar(60)
    '''


if not len(Reading()):
    import datetime as dt
    Reading.insert(
        {{"reading_id": i, "value": i * 0.5, "taken": dt.date(2024, 1, 1) + dt.timedelta(i % 365),
          "note": f"row {{i}}"}} for i in range(ROWS)
    )
demo = User.objects.get(username="demo")
wide, _ = Pipeline.objects.get_or_create(slug="wide", defaults={{"name": "Wide", "schemas": ["wide"]}})
Membership.objects.get_or_create(user=demo, pipeline=wide, defaults={{"role": "owner"}})
"""

ALL_PLACED = """(n) => {
  const nodes = [...document.querySelectorAll('.react-flow__node')];
  return nodes.length >= n && nodes.every((node) => node.style.visibility !== 'hidden');
}"""


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def first_load_js(page: Page, url: str) -> tuple[int, int, list[str]]:
    """Bytes of JS (raw, gzip) a fresh tab fetches to show ``url``."""
    fetched: list[str] = []
    page.on("response", lambda r: fetched.append(r.url) if r.url.endswith(".js") else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    names = [urlparse(u).path.removeprefix("/static/") for u in fetched]
    files = [DIST / name for name in names]
    return sum(f.stat().st_size for f in files), sum(gzip_size(f) for f in files), names


def slowest_fetches(page: Page) -> str:
    """The page's slowest requests (name and when each ended, from navigation start)."""
    entries = page.evaluate(
        """() => performance.getEntriesByType('resource')
              .map((e) => [e.name.replace(location.origin, ''), e.duration, e.responseEnd])"""
    )
    top = sorted(entries, key=lambda e: -e[1])[:4]
    return "; ".join(
        f"{name.split('?')[0]} {took:.0f} ms (done at {end:.0f})" for name, took, end in top
    )


def diagram_ms(page: Page, url: str, tables: int, data: tuple[str, ...]) -> tuple[float, float]:
    """Milliseconds from navigation start to every node of the diagram placed, and from the
    last of the page's ``data`` requests answered to every node placed (layout and drawing)."""
    page.goto(url)
    try:
        page.wait_for_function(ALL_PLACED, arg=tables, polling="raf", timeout=60_000)
    except Exception:
        shown = page.locator(".react-flow__node").count()
        page.screenshot(path=str(ROOT / "var" / "bench-web-failure.png"))
        raise AssertionError(f"{url}: {shown} of {tables} nodes placed after 60 s") from None
    placed = float(page.evaluate("performance.now()"))
    answered = page.evaluate(
        """(paths) => Math.max(0, ...performance.getEntriesByType('resource')
              .filter((e) => paths.some((p) => new URL(e.name).pathname.endsWith(p)))
              .map((e) => e.responseEnd))""",
        list(data),
    )
    return placed, placed - float(answered)


def grid_scroll(page: Page, url: str) -> dict[str, Any]:
    """Scroll the data grid from top to bottom in steps while recording frame times."""
    page.goto(url)
    page.wait_for_function(
        "() => document.querySelectorAll('.vgrid .vgrid-row:not(.vgrid-loading)').length > 0"
    )
    return page.evaluate(
        """async () => {
          const viewport = document.querySelector('.vgrid[role=grid]');
          const frames = [];
          let last = performance.now();
          let running = true;
          const tick = (now) => { frames.push(now - last); last = now; if (running) requestAnimationFrame(tick); };
          requestAnimationFrame(tick);
          const steps = 120;
          for (let i = 1; i <= steps; i++) {
            viewport.scrollTop = (viewport.scrollHeight - viewport.clientHeight) * i / steps;
            await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 16)));
          }
          const settle = performance.now();
          while (viewport.querySelector('.vgrid-row.vgrid-loading') && performance.now() - settle < 10000) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const settled = performance.now() - settle;
          running = false;
          const shown = [...viewport.querySelectorAll('.vgrid-row:not(.vgrid-loading)')]
            .map((row) => Number(row.getAttribute('aria-rowindex')) - 1);
          return {frames, lastRow: Math.max(...shown), settledMs: settled};
        }"""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=150)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="joinery-bench-web-") as scratch,
        sync_playwright() as pw,
    ):
        folder = Path(scratch)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with WebStack(folder, embedded_env(folder)) as stack:
            stack.browser = browser
            stack.prepare_demo()
            stack.run("-c", WIDE.format(tables=args.tables, rows=args.rows), timeout=600)
            stack.start_server()
            page = stack.page("demo")
            stack.api_as(page, "POST", "/api/pipelines/wide/import/", {"schema": "wide"})
            fresh = stack.page("demo")
            raw, packed, names = first_load_js(fresh, "/p/demo/builder")
            print(f"first load of the builder: {len(names)} JS files, {raw / 1024:.0f} KB, "
                  f"{packed / 1024:.0f} KB gzip (target <= 400 KB)")  # fmt: skip
            _, unplaced, _ = first_load_js(stack.page("demo"), "/p/wide/builder")
            print(f"  a just-imported pipeline, never placed (laid out once, with elk): "
                  f"{unplaced / 1024:.0f} KB gzip")  # fmt: skip
            total = args.tables + 1
            pages = {
                "dashboard": ("/diagram/", "/populate/status/"),
                "builder": ("/definitions/",),
            }
            for name, data in pages.items():
                runs = [diagram_ms(page, f"/p/wide/{name}", total, data) for _ in range(3)]
                print(f"{total}-table diagram on the {name} (first visit; next two):")
                print("  layout and drawing, from its data answered to every node placed: "
                      + " / ".join(f"{after:.0f}" for _, after in runs)
                      + " ms (target <= 1000 ms)")  # fmt: skip
                print("  navigation to every node placed: "
                      + " / ".join(f"{whole:.0f}" for whole, _ in runs) + " ms")  # fmt: skip
                print(f"  slowest requests: {slowest_fetches(page)}")
            scrolled = grid_scroll(page, "/p/wide/data/wide/Reading")
            frames = sorted(scrolled["frames"][1:])
            long_frames = sum(1 for f in frames if f > 50)
            print(f"grid scroll through {args.rows:,} rows: {len(frames)} frames, p50 "
                  f"{statistics.median(frames):.1f} ms, p99 {frames[int(len(frames) * 0.99)]:.1f} ms, "
                  f"max {frames[-1]:.1f} ms, frames over 50 ms: {long_frames}; last row shown "
                  f"{scrolled['lastRow']:,} (its page loaded {scrolled['settledMs']:.0f} ms after the scroll)")  # fmt: skip
            print(json.dumps({"builder_js_gzip_kb": round(packed / 1024)}))
        browser.close()


if __name__ == "__main__":
    main()

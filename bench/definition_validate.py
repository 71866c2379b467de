"""Validate a 30-table pipeline (target: <= 200 ms), on SQLite and MariaDB.

Two cases per backend, each the median of 5 runs of the portal's validation (parse, order,
resolve, DDL, and for live tables ``definition_diff`` against the database):

* **new**: none of the 30 tables exists yet (30 creates planned);
* **live**: all 30 exist and match (30 live diffs, the costlier case), one of them edited so
  the plan holds one ALTER.

Usage (from the repository root)::

    .venv/bin/python bench/definition_validate.py

MariaDB comes from ``JOINERY_BENCH_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import pipelines.core as dj  # noqa: E402
from pipelines.core.settings import Config  # noqa: E402
from pipelines.models import TableDefinition  # noqa: E402
from pipelines.services.definition_plan import plan_definitions  # noqa: E402

MYSQL_URL = os.environ.get("JOINERY_BENCH_MYSQL_URL", "mysql://root:@127.0.0.1:3306")
TARGET_MS = 200.0
RUNS = 5


def pipeline_definitions() -> list[tuple[str, str, str, str | None]]:
    """(class name, tier, definition, master) for 30 tables: lookups, a subject/session core,
    parts, and computed tables referencing two or three parents each."""
    tables: list[tuple[str, str, str, str | None]] = [
        (f"Kind{i}", "Lookup", f"kind{i} : varchar(16)\n---\nlabel : varchar(64)\n", None)
        for i in range(4)
    ]
    tables += [
        ("Subject", "Manual", "subject_id : int32\n---\n-> Kind0\nname : varchar(32)\n", None),
        ("Session", "Manual", "-> Subject\nsession : int16\n---\n-> Kind1\nstarted : datetime\n"
         "note = '' : varchar(255)\n", None),
        ("Session.Trial", "Part", "-> master\ntrial : int16\n---\n-> [nullable] Kind2\n"
         "start : float64\nstop : float64\n", "Session"),
    ]  # fmt: skip
    for i in range(11):
        parent = "Session" if i % 2 else "Session.Trial"
        extra = f"-> Kind{i % 4}\n" if i % 3 == 0 else ""
        text = f"-> {parent}\n---\n{extra}value{i} : float64\ncount{i} = 0 : int32\n"
        tables.append((f"Stage{i}", "Computed", text, None))
        part = "-> master\nitem : int16\n---\nscore : float32\n"
        tables.append((f"Stage{i}.Item", "Part", part, f"Stage{i}"))
    tables.append(("Report", "Computed", "-> Stage1\n-> Stage3\n---\nnote : varchar(255)\n", None))
    return tables[:30]


def drafts(schema: str, edited: bool = False) -> list[TableDefinition]:
    rows: dict[str, TableDefinition] = {}
    for name, tier, text, master in pipeline_definitions():
        if edited and name == "Subject":
            text += "weight = 0 : float32\n"
        rows[name] = TableDefinition(
            schema=schema, class_name=name, tier=tier, definition=text,
            master=rows[master] if master else None,
        )  # fmt: skip
    return list(rows.values())


def declare(conn: dj.Connection, schema_name: str) -> None:
    """Create the 30 tables with the engine, as a lab's DataJoint code would."""
    schema = dj.Schema(schema_name, connection=conn)
    tiers: dict[str, Any] = {"Lookup": dj.Lookup, "Manual": dj.Manual, "Computed": dj.Computed}
    context: dict[str, Any] = {}
    parts: dict[str, list[tuple[str, str]]] = {}
    for name, _, text, master in pipeline_definitions():
        if master:
            parts.setdefault(master, []).append((name.split(".")[1], text))
    for name, tier, text, master in pipeline_definitions():
        if master:
            continue
        body: dict[str, Any] = {"definition": text}
        for part_name, part_text in parts.get(name, []):
            body[part_name] = type(part_name, (dj.Part,), {"definition": part_text})
        cls = type(name, (tiers[tier],), body)
        context[name] = cls
        schema(cls, context=dict(context))


def measure(conn: dj.Connection, schema: str, edited: bool) -> tuple[float, Any]:
    times, plan = [], None
    for _ in range(RUNS):
        rows = drafts(schema, edited)
        start = time.perf_counter()
        plan = plan_definitions(conn, [schema], rows)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, plan


def run(backend: str, url: str) -> None:
    config = Config(environ={})
    config["safemode"] = False
    conn = dj.Connection(url=url, config=config)
    schema = f"bench_defs_{uuid.uuid4().hex[:8]}"
    try:
        new_ms, plan = measure(conn, schema, edited=False)
        assert plan.ok and len(plan.of("create")) == 30, plan.as_dict()["errors"]
        declare(conn, schema)
        live_ms, plan = measure(conn, schema, edited=True)
        assert plan.ok and len(plan.of("alter")) == 1 and len(plan.of("unchanged")) == 29
        for case, ms in (("30 new tables", new_ms), ("30 live tables, 1 alter", live_ms)):
            verdict = "PASS" if ms <= TARGET_MS else "MISS"
            print(f"{backend:7} {case:26} {ms:8.1f} ms  (target <= {TARGET_MS:.0f} ms)  {verdict}")
    finally:
        if conn.catalog.schema_exists(schema):
            dj.Schema(schema, connection=conn, create_schema=False).drop(prompt=False)
        conn.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    run("mariadb", MYSQL_URL)


if __name__ == "__main__":
    main()

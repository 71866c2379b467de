"""Rows API benchmark: a page of 100 rows from a 100k-row table, and 1,000 rows inserted in one
request, through the portal's HTTP API (Django test client: routing, authentication, role check,
table lookup, condition and value encoding, JSON rendering) and through the service alone.

Targets (issue 6): page p50 <= 15 ms; insert of 1,000 rows <= 150 ms. Each figure is printed
beside its floor: the raw driver running a comparable statement (the page's SELECT with
LIMIT/OFFSET; an executemany of the same 1,000 rows), so the ratio is the portal's own cost.

Usage (from the repository root)::

    .venv/bin/python bench/rows_api.py [--backend mysql|sqlite|both] [--rows 100000] [--runs 50]

The portal database is a scratch SQLite file; the data database is MariaDB
(``JOINERY_BENCH_MYSQL_URL``, default ``mysql://root:@127.0.0.1:3306``) or a scratch SQLite file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="joinery-bench-rows-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'portal.sqlite3'}"
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
MYSQL_URL = os.environ.get("JOINERY_BENCH_MYSQL_URL", "mysql://root:@127.0.0.1:3306")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

import pipelines.core as dj  # noqa: E402
from accounts.models import Membership, User  # noqa: E402
from pipelines.models import Pipeline  # noqa: E402
from pipelines.services.data import close_data_connections, data_connection  # noqa: E402
from pipelines.services.row_tables import row_table  # noqa: E402
from pipelines.services.rows_read import rows_page  # noqa: E402

DEFINITION = """
trial_id : int32
---
subject : varchar(16)
score : float64
day : date
note : varchar(64)
flag : int16
"""


def p50(work: Callable[[], Any], runs: int, setup: Callable[[int], Any] | None = None) -> float:
    """Median wall time in ms of ``work`` over ``runs`` runs, after 3 untimed warm-up runs."""
    times = []
    for run in range(-3, runs):
        if setup is not None:
            setup(run)
        start = time.perf_counter()
        work()
        if run >= 0:
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fill(table: Any, count: int) -> None:
    batch = 20_000
    for start in range(0, count, batch):
        table.insert(
            {
                "trial_id": i, "subject": f"s{i % 97}", "score": i * 0.5,
                "day": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "note": f"note {i}",
                "flag": i % 100,
            }
            for i in range(start, min(count, start + batch))
        )  # fmt: skip


def run(backend: str, count: int, runs: int) -> list[tuple[str, float, float, str]]:
    url = MYSQL_URL if backend == "mysql" else f"sqlite:///{SCRATCH / 'data.sqlite3'}"
    settings.JOINERY = {**settings.JOINERY, "DATA_DATABASE_URL": url}
    close_data_connections()
    conn = data_connection()
    name = f"jbench_{uuid.uuid4().hex[:8]}"
    schema = dj.Schema(name, connection=conn)
    table_class = type("Trial", (dj.Manual,), {"definition": DEFINITION})
    table = schema(table_class)
    try:
        fill(table, count)
        pipeline = Pipeline.objects.create(name=name, slug=name.replace("_", "-"), schemas=[name])
        user = User.objects.create_user(username=f"u{name}", password="x")
        Membership.objects.create(user=user, pipeline=pipeline, role="owner")
        client = APIClient()
        client.force_authenticate(user=user)
        base = f"/api/pipelines/{pipeline.slug}/tables/{name}/Trial/rows/"
        middle = count // 2

        def page(query: str) -> Callable[[], None]:
            def get() -> None:
                response = client.get(f"{base}?limit=100{query}")
                assert response.status_code == 200 and len(response.json()["rows"]) == 100

            return get

        target = row_table(pipeline=pipeline, schema=name, name="Trial")
        table_ref = conn.dialect.table_ref(name, "trial")
        columns = "trial_id, subject, score, day, note, flag"
        first_sql = f"SELECT {columns} FROM {table_ref} ORDER BY trial_id LIMIT 100"
        deep_sql = f"{first_sql} OFFSET {middle}"
        count_sql = f"SELECT count(*) FROM {table_ref}"
        after = f"&after=%7B%22trial_id%22%3A{middle}%7D"

        def floor(*statements: str) -> float:
            return p50(lambda: [conn.query(sql).fetchall() for sql in statements], runs)

        first, deep, counted = floor(first_sql), floor(deep_sql), floor(first_sql, count_sql)
        results = [
            ("page 1 (API, with count)", p50(page(""), runs), counted, "15"),
            ("page 1 (API, count=0)", p50(page("&count=0"), runs), first, "15"),
            ("page at offset 50k (API, count=0)", p50(page(f"&offset={middle}&count=0"), runs),
             deep, "15"),
            ("page after key 50k (API, count=0)", p50(page(after + "&count=0"), runs), first, "15"),
            ("page 1 (service, with count)",
             p50(lambda: rows_page(target=target, limit=100), runs), counted, "15"),
        ]  # fmt: skip

        next_id = [count + 1_000_000]

        def batch(run: int) -> list[dict[str, Any]]:
            start = next_id[0] + run * 1000
            return [
                {"trial_id": start + i, "subject": "x", "score": 1.5, "day": "2024-01-02",
                 "note": "n", "flag": 1}
                for i in range(1000)
            ]  # fmt: skip

        bodies: dict[int, Any] = {}

        def prepare(run: int) -> None:
            bodies[0] = {"rows": batch(run)}

        def insert() -> None:
            response = client.post(base, bodies[0], format="json")
            assert response.status_code == 201, response.content[:300]

        insert_runs = max(5, runs // 5)
        api = p50(insert, insert_runs, setup=prepare)
        next_id[0] += 10_000_000
        insert_sql = (
            f"INSERT INTO {conn.dialect.table_ref(name, 'trial')} "
            f"(trial_id,subject,score,day,note,flag) VALUES ({','.join([conn.dialect.placeholder] * 6)})"
        )

        def floor_insert() -> None:
            rows = [tuple(r.values()) for r in bodies[0]["rows"]]
            conn.start_transaction()
            conn.executemany(insert_sql, rows)
            conn.commit_transaction()

        floor = p50(floor_insert, insert_runs, setup=prepare)
        results.append(("insert 1,000 rows (API)", api, floor, "150"))
        return results
    finally:
        schema.drop(prompt=False)
        close_data_connections()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["mysql", "sqlite", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    backends = ["mysql", "sqlite"] if args.backend == "both" else [args.backend]
    print(f"{'backend':8} {'figure':36} {'p50 ms':>8} {'floor ms':>9} {'ratio':>6} {'target':>7}")
    for backend in backends:
        for figure, value, floor, target in run(backend, args.rows, args.runs):
            verdict = "PASS" if value <= float(target) else "MISS"
            print(
                f"{backend:8} {figure:36} {value:8.2f} {floor:9.2f} {value / floor:6.1f} "
                f"{'<=' + target:>7} {verdict}"
            )


if __name__ == "__main__":
    main()

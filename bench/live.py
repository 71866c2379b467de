"""Live progress benchmark: what watching a populate run costs, and how fast a browser hears.

Three figures, on the production setup (MariaDB portal and data databases, Redis as broker and
channel layer, daphne, a Celery worker, real websocket clients on loopback):

* throughput: ``populate(reserve_jobs=True)`` of the same keys with the portal's event-writing
  sink against a sink that does nothing, in one process (target: live >= 90% of silent);
* latency: from a key finishing in the worker (the time stamped in its ``key_done`` event, after
  its commit) to its arrival on a socket, p50 and p99 (targets 100 ms and 300 ms);
* 50 sockets on one run: every socket receives every event, p99 latency over all of them, and
  how far the last socket trails the first at the end (falling behind would grow it).

``make`` fetches the key's source row and inserts a row and a part row (a few ms with
``--pause``). Usage (from the repository root)::

    .venv/bin/python bench/live.py [--quick]

MariaDB from ``JOINERY_BENCH_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``), Redis from
``JOINERY_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from common import MYSQL_URL, ROOT, Figure, print_table

REDIS = os.environ.get("JOINERY_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
TAG = uuid.uuid4().hex[:8]
PORTAL_DB = f"jbench_portal_{TAG}"
PORTAL_URL = f"{MYSQL_URL}/{PORTAL_DB}?charset=utf8mb4"
DATA_SCHEMA = f"jbench_live_{TAG}"

# This process is a portal process too (the throughput figure runs the sink here).
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": PORTAL_URL,
        "DATA_DATABASE_URL": MYSQL_URL,
        "CHANNEL_LAYER_URL": f"{REDIS}/0",
        "CHANNEL_LAYER_PREFIX": f"jbench-{TAG}",
        "CELERY_BROKER_URL": f"{REDIS}/0",
        "CELERY_QUEUE": f"jbench-{TAG}",
        "DJANGO_LOG_LEVEL": "WARNING",
        # As in production: with DEBUG on, Django keeps the text of every query it runs.
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": f"bench-only-{TAG}-" * 4,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
)

import django  # noqa: E402
import MySQLdb  # noqa: E402

from pipelines.core.settings import parse_database_url  # noqa: E402


def _server_query(sql: str) -> None:
    address = parse_database_url(MYSQL_URL)
    raw = MySQLdb.connect(
        host=address.host, port=address.port, user=address.user or "",
        password=address.password or "",
    )  # fmt: skip
    try:
        raw.cursor().execute(sql)
    finally:
        raw.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- throughput: the sink's cost, in one process ------------------------------------------------
def throughput(module: Any, keys: int, repeats: int) -> tuple[float, float]:
    """Median keys/s of populate with a silent sink and with the portal's live sink."""
    from accounts.models import User
    from pipelines.core.populate.progress import NullSink
    from pipelines.models import Pipeline, PopulateRun
    from pipelines.services.runs_health import worker_attach
    from pipelines.services.runs_sink import EventSink

    owner = User.objects.create_user(username=f"bench{TAG}")
    pipeline = Pipeline.objects.create(name="Bench", slug=f"bench-{TAG}", schemas=[DATA_SCHEMA])
    del owner
    table = module.Doubled()

    def clear() -> None:
        module.Doubled.Half().delete_quick()
        table.delete_quick()
        table.jobs.delete()

    def timed(sink: Any) -> float:
        clear()
        start = time.perf_counter()
        table.populate(reserve_jobs=True, progress_sink=sink)
        elapsed = time.perf_counter() - start
        assert len(table) == keys
        return keys / elapsed

    silent, live = [], []
    for repeat in range(repeats):  # interleaved, alternating which goes first
        for live_first in [True, False] if repeat % 2 else [False, True]:
            if not live_first:
                silent.append(timed(NullSink()))
                continue
            run = PopulateRun.objects.create(pipeline=pipeline, schema=DATA_SCHEMA, table="Doubled")
            with EventSink(run, worker_attach(run=run)) as sink:
                live.append(timed(sink))
            assert run.events.filter(kind="key_done").count() == keys
    clear()
    return statistics.median(silent), statistics.median(live)


# --- sockets through the real stack --------------------------------------------------------------
async def watch(url: str, token: str, run_ready: asyncio.Future[int]) -> dict[str, Any]:
    """One browser: every event until its run finishes, with each key_done's latency."""
    from websockets.asyncio.client import connect

    latencies: list[float] = []
    ids: list[int] = []
    async with connect(url, subprotocols=["bearer", token], open_timeout=30) as socket:  # type: ignore[list-item]
        hello = json.loads(await socket.recv())
        await socket.send(json.dumps({"last_event_id": hello["last_event_id"]}))
        run_id = await run_ready
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), 120))
            now = time.time()
            for event in frame["events"]:
                if event["run"] != run_id:
                    continue
                ids.append(event["id"])
                if event["kind"] == "key_done":
                    latencies.append(now - event["payload"]["at"])
                if event["kind"] == "finished":
                    return {"latencies": latencies, "ids": ids, "finished_at": now}


async def watched_run(stack: Any, sockets: int, restriction: dict[str, Any]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[int] = loop.create_future()
    url = stack.ws_url("/ws/pipelines/lab/")
    watchers = [
        asyncio.create_task(watch(url, stack.tokens["viewer"], ready)) for _ in range(sockets)
    ]
    await asyncio.sleep(1.0 + sockets * 0.02)  # all connected and replaying from the head
    body = {"schema": DATA_SCHEMA, "table": "Doubled", "restriction": restriction}
    run = await asyncio.to_thread(stack.api, "POST", "/api/pipelines/lab/runs/", body)
    ready.set_result(run["id"])
    results = await asyncio.wait_for(asyncio.gather(*watchers), 300)
    logged = await asyncio.to_thread(stack.run_events, run["id"])
    expected = [e["id"] for e in logged]
    complete = sum(1 for r in results if r["ids"] == expected)
    latencies = [x for r in results for x in r["latencies"]]
    ends = [r["finished_at"] for r in results]
    return {
        "complete": complete,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "spread": max(ends) - min(ends),
        "events": len(expected),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer keys (smoke run)")
    parser.add_argument("--pause", type=float, default=0.002, help="seconds of make per key")
    args = parser.parse_args(argv)
    keys = 500 if args.quick else 2000
    sys.path.insert(0, str(ROOT))
    _server_query(f"CREATE DATABASE `{PORTAL_DB}` CHARACTER SET utf8mb4")
    folder = Path(tempfile.mkdtemp(prefix="joinery-live-"))
    try:
        return _bench(folder, keys, args.pause)
    finally:
        _server_query(f"DROP DATABASE IF EXISTS `{PORTAL_DB}`")
        _server_query(f"DROP DATABASE IF EXISTS `{DATA_SCHEMA}`")
        from tests.realtime.stack import redis_forget

        redis_forget(f"{REDIS}/0", TAG)


def _bench(folder: Path, keys: int, pause: float) -> int:
    django.setup()
    from django.core.management import call_command

    from pipelines.services.data import data_connection
    from tests.portal.runs.code_module import bind, fill, write_module
    from tests.realtime.stack import Stack

    call_command("migrate", verbosity=0)
    module = write_module(folder, pause=0.0)
    bind(module, DATA_SCHEMA, data_connection())
    fill(module, keys)
    started = time.perf_counter()
    silent, live = throughput(module, keys, 3 if keys < 1000 else 5)
    print(f"  throughput: {silent:.0f} keys/s silent, {live:.0f} live", file=sys.stderr)
    paused = write_module(folder, pause=pause)  # the workers' copy: the same tables, slower make
    env = {
        **{k: os.environ[k] for k in ("CHANNEL_LAYER_URL", "CHANNEL_LAYER_PREFIX")},
        **{k: os.environ[k] for k in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS")},
        "DATABASE_URL": PORTAL_URL,
        "DATA_DATABASE_URL": MYSQL_URL,
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "CELERY_QUEUE": os.environ["CELERY_QUEUE"],
        "JOINERY_PIPELINE_MODULES": f"{paused.__name__}@{DATA_SCHEMA}",
    }
    with Stack(folder, env) as stack:
        stack.run("-c", "import django; django.setup()")  # the portal DB is migrated already
        stack.tokens = json.loads(stack.run("-c", _PERSONAS).strip().splitlines()[-1])
        stack.start_worker("worker")
        stack.start_server()
        half = keys // 2
        one = asyncio.run(
            watched_run(stack, 1, {"attribute": "n", "operator": "<=", "value": half})
        )
        print(f"  1 socket: {one}", file=sys.stderr)
        many = asyncio.run(
            watched_run(stack, 50, {"attribute": "n", "operator": ">", "value": half})
        )
        print(f"  50 sockets: {many}", file=sys.stderr)
    figures = [
        Figure("mysql", f"populate keys/s ({keys} keys), live progress vs none",
               f"{live:.0f} ({100 * live / silent:.0f}%)", f"{silent:.0f}", silent / live,
               "live >= 90%", "-", live >= 0.9 * silent),
        Figure("mysql", "key done -> socket, p50 (1 socket)", f"{1000 * one['p50']:.0f} ms", "-",
               None, "<= 100 ms", "-", one["p50"] <= 0.1),
        Figure("mysql", "key done -> socket, p99 (1 socket)", f"{1000 * one['p99']:.0f} ms", "-",
               None, "<= 300 ms", "-", one["p99"] <= 0.3),
        Figure("mysql", "50 sockets: all events on every socket",
               f"{many['complete']}/50 ({many['events']} events)", "-", None, "50/50", "-",
               many["complete"] == 50),
        Figure("mysql", "50 sockets: key done -> socket p50 / p99",
               f"{1000 * many['p50']:.0f} / {1000 * many['p99']:.0f} ms", "-", None,
               "<= 100 / 300 ms", "-", many["p50"] <= 0.1 and many["p99"] <= 0.3),
        Figure("mysql", "50 sockets: last one behind the first at the end",
               f"{1000 * many['spread']:.0f} ms", "-", None, "<= 300 ms", "-",
               many["spread"] <= 0.3),
    ]  # fmt: skip
    print()
    print(f"make() = fetch1 + insert1 + part insert1 ({pause * 1000:.0f} ms pause through the")
    print("worker); throughput is measured in-process without the pause (the sink's worst case).")
    print()
    print_table(figures)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


_PERSONAS = f"""
import json, django
django.setup()
from accounts.models import Membership, User
from accounts.tokens import token_issue
from pipelines.models import Pipeline
pipeline = Pipeline.objects.create(name="Lab", slug="lab", schemas=[{DATA_SCHEMA!r}])
user = User.objects.create_user(username="viewer")
Membership.objects.create(user=user, pipeline=pipeline, role="owner")
token = token_issue(user=user, name="bench", max_role="owner")[1]
print(json.dumps({{"viewer": token, "owner": token}}))
"""


if __name__ == "__main__":
    sys.exit(main())

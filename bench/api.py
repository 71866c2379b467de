"""Portal API over real HTTP: the ASGI server (daphne) on loopback, a token, a MariaDB data DB.

Figures (issue 6 targets), each beside the engine doing the same work in-process (the floor):

* a page of 100 rows from a 100k-row table, p50 <= 15 ms (with the total count, and without);
* inserting 1,000 rows in one request, <= 150 ms;
* validating a 30-table pipeline, <= 200 ms.

Usage (from the repository root)::

    .venv/bin/python bench/api.py [--rows 100000] [--runs 50]

The portal database is a scratch SQLite file both this process and the server use; the data
database is ``JOINERY_BENCH_MYSQL_URL`` (default ``mysql://root:@127.0.0.1:3306``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import rows_api  # noqa: E402  (sets up Django on a scratch portal database)
from definition_validate import drafts  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rows_api import DEFINITION, MYSQL_URL, SCRATCH, fill, p50  # noqa: E402

import pipelines.core as dj  # noqa: E402
from accounts.models import Membership, User  # noqa: E402
from accounts.tokens import token_issue  # noqa: E402
from pipelines.models import Pipeline  # noqa: E402
from pipelines.services.data import close_data_connections, data_connection  # noqa: E402
from pipelines.services.definition_plan import plan_definitions  # noqa: E402

del rows_api


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(port: int) -> Iterator[None]:
    """daphne serving the portal with this process's portal and data databases."""
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DATA_DATABASE_URL": MYSQL_URL,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    daphne = str(Path(sys.executable).parent / "daphne")
    with (SCRATCH / "server.log").open("w") as log:  # the server's errors, if any
        process = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the ASGI server did not start") from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Http:
    """One keep-alive HTTP connection sending the token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        payload = json.dumps(body) if body is not None else None
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}") from None


def measure(http_client: Http, pipeline: Pipeline, name: str, count: int, runs: int) -> list[Any]:
    conn = data_connection()
    table = dj.FreeTable(conn, f"`{name}`.`trial`")
    base = f"/api/pipelines/{pipeline.slug}/tables/{name}/Trial/rows/"

    def page(query: str) -> Callable[[], None]:
        def get() -> None:
            status, body = http_client.call("GET", f"{base}?limit=100{query}")
            assert status == 200 and len(body["rows"]) == 100, (status, body)

        return get

    def engine_page() -> None:
        table.to_dicts(order_by="KEY", limit=100)

    def engine_counted() -> None:
        engine_page()
        len(table)

    results = [
        ("page of 100 rows, with total", p50(page(""), runs), p50(engine_counted, runs), 15),
        ("page of 100 rows, count=0", p50(page("&count=0"), runs), p50(engine_page, runs), 15),
    ]
    next_id = [count + 1_000_000]
    bodies: dict[str, Any] = {}

    def prepare(run: int) -> None:
        start = next_id[0] + (run + 3) * 1000
        bodies["rows"] = [
            {"trial_id": start + i, "subject": "x", "score": 1.5, "day": "2024-01-02",
             "note": "n", "flag": 1}
            for i in range(1000)
        ]  # fmt: skip

    def insert() -> None:
        status, body = http_client.call("POST", base, {"rows": bodies["rows"]})
        assert status == 201, (status, body)

    def engine_insert() -> None:
        table.insert(bodies["rows"])

    insert_runs = max(5, runs // 5)
    api = p50(insert, insert_runs, setup=prepare)
    next_id[0] += 10_000_000
    results.append(("insert 1,000 rows", api, p50(engine_insert, insert_runs, setup=prepare), 150))
    return results


def measure_validate(http_client: Http, runs: int) -> tuple[str, float, float, int]:
    schema = f"jbench_defs_{uuid.uuid4().hex[:8]}"
    pipeline = Pipeline.objects.create(name=schema, slug=schema.replace("_", "-"), schemas=[schema])
    user = User.objects.get(username="bench")
    Membership.objects.create(user=user, pipeline=pipeline, role="owner")
    rows = drafts(schema)
    for row in rows:  # parents (masters) are earlier in the list
        row.pipeline = pipeline
        if row.master is not None:
            row.master = next(r for r in rows if r.class_name == row.master.class_name)
        row.save()
    path = f"/api/pipelines/{pipeline.slug}/definitions/validate/"

    def validate() -> None:
        status, body = http_client.call("POST", path, {})
        assert status == 200, (status, body)

    def engine_validate() -> None:
        plan_definitions(data_connection(), [schema], drafts(schema))

    return ("validate a 30-table pipeline", p50(validate, runs), p50(engine_validate, runs), 200)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    settings.JOINERY = {**settings.JOINERY, "DATA_DATABASE_URL": MYSQL_URL}
    close_data_connections()
    name = f"jbench_{uuid.uuid4().hex[:8]}"
    schema = dj.Schema(name, connection=data_connection())
    try:
        fill(schema(type("Trial", (dj.Manual,), {"definition": DEFINITION})), args.rows)
        pipeline = Pipeline.objects.create(name=name, slug=name.replace("_", "-"), schemas=[name])
        user = User.objects.create_user(username="bench", password="x")
        Membership.objects.create(user=user, pipeline=pipeline, role="owner")
        _, token = token_issue(user=user, name="bench", max_role="owner")
        port = free_port()
        with server(port):
            client = Http(port, token)
            results = measure(client, pipeline, name, args.rows, args.runs)
            results.append(measure_validate(client, max(5, args.runs // 5)))
        print(
            f"MariaDB data DB, {args.rows:,}-row table, daphne on loopback, p50 of {args.runs} runs"
        )
        print(f"{'figure':32} {'HTTP ms':>8} {'engine ms':>10} {'target':>8}")
        for figure, value, floor, target in results:
            verdict = "PASS" if value <= target else "MISS"
            print(f"{figure:32} {value:8.2f} {floor:10.2f} {'<=' + str(target):>8} {verdict}")
    finally:
        schema.drop(prompt=False)
        close_data_connections()
        print(f"(scratch portal database in {SCRATCH})")


if __name__ == "__main__":
    main()

"""A portal running for real on loopback: an ASGI server (daphne) and Celery worker processes
sharing a portal database, a data database and a broker, for the end-to-end tests.

Every process is started here and stopped in ``close`` (terminate, then kill), so a failing
test leaves nothing running; every wait has a deadline.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SETUP = """
import json, django
django.setup()
from accounts.models import Membership, User
from accounts.tokens import token_issue
from pipelines.models import Pipeline
pipeline = Pipeline.objects.create(name="Lab", slug="lab", schemas={schemas!r})
tokens = {{}}
for name, role in [("owner", "owner"), ("viewer", "viewer"), ("outsider", None)]:
    user = User.objects.create_user(username=name, password="pw-" + name)
    if role:
        Membership.objects.create(user=user, pipeline=pipeline, role=role)
    tokens[name] = token_issue(user=user, name="test", max_role=role or "viewer")[1]
print(json.dumps(tokens))
"""


def redis_forget(url: str, tag: str) -> None:
    """Remove what a test left in Redis under its unique ``tag``: its queue and bindings, its
    channel-layer keys, and the unacknowledged task of a worker it killed."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"*{tag}*"):
            client.delete(key)
        for field, value in client.hscan_iter("unacked"):
            if tag.encode() in value:
                client.hdel("unacked", field)
                client.zrem("unacked_index", field)
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Stack:
    """``with Stack(folder, env) as stack:`` migrate, add the personas, start processes."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(folder)]),
            **env,
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.port = 0
        self.tokens: dict[str, str] = {}

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- setting up ------------------------------------------------------------------------------
    def run(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [PYTHON, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self, schemas: list[str]) -> None:
        """Migrate the portal database; the pipeline ``lab`` and its personas' tokens."""
        self.run("manage.py", "migrate", "--noinput")
        output = self.run("-c", SETUP.format(schemas=schemas))
        self.tokens = json.loads(output.strip().splitlines()[-1])

    # --- processes -------------------------------------------------------------------------------
    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.processes[name] = process
        return process

    def start_server(self, timeout: float = 60) -> None:
        self.port = free_port()
        self.start(
            "server",
            [
                PYTHON,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "config.asgi:application",
            ],
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive("server")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise AssertionError(f"The server did not answer in {timeout} s:\n{self.log('server')}")

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        """A Celery worker running one task at a time in its own process (``--pool solo``),
        so a SIGKILL to it is a worker dying mid-run."""
        return self.start(
            name,
            [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"{name}@%h"],
        )  # fmt: skip

    def check_alive(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)}")

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""

    def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    # --- talking to it ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def api(self, method: str, path: str, body: Any = None, persona: str = "owner") -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, method=method,
            headers={"Authorization": f"Bearer {self.tokens[persona]}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def run_events(self, run_id: int) -> list[dict[str, Any]]:
        """Every event of the run, through the REST endpoint."""
        events: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self.api(
                "GET", f"/api/pipelines/lab/events/?run={run_id}&after={after}&limit=1000"
            )
            events += page["events"]
            after = page["last_event_id"]
            if not page["more"]:
                return events

    def wait_for_run(self, run_id: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run: dict[str, Any] = self.api("GET", f"/api/pipelines/lab/runs/{run_id}/")
            if run["status"] in ("succeeded", "failed", "cancelled"):
                return run
            for name in self.processes:
                if name == "server":
                    self.check_alive(name)
            time.sleep(0.2)
        logs = "\n".join(f"--- {n}\n{self.log(n)}" for n in self.processes)
        raise AssertionError(f"Run {run_id} did not finish in {timeout} s:\n{logs}")

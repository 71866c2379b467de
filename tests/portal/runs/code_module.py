"""A lab's compute-code module for the run tests, written fresh for each test.

Each test gets its own module (a new name, a file under the test's tmp folder), so its classes
bind to that test's data database; ``JOINERY_PIPELINE_MODULES`` names it as ``module@schema``.
The module records every ``make`` call in ``CALLS`` and fails the keys listed in ``FAIL``.
"""

from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

SOURCE = '''
"""Compute code of the run tests: Source -> Doubled (+ Doubled.Half), Slowly."""
import os
import time

import pipelines.core as dj

schema = dj.Schema()
CALLS = []
FAIL = set()
PAUSE = {{"seconds": {pause}}}
# Worker processes append "<pid> <n>" per make call here (O_APPEND: lines never interleave).
CALL_LOG = os.environ.get("RUNS_CALL_LOG")


def _log(n):
    CALLS.append(n)
    if CALL_LOG:
        with open(CALL_LOG, "a") as log:
            log.write(f"{{os.getpid()}} {{n}}\\n")


@schema
class Source(dj.Manual):
    definition = """
    n : int32
    ---
    value : int32
    """


@schema
class Doubled(dj.Computed):
    definition = """
    -> Source
    ---
    doubled : int32
    """

    class Half(dj.Part):
        definition = """
        -> master
        ---
        half : float64
        """

    def make(self, key):
        _log(key["n"])
        value = (Source & key).fetch1("value")
        if key["n"] in FAIL:
            raise ValueError(f"cannot double {{key['n']}}")
        if PAUSE["seconds"]:
            for step in range(4):
                time.sleep(PAUSE["seconds"] / 4)
                self.progress_update((step + 1) / 4, f"step {{step + 1}}")
        self.insert1({{**key, "doubled": 2 * value}})
        self.Half.insert1({{**key, "half": value / 2}})


@schema
class Slowly(dj.Computed):
    definition = """
    -> Source
    """

    def make(self, key):
        _log(key["n"])
        for step in range(3):
            time.sleep(0.1)
            self.progress_update((step + 1) / 3)
        self.insert1(key)


@schema
class Unregistered(dj.Manual):
    definition = """
    -> Source
    """
'''


def write_module(folder: Path, *, pause: float = 0.0) -> ModuleType:
    """Write and import a new code module (not yet bound to a schema)."""
    name = f"runs_code_{uuid.uuid4().hex[:10]}"
    (folder / f"{name}.py").write_text(SOURCE.format(pause=pause))
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    return importlib.import_module(name)


def fill(module: ModuleType, count: int) -> None:
    module.Source().insert([{"n": n, "value": 10 * n} for n in range(1, count + 1)])


def made(module: ModuleType) -> list[int]:
    return sorted(row["n"] for row in module.Doubled().proj().to_dicts())


def entry(module: ModuleType, schema: str) -> str:
    return f"{module.__name__}@{schema}"


def bind(module: ModuleType, schema: str, connection: Any) -> None:
    module.schema.activate(schema, connection=connection)

"""``joinery populate`` / ``joinery progress``: argument errors, exit codes, end-to-end runs."""

from __future__ import annotations

import importlib
import os
import runpy
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import pipelines.core as dj
import pipelines.demo.pipeline
from pipelines.core import cli
from pipelines.core.db import default
from pipelines.core.settings import Config

MYSQL_URL = os.environ.get("JOINERY_TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306")
DEMO = "pipelines.demo.pipeline"

NUMBERS_MODULE = '''
import pipelines.core as dj

schema = dj.Schema()


@schema
class Number(dj.Lookup):
    definition = "n : int32"
    contents = [{"n": n} for n in range(5)]


@schema
class Inverse(dj.Computed):
    definition = """
    -> Number
    ---
    inverse : float64
    """

    def make(self, key):
        if key["n"] == 0:
            raise ZeroDivisionError("zero has no inverse")
        self.insert1({**key, "inverse": 1 / key["n"]})


@schema
class Note(dj.Manual):
    definition = "note : int32"
'''

UNACTIVATED_MODULE = """
import pipelines.core as dj

schema = dj.Schema()


@schema
class Lonely(dj.Computed):
    definition = "x : int32"
"""


def run(*argv: str) -> int:
    return cli.main(list(argv))


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Throwaway pipeline modules with unique names (each import is a fresh schema)."""
    tag = uuid.uuid4().hex[:8]
    names = {"numbers": f"cli_numbers_{tag}", "unactivated": f"cli_unactivated_{tag}"}
    (tmp_path / f"{names['numbers']}.py").write_text(
        NUMBERS_MODULE + "\n\ndef activate(connection, schema_name='numbers'):\n"
        "    schema.activate(schema_name, connection=connection)\n"
    )
    (tmp_path / f"{names['unactivated']}.py").write_text(UNACTIVATED_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield names
    for name in names.values():
        sys.modules.pop(name, None)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'd.sqlite3'}"


def count_rows(url: str, schema_name: str, table_name: str) -> int:
    with dj.Connection(url=url, config=Config(environ={})) as connection:
        return len(dj.FreeTable(connection, f"`{schema_name}`.`{table_name}`"))


# --- usage errors: exit code 2 and a message that says what to fix ----------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["populate", "no_such_module_xyz:Table"], "cannot import module 'no_such_module_xyz'"),
        (["populate", f"{DEMO}:Nothing"], "has no table class 'Nothing'"),
        (["populate", f"{DEMO}"], "expected module:Table"),
        (
            ["populate", f"{DEMO}:SpikeRate.Unit"],
            "part table; parts are filled by their master: populate SpikeRate",
        ),
        (["populate", f"{DEMO}:Subject"], "Subject is not an auto-populated table"),
        (["populate", f"{DEMO}:SAMPLING_RATE"], "'SAMPLING_RATE' is not a table class"),
        (["progress", f"{DEMO}:Species"], "Species is not an auto-populated table"),
    ],
)
def test_a_target_that_cannot_be_populated_is_a_usage_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["populate", "m:T", "--restrict", "{subject: 1}"], "not valid JSON"),
        (["populate", "m:T", "--restrict", "[1, 2]"], "expected a JSON object"),
        (["populate", "m:T", "--workers", "0"], "must be at least 1"),
        (["populate", "m:T", "--max-calls", "many"], "expected a whole number"),
        (["populate"], "the following arguments are required"),
        (["frobnicate", "m:T"], "invalid choice"),
        ([], "the following arguments are required"),
    ],
)
def test_bad_arguments_exit_2_with_argparse_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*argv) == 2
    assert message in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("populate", "--help") == 0
    out = capsys.readouterr().out
    assert "--reserve-jobs" in out and "--no-reserve-jobs" in out and "--workers" in out


def test_restrict_accepts_an_object_a_list_of_objects_or_a_condition() -> None:
    parser = cli.build_parser()
    parse = parser.parse_args
    assert parse(["populate", "m:T", "--restrict", '{"n": 3}']).restrict == {"n": 3}
    assert parse(["populate", "m:T", "--restrict", '[{"n": 1}, {"n": 2}]']).restrict == [
        {"n": 1},
        {"n": 2},
    ]
    assert parse(["populate", "m:T", "--restrict", '"n > 2"']).restrict == "n > 2"
    defaults = parse(["populate", "m:T"])
    assert (defaults.workers, defaults.reserve_jobs, defaults.max_calls) == (1, False, None)
    assert defaults.suppress_errors is False


def test_a_module_without_activate_must_have_activated_its_schema(
    modules: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("populate", f"{modules['unactivated']}:Lonely") == 2
    assert "schema is not activated" in capsys.readouterr().err
    assert run("populate", f"{modules['unactivated']}:Lonely", "--schema", "x") == 2
    assert "--schema needs" in capsys.readouterr().err


def test_no_database_configured_is_a_usage_error(
    modules: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(default, "_shared", [])
    with dj.config.override(database__url=None, database__user=None):
        assert run("progress", f"{modules['numbers']}:Inverse") == 2
    assert "Database user not configured" in capsys.readouterr().err


# --- end to end on SQLite -----------------------------------------------------------------------------
def test_populate_reports_computed_and_errors_and_exits_1(
    modules: dict[str, str], sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"{modules['numbers']}:Inverse"
    assert run("populate", target, "--database-url", sqlite_url, "--suppress-errors") == 1
    captured = capsys.readouterr()
    assert "Inverse: computed 4, errors 1" in captured.out
    assert "zero has no inverse" in captured.err
    assert count_rows(sqlite_url, "numbers", "__inverse") == 4


def test_populate_without_suppress_errors_stops_at_the_failure(
    modules: dict[str, str], sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"{modules['numbers']}:Inverse"
    assert run("populate", target, "--database-url", sqlite_url, "--restrict", '{"n": 0}') == 1
    assert "ZeroDivisionError: zero has no inverse" in capsys.readouterr().err


def test_populate_restricted_and_limited_then_progress(
    modules: dict[str, str], sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"{modules['numbers']}:Inverse"
    url = ("--database-url", sqlite_url, "--schema", "nums")
    assert run("populate", target, *url, "--restrict", '[{"n": 3}, {"n": 4}]') == 0
    assert "computed 2, errors 0" in capsys.readouterr().out
    assert run("populate", target, *url, "--restrict", '"n > 0"', "--max-calls", "1") == 0
    assert "computed 1, errors 0" in capsys.readouterr().out
    assert run("progress", target, *url) == 0
    assert "Inverse: 2 remaining of 5 (60.0% done)" in capsys.readouterr().out
    assert count_rows(sqlite_url, "nums", "__inverse") == 3


def test_populate_with_reserved_jobs_and_the_database_url_from_config(
    modules: dict[str, str],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(default, "_shared", [])
    with dj.config.override(database__url=sqlite_url):
        code = run("populate", f"{modules['numbers']}:Inverse", "--reserve-jobs",
                   "--suppress-errors")  # fmt: skip
        default.conn().close()
    assert code == 1
    assert "computed 4, errors 1" in capsys.readouterr().out


def test_two_workers_share_the_keys_through_the_job_table(
    modules: dict[str, str], sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"{modules['numbers']}:Inverse"
    argv = ["--database-url", sqlite_url, "--workers", "2", "--reserve-jobs", "--suppress-errors"]
    assert run("populate", target, *argv) == 1
    captured = capsys.readouterr()
    assert "Inverse: computed 4, errors 1" in captured.out
    assert "zero has no inverse" in captured.err
    assert count_rows(sqlite_url, "numbers", "__inverse") == 4
    assert count_rows(sqlite_url, "numbers", "~~inverse") == 1  # the failed job stays recorded


# --- the demo pipeline, end to end on both backends ----------------------------------------------------
def fresh_demo() -> object:
    return importlib.reload(pipelines.demo.pipeline)


@pytest.mark.parametrize("backend_name", ["sqlite", "mysql"])
def test_demo_pipeline_populates_from_the_command_line(
    backend_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = MYSQL_URL if backend_name == "mysql" else f"sqlite:///{tmp_path / 'd.sqlite3'}"
    schema_name = f"jt_cli_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    common = ["--database-url", url, "--schema", schema_name]
    setup = dj.Connection(url=url, config=Config(environ={}))
    try:
        fresh_demo().load_sample_data(setup, schema_name)  # type: ignore[attr-defined]
        fresh_demo()
        assert run("populate", f"{DEMO}:SpikeRate", *common) == 0
        assert "SpikeRate: computed 0, errors 0" in capsys.readouterr().out
        fresh_demo()
        assert run("populate", f"{DEMO}:Recording", *common, "--reserve-jobs") == 0
        assert "Recording: computed 6, errors 0" in capsys.readouterr().out
        fresh_demo()
        assert run("populate", f"{DEMO}:SpikeRate", *common) == 0
        assert "SpikeRate: computed 6, errors 0" in capsys.readouterr().out
        fresh_demo()
        assert run("progress", f"{DEMO}:SpikeRate", *common) == 0
        assert "SpikeRate: 0 remaining of 6 (100.0% done)" in capsys.readouterr().out
        units = dj.FreeTable(setup, f"`{schema_name}`.`__spike_rate__unit`")
        assert sorted({row["rate"] for row in units.to_dicts()}) == [4.0, 8.0, 12.0, 16.0]
    finally:
        dj.Schema(schema_name, connection=setup).drop(prompt=False)
        setup.close()
        fresh_demo()


def test_python_dash_m_runs_the_same_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["pipelines.core", "populate", f"{DEMO}:Session"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("pipelines.core", run_name="__main__")
    assert exited.value.code == 2
    assert "Session is not an auto-populated table" in capsys.readouterr().err

"""``joinery``: run ``populate`` and ``progress`` for a pipeline table from the shell.

    joinery populate my_lab.pipeline:SpikeRate --workers 4 --reserve-jobs
    joinery progress my_lab.pipeline:SpikeRate

The table is named ``module:Class``. If the module defines ``activate(connection, schema_name)``
(the convention for pipelines declared on a deferred ``dj.Schema()``), the command calls it with
the connection from ``--database-url`` (or ``dj.config`` / ``DJ_DATABASE_URL``) and, when given,
``--schema``; otherwise the module must activate its own schema when imported.

Exit codes: 0 every key computed, 1 some ``make`` failed, 2 the command could not start (bad
arguments, module or class not found, not an auto-populated table, no database).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from .db.connection import Connection
from .db.default import config, conn
from .errors import DataJointError
from .schema.tiers import Computed, Imported, Part

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
#: How many failed keys the summary spells out.
SHOWN_ERRORS = 5


class UsageError(Exception):
    """The command cannot start; the message tells the user what to fix."""


@dataclass
class Target:
    """The table class to work on, its module, and the connection opened for it (if ours)."""

    table: Any
    module: Any
    owned_connection: Connection | None


# --- arguments -------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="joinery", description="Run Joinery pipeline tables from the shell."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    populate = commands.add_parser("populate", help="call make() for every missing key")
    _add_common(populate)
    populate.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                          help="worker processes (default 1)")  # fmt: skip
    populate.add_argument("--reserve-jobs", action=argparse.BooleanOptionalAction, default=False,
                          help="coordinate through the job table, so several workers can share "
                          "the table (default: no)")  # fmt: skip
    populate.add_argument("--max-calls", type=_positive_int, default=None, metavar="N",
                          help="stop after N make() calls")  # fmt: skip
    populate.add_argument("--suppress-errors", action="store_true",
                          help="record failures and go on with the next key")  # fmt: skip
    progress = commands.add_parser("progress", help="print how many keys remain to populate")
    _add_common(progress)
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="module:Table",
                        help="the table class, e.g. pipelines.demo.pipeline:SpikeRate")  # fmt: skip
    parser.add_argument("--restrict", type=_restriction, default=None, metavar="JSON",
                        help='limit the keys: {"subject_id": 1}, a list of such objects (any of '
                        "them), or an SQL condition as a JSON string")  # fmt: skip
    parser.add_argument("--database-url", default=None, metavar="URL",
                        help="mysql://user:pass@host:port or sqlite:///path "
                        "(default: dj.config / DJ_DATABASE_URL)")  # fmt: skip
    parser.add_argument("--schema", default=None, metavar="NAME",
                        help="schema name passed to the module's activate()")  # fmt: skip


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _restriction(text: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON ({error.msg}): {text!r}") from None
    if isinstance(value, str | dict):
        return value
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    raise argparse.ArgumentTypeError(
        "expected a JSON object, a list of objects, or a string condition"
    )


# --- resolving the table -----------------------------------------------------------------------------
def import_table(spec: str) -> tuple[Any, Any]:
    """``module:Class`` -> (module, class); refuses parts and tables that make() does not fill."""
    module_name, sep, class_name = spec.partition(":")
    if not sep or not module_name or not class_name:
        raise UsageError(f"expected module:Table (e.g. my_lab.pipeline:SpikeRate), got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UsageError(f"cannot import module {module_name!r}: {error}") from None
    table: Any = module
    for name in class_name.split("."):
        table = getattr(table, name, None)
        if table is None:
            raise UsageError(f"module {module_name!r} has no table class {class_name!r}")
    _check_populatable(table, class_name)
    return module, table


def _check_populatable(table: Any, class_name: str) -> None:
    if not isinstance(table, type):
        raise UsageError(f"{class_name!r} is not a table class")
    if issubclass(table, Part):
        master = class_name.rpartition(".")[0] or "its master"
        raise UsageError(
            f"{class_name} is a part table; parts are filled by their master: populate {master}"
        )
    if not issubclass(table, Imported | Computed):
        raise UsageError(
            f"{class_name} is not an auto-populated table (dj.Imported or dj.Computed)"
        )
    if not callable(getattr(table, "populate", None)):
        raise UsageError(f"{class_name} has no populate() method")


@contextlib.contextmanager
def open_target(args: argparse.Namespace) -> Iterator[Target]:
    """Import the module (with ``--database-url`` in effect) and bind its schema to a database."""
    url_override = (
        config.override(database__url=args.database_url)
        if args.database_url
        else contextlib.nullcontext()
    )
    with url_override:
        module, table = import_table(args.target)
        owned = _activate(module, table, args)
    try:
        yield Target(table, module, owned)
    finally:
        if owned is not None:
            owned.close()


def _activate(module: Any, table: Any, args: argparse.Namespace) -> Connection | None:
    activate = getattr(module, "activate", None)
    if not callable(activate):
        if args.schema is not None:
            raise UsageError(
                f"--schema needs {module.__name__}.activate(connection, schema_name); "
                "the module defines no activate()"
            )
        if getattr(table, "database", None) is None:
            raise UsageError(
                f"{table.__name__}'s schema is not activated and {module.__name__} defines no "
                "activate(connection, schema_name) to do it"
            )
        return None
    owned = Connection(url=args.database_url, config=config) if args.database_url else None
    connection = owned if owned is not None else conn()
    try:
        if args.schema is None:
            activate(connection)
        else:
            activate(connection, args.schema)
    except BaseException:
        if owned is not None:
            owned.close()
        raise
    return owned


# --- commands ---------------------------------------------------------------------------------------
def run_populate(target: Target, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    restrictions = () if args.restrict is None else (args.restrict,)
    name = target.table.__name__
    try:
        result = target.table().populate(
            *restrictions,
            reserve_jobs=args.reserve_jobs,
            processes=args.workers,
            max_calls=args.max_calls,
            display_progress=True,
            suppress_errors=args.suppress_errors,
        )
    except DataJointError as error:
        print(f"{name}: populate stopped: {error}", file=err)
        return EXIT_ERRORS
    except Exception as error:
        # make() raised and errors are not suppressed: show where, as the user needs to fix it.
        traceback.print_exception(error, file=err)
        print(f"{name}: populate stopped by {type(error).__name__}: {error}", file=err)
        return EXIT_ERRORS
    return report_populate(name, result, out, err)


def report_populate(name: str, result: Any, out: TextIO, err: TextIO) -> int:
    """Print ``computed N, errors M`` and the first few failures; the exit code follows."""
    result = result if isinstance(result, dict) else {}
    computed = int(result.get("success_count", 0))
    errors = list(result.get("error_list", []))
    print(f"{name}: computed {computed}, errors {len(errors)}", file=out)
    for failure in errors[:SHOWN_ERRORS]:
        key, message = (
            failure if isinstance(failure, tuple) and len(failure) == 2 else (None, failure)
        )
        print(f"  {key}: {message}" if key is not None else f"  {message}", file=err)
    if len(errors) > SHOWN_ERRORS:
        print(f"  … and {len(errors) - SHOWN_ERRORS} more", file=err)
    return EXIT_ERRORS if errors else EXIT_OK


def run_progress(target: Target, args: argparse.Namespace, out: TextIO) -> int:
    restrictions = () if args.restrict is None else (args.restrict,)
    remaining, total = target.table().progress(*restrictions, display=False)
    done = total - remaining
    percent = 100.0 * done / total if total else 100.0
    print(
        f"{target.table.__name__}: {remaining} remaining of {total} ({percent:.1f}% done)",
        file=out,
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """The ``joinery`` command; returns the process exit code."""
    out, err = sys.stdout, sys.stderr
    try:
        args = build_parser().parse_args(None if argv is None else list(argv))
    except SystemExit as exit_:  # argparse has printed the usage message
        return EXIT_OK if exit_.code in (0, None) else EXIT_USAGE
    try:
        with open_target(args) as target:
            if args.command == "progress":
                return run_progress(target, args, out)
            return run_populate(target, args, out, err)
    except UsageError as error:
        print(f"joinery: error: {error}", file=err)
    except DataJointError as error:
        print(f"joinery: error: {error}", file=err)
    return EXIT_USAGE

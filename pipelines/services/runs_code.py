"""The compute code of a pipeline: ``make`` methods from the modules in JOINERY_PIPELINE_MODULES.

A table designed in the browser has a definition but no ``make``; the lab writes it in a Python
module, versioned with the rest of its code, and lists the module in
``JOINERY_PIPELINE_MODULES``. An entry is ``package.module`` when the module binds its schema on
import, or ``package.module@schema`` when its schema is deferred (``schema = dj.Schema()``): the
worker then binds it to that data-database schema, through the module's
``activate(connection, schema_name)`` when it has one. A table is matched to its class by schema
name and SQL table name (tier prefix and class name), the way DataJoint names tables.
"""

from __future__ import annotations

import importlib
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings

import pipelines.core as dj
from pipelines.core.definition.naming import table_name_for
from pipelines.core.populate.autopopulate import AutoPopulate
from pipelines.services.errors import Invalid

_bind_lock = threading.Lock()


@dataclass(frozen=True)
class CodeEntry:
    module: str
    schema: str | None


@dataclass(frozen=True)
class RegisteredCode:
    """A class with ``make`` for one table, found in one module of the registry."""

    module: ModuleType
    cls: type
    schema_name: str
    schema: dj.Schema
    table_name: str

    @property
    def module_name(self) -> str:
        return self.module.__name__

    @property
    def version(self) -> str:
        """``module version``: the module and ``git describe`` of its folder (or __version__)."""
        return f"{self.module_name} {code_version(self.module_name)}".strip()


def code_entries() -> list[CodeEntry]:
    """The registry as configured: one entry per JOINERY_PIPELINE_MODULES item."""
    entries = []
    for item in settings.JOINERY["PIPELINE_MODULES"]:
        module, _, schema = str(item).partition("@")
        entries.append(CodeEntry(module.strip(), schema.strip() or None))
    return entries


def code_lookup(schema: str, table_name: str) -> RegisteredCode | None:
    """The registered class for ``schema``.``table_name``, or None when no module defines it."""
    for entry in code_entries():
        for code in _classes_of(entry):
            if code.schema_name == schema and code.table_name == table_name:
                return code
    return None


def code_bind(code: RegisteredCode, connection: dj.Connection) -> Any:
    """The class's table, its schema bound to ``schema_name`` on ``connection`` (once per
    process: a module's classes belong to one schema and one connection)."""
    with _bind_lock:
        if code.schema.database is None:
            activate = getattr(code.module, "activate", None)
            if callable(activate):
                activate(connection, code.schema_name)
            else:
                code.schema.activate(code.schema_name, connection=connection)
        if code.schema.database != code.schema_name:
            raise Invalid(
                f"{code.module_name} is bound to schema {code.schema.database!r}, "
                f"not {code.schema_name!r}.",
                details={"module": code.module_name},
            )
    return code.cls()


@lru_cache(maxsize=64)
def code_version(module_name: str) -> str:
    """``git describe --always --dirty`` in the module's folder, else its ``__version__``."""
    module = importlib.import_module(module_name)
    location = getattr(module, "__file__", None)
    if location:
        try:
            result = subprocess.run(
                ["git", "describe", "--always", "--dirty", "--tags"],
                cwd=Path(location).parent,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            result = None
        if result is not None and result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return str(getattr(module, "__version__", ""))


def _classes_of(entry: CodeEntry) -> list[RegisteredCode]:
    try:
        module = importlib.import_module(entry.module)
    except Exception as error:
        raise Invalid(
            f"JOINERY_PIPELINE_MODULES lists {entry.module!r}, which cannot be imported: "
            f"{type(error).__name__}: {error}",
            details={"module": entry.module},
        ) from None
    return _module_classes(module, entry.schema)


def _module_classes(module: ModuleType, schema_name: str | None) -> list[RegisteredCode]:
    schemas = [value for value in vars(module).values() if isinstance(value, dj.Schema)]
    found = []
    for value in vars(module).values():
        if not (isinstance(value, type) and issubclass(value, AutoPopulate)):
            continue
        if value.__module__ != module.__name__:
            continue  # imported from elsewhere: registered where it is defined
        schema = _schema_of(value, schemas)
        if schema is None:
            continue
        if schema_name is not None and schema.database not in (None, schema_name):
            continue
        name = schema.database or schema_name
        if name is None:
            continue  # deferred, and the entry names no schema to bind it to
        table_name = table_name_for(getattr(value, "_tier", ""), value.__name__)
        found.append(RegisteredCode(module, value, name, schema, table_name))
    return found


def _schema_of(cls: type, schemas: list[dj.Schema]) -> Any:
    bound = getattr(cls, "_schema", None)
    if bound is not None:
        return bound
    for schema in schemas:
        if any(declared is cls for declared, _ in schema.declare_list):
            return schema
    return None

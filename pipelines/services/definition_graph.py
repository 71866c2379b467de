"""A pipeline's definitions as the engine reads them: parsed, named, ordered, and the namespace
their ``->`` references evaluate in.

Notation of references (the same as in a DataJoint module that imports its sibling schemas):
``-> Session`` names a class of the same schema, ``-> Session.Trial`` a part, ``-> master`` a
part's master, and ``-> other_schema.Subject`` a class of another schema, named by the schema
itself (a schema of the pipeline, or any live schema on the data database). Every name is the
engine's to evaluate: this module only reads which table each reference names, to order the
tables parents first and to say which reference is wrong before the engine is asked.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pipelines.core as dj
from pipelines.core.definition.naming import table_name_for
from pipelines.core.definition.parser import parse_definition
from pipelines.core.definition.spec import ForeignKeySpec, TableSpec
from pipelines.models import TableDefinition, Tier
from pipelines.services.definition_safety import portal_problem
from pipelines.services.tables import class_name_of

#: (schema, class name); a part's class name is ``Master.Part``.
TableKey = tuple[str, str]

_LINE = re.compile(r"\(line (\d+): ")
_DOTTED = re.compile(r"\s*([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)")
_AUTO_POPULATED = {Tier.IMPORTED, Tier.COMPUTED}


@dataclass(frozen=True)
class DefinitionError:
    """A problem of one table's definition; ``line`` counts lines of its text from 1."""

    schema: str
    class_name: str
    line: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "class_name": self.class_name,
            "line": self.line,
            "message": self.message,
        }


@dataclass
class DraftTable:
    """One definition of the pipeline, with what the engine's parser made of it."""

    schema: str
    class_name: str
    tier: str
    definition: str
    master: str | None
    table_name: str = ""
    spec: TableSpec | None = None
    #: Each ``->`` line with the table it names (None: the engine will say what is wrong).
    references: list[tuple[ForeignKeySpec, TableKey | None]] = field(default_factory=list)
    errors: list[DefinitionError] = field(default_factory=list)

    @property
    def key(self) -> TableKey:
        return (self.schema, self.class_name)

    @property
    def auto_populated(self) -> bool:
        return self.tier in _AUTO_POPULATED

    def fail(self, message: str, line: int | None = None) -> None:
        if line is None:
            found = _LINE.search(message)
            line = int(found.group(1)) if found else None
        self.errors.append(DefinitionError(self.schema, self.class_name, line, message))


def draft_from(definition: TableDefinition) -> DraftTable:
    master = definition.master.class_name if definition.master is not None else None
    return DraftTable(
        schema=definition.schema,
        class_name=definition.class_name,
        tier=definition.tier,
        definition=definition.definition,
        master=master,
    )


def prepare(drafts: list[DraftTable], schemas: Iterable[str]) -> list[DraftTable]:
    """Parse every definition, check what the portal admits, name its table, find what it
    references; return the drafts parents first (a table on a reference cycle gets an error)."""
    owned = set(schemas)
    by_key = {d.key: d for d in drafts}
    for draft in drafts:
        if draft.schema not in owned:
            draft.fail(f"Schema {draft.schema!r} is not one of the pipeline's schemas.")
        _name_table(draft, by_key)
        try:
            draft.spec = parse_definition(draft.definition)
        except dj.DataJointError as error:
            draft.fail(str(error))
            continue
        unsafe = _check_portal_safe(draft, draft.spec)
        draft.references = [
            (fk, _reference_key(fk.reference, draft))
            for fk in draft.spec.foreign_keys
            if fk.source.number not in unsafe
        ]
        for fk, key in draft.references:
            if key is not None and key[0] in owned and key not in by_key:
                draft.fail(
                    f"`-> {fk.reference}` names no table defined in schema {key[0]!r} "
                    f"(line {fk.source.number}: `{fk.source.text}`)",
                    fk.source.number,
                )
    return _ordered(drafts, by_key)


def _check_portal_safe(draft: DraftTable, spec: TableSpec) -> set[int]:
    """Record an error for each line the portal does not admit; return their numbers."""
    lines = set()
    for item in spec.items:
        problem = portal_problem(item)
        if problem is not None:
            source = item.source
            draft.fail(f"{problem} (line {source.number}: `{source.text}`)", source.number)
            lines.add(source.number)
    return lines


def _name_table(draft: DraftTable, by_key: dict[TableKey, DraftTable]) -> None:
    try:
        if draft.tier != Tier.PART:
            draft.table_name = table_name_for(draft.tier, draft.class_name)
            return
        master = by_key.get((draft.schema, draft.master or ""))
        if master is None or master.tier == Tier.PART:
            draft.fail(f"Part table {draft.class_name} has no master table defined.")
            return
        short = draft.class_name.rpartition(".")[2]
        master_table = table_name_for(master.tier, master.class_name)
        draft.table_name = table_name_for("Part", short, master_table)
    except dj.DataJointError as error:
        draft.fail(str(error))


def _reference_key(reference: str, draft: DraftTable) -> TableKey | None:
    """The table ``reference`` names: ``Class``, ``Master.Part``, ``master[.Part]``,
    ``schema.Class[.Part]``, each optionally followed by ``.proj(...)``."""
    match = _DOTTED.match(reference)
    if match is None:
        return None
    names = [name.strip() for name in match.group(1).split(".")]
    schema = draft.schema
    if names[0] == "master":
        if draft.master is None:
            return None
        names[0] = draft.master
    elif names[0][:1].islower():
        schema, names = names[0], names[1:]
    classes = []
    for name in names:
        if not name[:1].isupper():
            break
        classes.append(name)
    if not 1 <= len(classes) <= 2:
        return None
    return schema, ".".join(classes)


def _ordered(drafts: list[DraftTable], by_key: dict[TableKey, DraftTable]) -> list[DraftTable]:
    """Parents (and masters) before the tables that reference them; ties keep given order."""
    ordered: list[DraftTable] = []
    state: dict[TableKey, str] = {}

    def parents(draft: DraftTable) -> list[DraftTable]:
        keys = [key for _, key in draft.references if key is not None]
        if draft.master is not None:
            keys.insert(0, (draft.schema, draft.master))
        return [by_key[k] for k in dict.fromkeys(keys) if k in by_key and k != draft.key]

    def visit(draft: DraftTable, path: list[DraftTable]) -> None:
        status = state.get(draft.key)
        if status == "done":
            return
        if status == "visiting":
            cycle = path[path.index(draft) :]
            names = " -> ".join(d.class_name for d in [*cycle, draft])
            for member in cycle:
                if not any("circular" in e.message for e in member.errors):
                    member.fail(f"The definitions reference each other in a circle: {names}.")
            return
        state[draft.key] = "visiting"
        for parent in parents(draft):
            visit(parent, [*path, draft])
        state[draft.key] = "done"
        ordered.append(draft)

    for draft in drafts:
        visit(draft, [])
    return ordered


def blocked_by(draft: DraftTable, failed: set[TableKey]) -> TableKey | None:
    """The first table ``draft`` depends on that could not be planned, if any."""
    keys = [key for _, key in draft.references if key is not None]
    if draft.master is not None:
        keys.insert(0, (draft.schema, draft.master))
    return next((key for key in keys if key in failed), None)


class Namespace:
    """What ``->`` references evaluate to: table handles by class name, each schema as a
    module-like object, parts as attributes of their master's handle."""

    def __init__(self) -> None:
        self.handles: dict[TableKey, Any] = {}
        self.schemas: dict[str, types.SimpleNamespace] = {}

    def add(self, key: TableKey, handle: Any) -> None:
        schema, name = key
        self.handles[key] = handle
        module = self.schemas.setdefault(schema, types.SimpleNamespace())
        master, _, part = name.partition(".")
        if part:
            master_handle = self.handles.get((schema, master))
            if master_handle is not None:
                setattr(master_handle, part, handle)
        else:
            setattr(module, name, handle)

    def add_live_schema(self, conn: dj.Connection, schema: str) -> None:
        """Every table of a schema outside the pipeline, as it is (referenced, never changed)."""
        if schema in self.schemas or not conn.catalog.schema_exists(schema):
            return
        tables = dj.Schema(schema, connection=conn, create_schema=False).list_tables()
        named = [(class_name_of(t), t) for t in tables]
        # Masters first: a part's handle is reached as an attribute of its master's.
        for found, table_name in sorted(
            named, key=lambda n: n[0] is not None and n[0][1] == "Part"
        ):
            if found is not None:
                self.add((schema, found[0]), dj.FreeTable(conn, f"`{schema}`.`{table_name}`"))
        self.schemas.setdefault(schema, types.SimpleNamespace())

    def context_for(self, draft: DraftTable) -> dict[str, Any]:
        context: dict[str, Any] = dict(self.schemas)
        for (schema, name), handle in self.handles.items():
            if schema == draft.schema and "." not in name:
                context[name] = handle
        if draft.master is not None:
            context["master"] = self.handles.get((draft.schema, draft.master))
        return context


def foreign_schemas(drafts: Iterable[DraftTable], owned: Iterable[str]) -> list[str]:
    """Schemas outside the pipeline that its definitions reference."""
    mine = set(owned)
    found = {key[0] for d in drafts for _, key in d.references if key is not None}
    return sorted(found - mine)

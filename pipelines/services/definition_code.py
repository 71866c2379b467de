"""A pipeline's definitions as one Python module ("show the code" in the builder).

The module declares every table the way a DataJoint user writes it: a ``dj.Schema`` per schema,
one class per table (parents first, parts nested in their master) with its definition as drafted,
and a ``make()`` to complete for Computed and Imported tables. A reference to another schema of
the pipeline (``-> other.Class``) reads the class from a namespace named after that schema,
filled as its classes are declared. Nothing here touches a database.
"""

from __future__ import annotations

import keyword
from typing import Any

from pipelines.core.definition.spec import AttributeSpec
from pipelines.models import Pipeline, TableDefinition, Tier
from pipelines.services.definition_graph import DraftTable, draft_from, prepare

INDENT = "    "
MAKE_SIGNATURE = f"{INDENT}def make(self, key: dict[str, Any]) -> None:"
_AUTO_POPULATED = {Tier.COMPUTED, Tier.IMPORTED}


def definition_code(*, pipeline: Pipeline) -> str:
    """Python source declaring the pipeline's current definitions."""
    definitions = TableDefinition.objects.filter(pipeline=pipeline).select_related("master")
    return render_module(pipeline.name, list(pipeline.schemas), list(definitions))


def render_module(name: str, schemas: list[str], definitions: list[TableDefinition]) -> str:
    drafts = prepare([draft_from(d) for d in definitions], schemas)
    used = [s for s in schemas if any(d.schema == s for d in drafts)] or schemas[:1]
    variables = {s: "schema" if len(used) == 1 else _identifier(f"schema_{s}") for s in used}
    shared = sorted(
        {key[0] for d in drafts for _, key in d.references if key and key[0] != d.schema}
        & set(used)
    )
    lines = [
        *module_start(
            [
                f"The tables of the pipeline {_text(name)}, as written by Joinery from its definitions.",
                "",
                "Computed and Imported tables have a make() to complete. Declaring a class creates its",
                "table when it does not exist yet.",
            ],
            imports=["import types"] if shared else [],
        ),
        *[f"{variables[s]} = dj.Schema({s!r})" for s in used],
        *[f"{_identifier(s)} = types.SimpleNamespace()  # the classes of {s!r}" for s in shared],
    ]
    parts: dict[tuple[str, str], list[DraftTable]] = {}
    for draft in drafts:
        if draft.master is not None:
            parts.setdefault((draft.schema, draft.master), []).append(draft)
    for draft in drafts:
        if draft.master is not None or draft.schema not in variables:
            continue
        lines += ["", "", *_table(draft, variables[draft.schema], parts.get(draft.key, []))]
        if draft.schema in shared:
            lines.append(f"{_identifier(draft.schema)}.{draft.class_name} = {draft.class_name}")
    if not drafts:
        lines += ["", "# No tables are defined yet."]
    return "\n".join(lines) + "\n"


def _table(draft: DraftTable, schema_variable: str, parts: list[DraftTable]) -> list[str]:
    lines = [f"@{schema_variable}", f"class {draft.class_name}(dj.{draft.tier}):"]
    lines += _errors(draft, 1)
    lines += definition_lines(draft.definition, 1)
    for part in parts:
        short = part.class_name.rpartition(".")[2]
        lines += ["", f"{INDENT}class {short}(dj.Part):", *_errors(part, 2)]
        lines += definition_lines(part.definition, 2)
    if draft.tier in _AUTO_POPULATED:
        lines += ["", *_make(draft, parts)]
    return lines


def _errors(draft: DraftTable, depth: int) -> list[str]:
    pad = INDENT * depth
    if not draft.errors:
        return []
    return [f"{pad}# Not valid yet: {_one_line(error.message)}" for error in draft.errors[:3]]


def definition_lines(text: str, depth: int) -> list[str]:
    """The ``definition`` assignment at ``depth``: a triple-quoted block, or a plain string
    literal when the text holds what a triple-quoted string cannot (the compute-code skeleton
    writes its definitions with it too)."""
    pad = INDENT * depth
    body = [line.strip() for line in text.strip().splitlines()]
    if '"""' in text or "\\" in text:  # not safe inside a plain triple-quoted string
        literal = repr("\n".join(body) + "\n")
        return [f"{pad}definition = {literal}"]
    indented = [f"{pad}{line}" if line else "" for line in body]
    return [f'{pad}definition = """', *indented, f'{pad}"""']


def _make(draft: DraftTable, parts: list[DraftTable]) -> list[str]:
    pad = INDENT * 2
    secondary = [
        item
        for item in (draft.spec.items if draft.spec is not None else ())
        if isinstance(item, AttributeSpec) and not item.in_key
    ]
    lines = [
        MAKE_SIGNATURE,
        f"{pad}# Fetch what this key depends on, compute, then insert the result.",
        *insert_call([(item.name, _one_line(item.type_text)) for item in secondary]),
    ]
    for part in parts:
        lines.append(f"{pad}# self.{part.class_name.rpartition('.')[2]}.insert([...])")
    return lines


def module_start(docstring: list[str], *, imports: list[str]) -> list[str]:
    """The first lines of a written module: its docstring, then the imports every one has
    (``imports`` go before ``typing``'s)."""
    return [
        f'"""{docstring[0]}',
        *docstring[1:],
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *imports,
        "from typing import Any",
        "",
        "import pipelines.core as dj",
        "",
    ]


def insert_call(attributes: list[tuple[str, str]]) -> list[str]:
    """The ``self.insert1`` of a ``make`` body: the key, then each attribute to fill (name, note)."""
    pad = INDENT * 2
    return [
        f"{pad}self.insert1(",
        f"{pad}{INDENT}{{",
        f"{pad}{INDENT * 2}**key,",
        *[f'{pad}{INDENT * 2}"{name}": ...,  # {note}' for name, note in attributes],
        f"{pad}{INDENT}}}",
        f"{pad})",
    ]


def _identifier(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not cleaned or cleaned[0].isdigit() or keyword.iskeyword(cleaned):
        cleaned = f"_{cleaned}"
    return cleaned if cleaned not in {"dj", "types", "Any", "schema"} else f"{cleaned}_"


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _text(name: str) -> str:
    return _one_line(name).replace('"""', "'''").replace("\\", "/")

"""What the portal admits in a definition beyond the engine's own checks.

A library user's definition is code they run themselves; a definition typed into the portal
runs on the server. The engine evaluates each ``->`` reference with ``eval`` and copies some
text verbatim into the DDL (expression index items, quoted defaults, enum values), so here a
reference must be a plain table name (``Class``, ``Master.Part``, ``master``, ``schema.Class``,
optionally ``.proj(new='old', ...)``), index items must be attribute names, and literals may
not hold a backslash or their own quote. Anything else is an error on its line, before the
engine sees it (rule 5 of the design: the browser never sends SQL).
"""

from __future__ import annotations

import re

from pipelines.core.definition.spec import DefinitionItem, ForeignKeySpec, IndexSpec

_CLASS = r"[A-Z][A-Za-z0-9]*"
_SCHEMA = r"[a-z][a-z0-9_]*"
_ATTRIBUTE = r"[a-z][a-z0-9_]*"
_RENAME = rf"{_ATTRIBUTE}\s*=\s*(?:'{_ATTRIBUTE}'|\"{_ATTRIBUTE}\")"
_REFERENCE = re.compile(
    rf"(?:{_SCHEMA}\s*\.\s*)?(?:master|{_CLASS})(?:\s*\.\s*{_CLASS})?"
    rf"(?:\s*\.\s*proj\s*\(\s*(?:{_RENAME}(?:\s*,\s*{_RENAME})*\s*,?)?\s*\))?"
)
_ATTRIBUTE_NAME = re.compile(_ATTRIBUTE)
#: Longest definition text the portal stores (a generous table is a few kilobytes).
MAX_DEFINITION_LENGTH = 20_000


def portal_problem(item: DefinitionItem) -> str | None:
    """Why the portal does not admit this line of a definition, or None."""
    if isinstance(item, ForeignKeySpec):
        if not _REFERENCE.fullmatch(item.reference.strip()):
            return (
                "A reference names a table: `-> Class`, `-> Master.Part`, `-> master`, "
                "`-> schema.Class`, optionally with `.proj(new='old')`"
            )
        return None
    if isinstance(item, IndexSpec):
        if not all(_ATTRIBUTE_NAME.fullmatch(i.strip()) for i in item.items):
            return "Index items must be attribute names here (no SQL expressions)"
        return None
    if "\\" in item.type_text or ";" in item.type_text:
        return "A type may not contain a backslash or a semicolon"
    if item.default is not None and not _safe_literal(item.default.strip()):
        return "A default may not contain a backslash, or its own quote inside the quotes"
    return None


def _safe_literal(value: str) -> bool:
    if "\\" in value:
        return False
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[0] not in value[1:-1]
    return True

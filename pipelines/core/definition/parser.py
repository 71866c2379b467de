"""Definition text -> ``TableSpec``: the syntax of spec/engine.md §1.1–§1.3, §1.6–§1.8.

Pure: references (``-> Parent``) are kept as text and resolved later against a context. Every error
is a ``DataJointError`` that starts with DataJoint's wording (so users searching for it find it) and
ends with the line number and text of the offending line.
"""

from __future__ import annotations

import re
import string

from pipelines.core.definition.spec import (
    AttributeSpec,
    DefinitionItem,
    ForeignKeySpec,
    IndexSpec,
    SourceLine,
    TableSpec,
)
from pipelines.core.errors import DataJointError
from pipelines.core.types import AttributeType, TypeCategory, parse_type

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PLATFORM_NAME = re.compile(r"_*[a-z][a-z0-9_]*")  # platform columns: `_singleton`, `_job_*`
_INDEX_LINE = re.compile(r"(unique\s+)?index\s*\(.*\)\s*(#.*)?", re.IGNORECASE)
_INDEX = re.compile(r"(?P<unique>unique\s+)?index\s*\((?P<args>.*)\)", re.IGNORECASE)
_CURRENT_TIMESTAMP = re.compile(r"current_timestamp(\s*\(\s*\d*\s*\))?", re.IGNORECASE)
_FK_OPTIONS = {"nullable", "unique"}
# Codecs whose value without a store is a serialized blob column.
_BLOB_CODECS = {"blob", "attach"}


def parse_definition(text: str) -> TableSpec:
    """Parse a table definition. Line numbers in errors count lines of ``text`` from 1."""
    lines = [
        SourceLine(number, line.strip())
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    comment = ""
    if lines and lines[0].text.startswith("#"):
        comment = lines[0].text[1:].strip()
        if comment.startswith(":"):
            raise _error('Table comment must not start with a colon ":"', lines[0])
        lines = lines[1:]
    items: list[DefinitionItem] = []
    declared: dict[str, SourceLine] = {}
    in_key = True
    for line in lines:
        if line.text.startswith("#"):
            continue
        if line.text.startswith("---"):
            in_key = False
            continue
        item = _parse_line(line, in_key)
        if isinstance(item, AttributeSpec):
            first = declared.setdefault(item.name, line)
            if first is not line:
                raise _error(
                    f"Duplicate attribute name `{item.name}` (first declared in line "
                    f"{first.number})",
                    line,
                )
        items.append(item)
    return TableSpec(comment=comment, items=tuple(items))


def parse_attribute_line(
    text: str, *, in_key: bool, number: int = 1, allow_reserved: bool = False
) -> AttributeSpec:
    """Parse one attribute line; ``allow_reserved`` admits platform columns (``_singleton``)."""
    line = SourceLine(number, text.strip())
    if line.text.startswith("_") and not allow_reserved:
        raise _reserved_name_error(line)
    return _parse_attribute(line, in_key, _PLATFORM_NAME if allow_reserved else _NAME)


def format_default_sql(default: str) -> str:
    """Render a default as written in a definition into its SQL literal (spec §1.3)."""
    value = default.strip()
    if value.lower() == "null":
        return "NULL"
    if _CURRENT_TIMESTAMP.fullmatch(value):
        return value
    if len(value) >= 2 and value[0] == value[-1] == '"':
        # Double quotes are not a string literal in standard SQL: re-quote to stay portable.
        return _single_quoted(value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value
    return _single_quoted(value)


def is_foreign_key_line(text: str) -> bool:
    """A ``->`` with no quote or ``#`` before it: the arrow is not inside a default or comment."""
    arrow = text.find("->")
    return arrow >= 0 and not any(char in text[:arrow] for char in "\"'#")


# ---- line classification ---------------------------------------------------------------------


def _parse_line(line: SourceLine, in_key: bool) -> DefinitionItem:
    if is_foreign_key_line(line.text):
        return _parse_foreign_key(line, in_key)
    if _INDEX_LINE.fullmatch(line.text):
        return _parse_index(line)
    if line.text.startswith("_"):
        raise _reserved_name_error(line)
    return _parse_attribute(line, in_key)


def _parse_foreign_key(line: SourceLine, in_key: bool) -> ForeignKeySpec:
    text = _without_comment(line.text)
    if not text.startswith("->"):
        raise _error(
            "Parsing error in foreign key line: it must start with `->`. The rename syntax "
            "`(alias) -> Parent` is no longer supported; write `-> Parent.proj(alias='attr')`",
            line,
        )
    rest = text[2:].strip()
    options: list[str] = []
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            raise _error('Parsing error in foreign key line: missing "]" after the options', line)
        options = [option.strip() for option in rest[1:close].split(",")]
        rest = rest[close + 1 :].strip()
    for option in options:
        if option.lower() not in _FK_OPTIONS:
            raise _error(f'Invalid foreign key option "{option}"', line)
    if not rest:
        raise _error("Parsing error in foreign key line: the referenced table is missing", line)
    lowered = {option.lower() for option in options}
    nullable = "nullable" in lowered
    if nullable and in_key:
        raise _error("Primary dependencies cannot be nullable", line)
    return ForeignKeySpec(rest, in_key, nullable, "unique" in lowered, line)


def _parse_index(line: SourceLine) -> IndexSpec:
    match = _INDEX.fullmatch(_without_comment(line.text))
    items = _split_index_items(match.group("args")) if match else None
    if match is None or items is None:
        raise _error("Table definition syntax error in index line", line)
    if not items:
        raise _error("Table definition syntax error: an index needs at least one attribute", line)
    return IndexSpec(match.group("unique") is not None, tuple(items), line)


def _split_index_items(args: str) -> list[str] | None:
    """Split on top-level commas; parentheses nest and quotes hide. None if unbalanced."""
    items: list[str] = []
    depth, start, pos = 0, 0, 0
    while pos < len(args):
        char = args[pos]
        if char in "'\"":
            pos = _after_quoted(args, pos)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            items.append(args[start:pos].strip())
            start = pos + 1
        pos += 1
    if depth:
        return None
    items.append(args[start:].strip())
    return [item for item in items if item]  # `index(a,)` is tolerated, as DataJoint does


# ---- attribute lines -------------------------------------------------------------------------


def _parse_attribute(
    line: SourceLine, in_key: bool, name_pattern: re.Pattern[str] = _NAME
) -> AttributeSpec:
    name, default, type_text, comment = _tokenize_attribute(line, name_pattern)
    nullable = default is not None and default.lower() == "null"
    if nullable and in_key:
        raise _error("Primary key attributes cannot be nullable", line)
    if comment.startswith(":"):
        raise _error("An attribute comment must not start with a colon", line)
    try:
        attribute_type = parse_type(type_text)
    except DataJointError as error:
        raise _error(str(error), line) from None
    _check_type_use(attribute_type, default, nullable, in_key, line)
    return AttributeSpec(name, type_text, in_key, nullable, default, comment, line)


def _check_type_use(
    attribute_type: AttributeType,
    default: str | None,
    nullable: bool,
    in_key: bool,
    line: SourceLine,
) -> None:
    stores_blob = attribute_type.is_blob or attribute_type.codec in _BLOB_CODECS
    if stores_blob and default is not None and not nullable:
        raise _error("The default value for blob attributes can only be NULL", line)
    # The server would refuse such a key anyway, and DataJoint only notices after the table exists.
    if in_key and (attribute_type.is_blob or attribute_type.category is TypeCategory.JSON):
        raise _error("Blob or JSON attributes are not allowed in the primary key", line)


def _tokenize_attribute(
    line: SourceLine, name_pattern: re.Pattern[str]
) -> tuple[str, str | None, str, str]:
    """Split ``name [= default] : type [# comment]`` into its four parts."""
    text = line.text
    word = re.match(r"[^\s=:#]*", text)
    name = word.group() if word else ""
    if not name_pattern.fullmatch(name):
        position = 0 if not name[:1].islower() else _first_bad_name_char(name)
        raise _declaration_error(
            position, f'invalid attribute name "{name}" (names match [a-z][a-z0-9_]*)', line
        )
    pos = _skip_spaces(text, len(name))
    default: str | None = None
    if text.startswith("=", pos):
        # The default runs to the first colon outside quotes; quoted strings may hold ':' and '#'.
        colon = _find_unquoted(text, ":", pos + 1)
        if colon < 0:
            raise _declaration_error(len(text), 'expected ":" and a type after the default', line)
        default = text[pos + 1 : colon].strip() or None
        pos = colon
    if not text.startswith(":", pos):
        raise _declaration_error(pos, 'expected "=" or ":" after the attribute name', line)
    type_text, comment = _split_type_and_comment(line, _skip_spaces(text, pos + 1))
    return name, default, type_text, comment


def _split_type_and_comment(line: SourceLine, pos: int) -> tuple[str, str]:
    text = line.text
    if text.startswith("<", pos):
        close = text.find(">", pos)
        if close < 0:
            raise _declaration_error(pos, 'a codec type needs a closing ">"', line)
        hash_at = _skip_spaces(text, close + 1)
        if hash_at < len(text) and text[hash_at] != "#":
            raise _declaration_error(hash_at, 'expected "#" and a comment after the type', line)
        type_text = text[pos : close + 1]
    elif pos < len(text) and text[pos] in string.ascii_letters:
        hash_at = _find_unquoted(text, "#", pos)
        hash_at = len(text) if hash_at < 0 else hash_at
        type_text = text[pos:hash_at].strip()
    else:
        raise _declaration_error(pos, 'expected a type after ":"', line)
    # Trailing '#'s are dropped, as DataJoint does, so both write the same column comment.
    comment = text[hash_at + 1 :].rstrip("#").strip()
    return type_text, comment


def _first_bad_name_char(name: str) -> int:
    return next(i for i, char in enumerate(name) if not _NAME.fullmatch("a" + char))


# ---- scanning helpers ------------------------------------------------------------------------


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _after_quoted(text: str, pos: int) -> int:
    """Position after the string literal opening at ``pos``; an unclosed quote is a plain char."""
    close = text.find(text[pos], pos + 1)
    return pos + 1 if close < 0 else close + 1


def _find_unquoted(text: str, target: str, pos: int) -> int:
    """Index of the first ``target`` character outside quoted strings at or after ``pos``, or -1."""
    while pos < len(text):
        char = text[pos]
        if char == target:
            return pos
        pos = _after_quoted(text, pos) if char in "'\"" else pos + 1
    return -1


def _without_comment(text: str) -> str:
    hash_at = _find_unquoted(text, "#", 0)
    return (text if hash_at < 0 else text[:hash_at]).strip()


def _single_quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---- errors ----------------------------------------------------------------------------------


def _error(message: str, line: SourceLine) -> DataJointError:
    return DataJointError(f"{message} (line {line.number}: `{line.text}`)")


def _declaration_error(position: int, detail: str, line: SourceLine) -> DataJointError:
    return _error(f"Declaration error in position {position}: {detail}", line)


def _reserved_name_error(line: SourceLine) -> DataJointError:
    name = re.match(r"[^\s=:#]*", line.text)
    return _error(
        f"Attribute name `{name.group() if name else ''}` starts with an underscore. Names with "
        "a leading underscore are reserved for platform-managed columns (e.g. _job_start_time, "
        "_singleton)",
        line,
    )


__all__ = [
    "format_default_sql",
    "is_foreign_key_line",
    "parse_attribute_line",
    "parse_definition",
]

"""A ``TableDiff`` in words, one line per change, in definition terms (what ``alter`` shows)."""

from __future__ import annotations

from ..definition.resolved import Column, ForeignKey, Index
from ..definition.table_diff import (
    FIRST,
    ColumnChange,
    TableDiff,
    declared_type,
    default_key,
    user_comment,
)


def describe_changes(diff: TableDiff) -> list[str]:
    lines = [f"drop attribute `{name}`" for name in diff.drops]
    lines += [f"drop foreign key {_foreign_key(fk)}" for fk in diff.dropped_foreign_keys]
    lines += [f"drop {_index(index)}" for index in diff.dropped_indexes]
    lines += [_change(diff, change) for change in diff.changes]
    lines += [f"add foreign key {_foreign_key(fk)}" for fk in diff.added_foreign_keys]
    lines += [f"add {_index(index)}" for index in diff.added_indexes]
    if diff.comment_changed:
        lines.append(f'change the table comment to "{diff.new.comment}"')
    return lines


def _change(diff: TableDiff, change: ColumnChange) -> str:
    new = change.column
    if change.source is None:
        return f"add attribute {_declaration(new)}{_position(change)}"
    old = diff.old.column(change.source)
    if change.kind == "rename":
        head = f"rename attribute `{change.source}` to `{new.name}`"
    else:
        head = f"change attribute `{new.name}`"
    aspects = []
    if declared_type(old) != declared_type(new):
        aspects.append(f"type {declared_type(old)} -> {declared_type(new)}")
    if old.nullable != new.nullable:
        aspects.append("nullable" if new.nullable else "not nullable")
    elif default_key(old) != default_key(new):
        aspects.append(f"default {new.default}" if new.default is not None else "no default")
    if user_comment(old) != user_comment(new):
        aspects.append(f'comment "{user_comment(new)}"')
    detail = f": {', '.join(aspects)}" if aspects else ""
    if change.kind == "modify" and not aspects and change.moved:
        head = f"move attribute `{new.name}`"
    return head + detail + _position(change)


def _position(change: ColumnChange) -> str:
    if change.after is None:
        return ""
    return " (first)" if change.after == FIRST else f" (after `{change.after}`)"


def _declaration(column: Column) -> str:
    name = column.name
    if column.nullable and column.default is None and not column.omit_null_clause:
        name += "=null"
    elif column.default is not None:
        name += f"={column.default}"
    comment = user_comment(column)
    return f"`{name} : {declared_type(column)}{' # ' + comment if comment else ''}`"


def _foreign_key(fk: ForeignKey) -> str:
    option = "nullable " if fk.nullable else ""
    columns = ", ".join(fk.columns)
    return f"{option}({columns}) -> `{fk.parent_database}`.`{fk.parent_table}`"


def _index(index: Index) -> str:
    return f"{'unique ' if index.unique else ''}index ({', '.join(index.items)})"

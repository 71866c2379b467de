"""What a table definition says, as plain data: the parser's output, before any reference is resolved.

A ``TableSpec`` keeps the definition's lines in order, because order is meaningful: columns are
emitted in definition order (foreign-key columns where their ``->`` line is) and unique foreign-key
indexes interleave with declared indexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceLine:
    """Where a spec item came from, for error messages: 1-based line number and the stripped text."""

    number: int
    text: str


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute line: ``name [= default] : type [# comment]``."""

    name: str
    type_text: str  # the declared type verbatim, e.g. "int16", "enum('a', 'b')", "<blob@store>"
    in_key: bool
    nullable: bool  # True when the default is null
    default: str | None  # the default text as written (without "="), None when absent
    comment: str
    source: SourceLine


@dataclass(frozen=True)
class ForeignKeySpec:
    """One ``-> [options] Reference`` line. The reference is resolved later, against a context."""

    reference: str  # e.g. "Subject", "lab.Rig.proj(backup_rig='rig')", "master", "master.Part"
    in_key: bool
    nullable: bool
    unique: bool
    source: SourceLine


@dataclass(frozen=True)
class IndexSpec:
    """One ``[unique] index(item, ...)`` line; items are attribute names or verbatim expressions."""

    unique: bool
    items: tuple[str, ...]
    source: SourceLine


DefinitionItem = AttributeSpec | ForeignKeySpec | IndexSpec


@dataclass(frozen=True)
class TableSpec:
    """A parsed definition: table comment and items in definition order."""

    comment: str = ""
    items: tuple[DefinitionItem, ...] = field(default_factory=tuple)

    @property
    def attributes(self) -> tuple[AttributeSpec, ...]:
        return tuple(i for i in self.items if isinstance(i, AttributeSpec))

    @property
    def foreign_keys(self) -> tuple[ForeignKeySpec, ...]:
        return tuple(i for i in self.items if isinstance(i, ForeignKeySpec))

    @property
    def indexes(self) -> tuple[IndexSpec, ...]:
        return tuple(i for i in self.items if isinstance(i, IndexSpec))

"""A table definition with every reference resolved: the columns, keys and indexes to create."""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import SourceLine


@dataclass(frozen=True)
class ParentAttribute:
    """A primary-key attribute of a referenced table, as a child copies it."""

    name: str
    sql_type: str  # in MySQL terms, display widths removed ("int", "varchar(12)", "binary(16)")
    comment: str  # the user comment, without the ":type:" marker
    is_uuid: bool
    lineage: str | None


@dataclass(frozen=True)
class ParentKey:
    """What a ``->`` line refers to: a table's primary key, optionally renamed (new -> old)."""

    database: str
    table_name: str
    attributes: tuple[ParentAttribute, ...]
    renames: dict[str, str] = field(default_factory=dict)

    def child_name(self, parent_name: str) -> str:
        for new, old in self.renames.items():
            if old == parent_name:
                return new
        return parent_name


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # the column type in MySQL terms, e.g. "smallint", "longblob", "int unsigned"
    in_key: bool
    nullable: bool
    default: str | None  # the default as written in the definition (None: no default)
    comment: str  # the full stored comment, ":type:" marker included
    omit_null_clause: bool = False  # a [nullable] foreign-key column: no NULL/NOT NULL text
    autoincrement: bool = False
    lineage: str | None = None
    is_hidden: bool = False


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    parent_database: str
    parent_table: str
    parent_columns: tuple[str, ...]
    nullable: bool
    in_key: bool
    source: SourceLine | None = None


@dataclass(frozen=True)
class Index:
    unique: bool
    items: tuple[str, ...]


@dataclass(frozen=True)
class ResolvedTable:
    database: str
    table_name: str
    comment: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    indexes: tuple[Index, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def lineage_rows(self) -> list[tuple[str, str, str]]:
        """(table_name, attribute_name, lineage) for every attribute that has a lineage."""
        return [(self.table_name, c.name, c.lineage) for c in self.columns if c.lineage]

"""The table a row operation works on, its tier rules, and the restrictions the client sends.

Rows are entered and corrected only in Manual and Lookup tables and in the parts of such
masters: Imported and Computed tables (and their parts) are filled by their ``make``, so rows
typed in by hand would not be the result of the computation they claim to be. Deletes are
allowed in every tier (that is how a computed result is recomputed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pipelines.core as dj
from pipelines.core.definition.naming import master_of, tier_of_table_name
from pipelines.core.query.heading import Heading
from pipelines.models import Pipeline
from pipelines.services.conditions import restriction_from_json
from pipelines.services.data import data_connection
from pipelines.services.errors import Invalid, NotFound, ServiceError
from pipelines.services.tables import TableName, class_name_of, table_query
from pipelines.services.values import Kind, kind_of, plain_out

ENTRY_TIERS = ("Manual", "Lookup")
#: At most this many keys in one request (a delete by keys, an audit entry lists).
MAX_KEYS = 1000


class TierRefused(ServiceError):
    """The table's tier does not allow this change, whatever the caller's role."""

    code = "tier_refused"
    status = 409


@dataclass
class RowTable:
    """One table of a pipeline, resolved and checked, with its engine object."""

    pipeline: Pipeline
    name: TableName
    table: dj.FreeTable = field(repr=False)

    @property
    def heading(self) -> Heading:
        return self.table.heading

    @cached_property
    def kinds(self) -> dict[str, Kind]:
        return {attribute.name: kind_of(attribute) for attribute in self.heading}

    @property
    def label(self) -> str:
        """``schema.Class`` as users name the table (audit targets, messages)."""
        return f"{self.name.schema}.{self.name.name}"

    @property
    def entry_tier(self) -> str:
        """The tier that decides whether rows may be entered: a part's master's tier."""
        if self.name.tier != "Part":
            return self.name.tier
        master = master_of(self.name.table_name)
        return (tier_of_table_name(master) if master else None) or "Part"


def row_table(*, pipeline: Pipeline, schema: str, name: str) -> RowTable:
    """The table ``name`` of ``schema`` (one of the pipeline's), found with one catalog query:
    every request of the rows API starts here."""
    if schema not in pipeline.schemas:
        raise NotFound(
            f"Schema {schema!r} is not part of pipeline {pipeline.slug!r}.",
            details={"schema": schema},
        )
    for table_name in data_connection().catalog.list_tables(schema):
        named = class_name_of(table_name)
        if named is not None and named[0] == name:
            found = TableName(schema, name, table_name, named[1])
            return RowTable(pipeline, found, table_query(found))
    raise NotFound(
        f"No table {name!r} in schema {schema!r}.", details={"schema": schema, "table": name}
    )


def check_entry(target: RowTable, action: str) -> None:
    """Refuse entering or correcting rows of an auto-populated table (or of its parts)."""
    if target.entry_tier in ENTRY_TIERS:
        return
    what = f"a part of a {target.entry_tier} table" if target.name.tier == "Part" else None
    raise TierRefused(
        f"Cannot {action} rows of {target.label}: it is {what or 'a ' + target.name.tier} "
        "table, filled by its make method during populate. Rows are entered in Manual and "
        "Lookup tables (and their parts) only.",
        details={"tier": target.name.tier, "master_tier": target.entry_tier},
    )


def restriction(target: RowTable, where: Any) -> Any:
    """The engine restriction of a JSON condition tree over ``target`` (None: every row)."""

    def resolve(schema: str, name: str) -> Any:
        if not isinstance(schema, str) or not isinstance(name, str):
            raise Invalid("A table is named by schema and name strings.")
        try:
            return row_table(pipeline=target.pipeline, schema=schema, name=name).table
        except NotFound as error:
            raise Invalid(error.message, details=error.details) from None

    return restriction_from_json(where, target.heading.names, resolve)


def restricted(target: RowTable, where: Any) -> Any:
    return target.table & restriction(target, where)


def key_of(target: RowTable, key: Any, *, at: str = "key") -> dict[str, Any]:
    """A primary key given by the client: exactly the key attributes, scalar values."""
    names = target.heading.primary_key
    if not isinstance(key, dict):
        raise Invalid(f"{at}: a key is a JSON object of the primary key's values.")
    if set(key) != set(names):
        raise Invalid(
            f"{at}: a key names exactly the primary key attributes {names}.",
            details={"at": at, "primary_key": names, "given": sorted(map(str, key))},
        )
    for name, value in key.items():
        if value is None or isinstance(value, dict | list):
            raise Invalid(f"{at}.{name}: a key value is a string, a number or a boolean.")
    return {name: key[name] for name in names}


def keys_of(target: RowTable, keys: Any) -> list[dict[str, Any]]:
    if not isinstance(keys, list) or not keys or len(keys) > MAX_KEYS:
        raise Invalid(f"keys: a list of 1 to {MAX_KEYS} keys.")
    return [key_of(target, key, at=f"keys[{i}]") for i, key in enumerate(keys)]


def key_out(key: dict[str, Any]) -> dict[str, Any]:
    return {name: plain_out(value) for name, value in key.items()}


def one_row(target: RowTable, key: dict[str, Any]) -> Any:
    """``target`` restricted to the row of ``key``; NotFound when there is none."""
    found = target.table & key
    if not found:
        raise NotFound(f"{target.label} has no row {key_out(key)}.", details={"key": key_out(key)})
    return found

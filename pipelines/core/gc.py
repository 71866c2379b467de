"""Garbage collection of store objects no row references any more (spec §7.4), as ``dj.gc``.

Deleting rows never deletes store objects: hash-addressed objects may be shared by several rows,
and a transaction that rolls back must not lose files. Unreferenced objects are found and
removed by an explicit command instead, which previews by default::

    collector = dj.gc.GarbageCollector(schema, store="main")
    report = collector.collect()               # what would be removed (nothing is)
    report = collector.collect(dry_run=False)  # remove it

Only the collector's schemas' sections of one store are examined (``{hash_prefix}/{schema}/``
and ``{schema_prefix}/[partitions/]{schema}/``), so other schemas and user files are never
touched. Unlike DataJoint 2.3.5, attributes are classified by their whole codec chain (a custom
codec over ``<blob@s>`` is hash-addressed, spec §12 item 18), partitioned layouts are walked
(item 19), and a table that cannot be read is a scan error that blocks deletion instead of a
warning that lets its live objects look orphaned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from .codecs import Codec, SchemaCodec, lookup, resolve_chain, split_spec
from .errors import DataJointError
from .query.heading import Attribute
from .schema.headings import load_table
from .stores import HASH_NAME, Backend, open_store, partition_attributes

logger = logging.getLogger("pipelines.core")

_FALLBACK = Codec()  # reads DataJoint's standard {path, store} metadata


class GarbageCollector:
    """Finds, and on request removes, the unreferenced objects of some schemas in one store."""

    def __init__(self, *schemas: Any, store: str | None = None, config: Any = None) -> None:
        if not schemas:
            raise DataJointError("At least one schema must be provided")
        self.schemas = schemas
        self.store = store
        self.config = config if config is not None else schemas[0].connection.config
        self.spec, self.backend = open_store(self.config, store)
        self._scan_errors: list[str] = []

    # --- references: what the rows point at ---------------------------------------------------
    def references(self) -> tuple[set[str], set[str]]:
        """(hash paths, schema paths) referenced by the rows of every table of the schemas."""
        hashed: set[str] = set()
        addressed: set[str] = set()
        for schema in self.schemas:
            for table in schema.list_tables():
                try:
                    self._table_references(schema, table, hashed, addressed)
                except Exception as error:  # unreadable references must block deletion
                    self._scan_errors.append(f"references of {schema.database}.{table}: {error}")
        return hashed, addressed

    def _table_references(
        self, schema: Any, table: str, hashed: set[str], addressed: set[str]
    ) -> None:
        conn = schema.connection
        heading, _ = load_table(conn, schema.database, table)
        for attribute in heading.all_attributes.values():
            if not attribute.type.startswith("<"):
                continue
            codec, section = self._classify(attribute)
            if section is None:
                continue
            for raw in _stored_values(conn, schema.database, table, attribute.name):
                for path, store in codec.referenced_paths(raw):
                    if not self._in_store(store):
                        continue
                    target = section or self._section_of(path)
                    (hashed if target == "hash" else addressed).add(path)

    def _in_store(self, store: str | None) -> bool:
        """Whether a reference is to this collector's store (any store when none was named).

        Metadata without a store name (custom codecs of older clients) means the default store.
        """
        if self.store is None:
            return True
        default = self.config["stores"].get("default")
        return (store or default) == self.spec.name

    def _classify(self, attribute: Attribute) -> tuple[Any, str | None]:
        """The codec that reads the references, and the section: "hash", "schema", None (none)
        or "" (unknown codec: decided per path by its prefix)."""
        codec = lookup(split_spec(attribute.type)[0])
        if codec is None:
            return _FALLBACK, ""
        chain = resolve_chain(attribute.type)
        reader = codec if callable(getattr(codec, "referenced_paths", None)) else _FALLBACK
        if chain.uses("hash"):
            return reader, "hash"
        if any(isinstance(c, SchemaCodec) for c in chain.codecs):
            return reader, "schema"
        return reader, "" if chain.store is not None else None

    def _section_of(self, path: str) -> str:
        return "hash" if path.startswith(self.spec.hash_prefix + "/") else "schema"

    # --- stored: what the store holds ----------------------------------------------------------
    def list_hash_paths(self, schema_name: str) -> dict[str, int]:
        """Hash-addressed files of one schema (store path -> size)."""
        section = "/".join(p for p in (self.spec.hash_prefix, schema_name) if p)
        stored: dict[str, int] = {}
        try:
            for path, size in self.backend.files(section):
                if HASH_NAME.match(path.rsplit("/", 1)[-1]):
                    stored[path] = size
        except Exception as error:
            self._scan_errors.append(f"list_hash_paths({schema_name}): {error}")
        return stored

    def list_schema_paths(self, schema_name: str) -> dict[str, int]:
        """Schema-addressed files of one schema, partitioned layouts included (path -> size)."""
        stored: dict[str, int] = {}
        try:
            for section in self._schema_sections(schema_name):
                stored.update(self.backend.files(section))
        except Exception as error:
            self._scan_errors.append(f"list_schema_paths({schema_name}): {error}")
        return stored

    def _schema_sections(self, schema_name: str) -> Iterator[str]:
        """``{schema_prefix}/{schema}`` and every ``{schema_prefix}/{p}=…/…/{schema}`` below it."""
        prefix = self.spec.schema_prefix
        yield "/".join(p for p in (prefix, schema_name) if p)
        attributes = partition_attributes(self.spec)
        if attributes:
            yield from _partitioned(self.backend, prefix, schema_name, attributes)

    # --- collection ----------------------------------------------------------------------------
    def collect(self, dry_run: bool = True, verbose: bool = False) -> dict[str, Any]:
        """Report the orphaned objects; with ``dry_run=False`` also delete them."""
        self._scan_errors = []
        hash_referenced, schema_referenced = self.references()
        hash_stored: dict[str, int] = {}
        schema_stored: dict[str, int] = {}
        for schema in self.schemas:
            hash_stored.update(self.list_hash_paths(schema.database))
            schema_stored.update(self.list_schema_paths(schema.database))
        hash_orphans = sorted(set(hash_stored) - hash_referenced)
        schema_orphans = sorted(p for p in schema_stored if not _covered(p, schema_referenced))
        outcome = {"hash": 0, "schema": 0, "bytes": 0, "errors": 0}
        if not dry_run:
            if self._scan_errors:
                raise DataJointError(
                    f"Refusing to delete: {len(self._scan_errors)} scan error(s) — a partial "
                    f"listing risks classifying live files as orphaned. Errors: {self._scan_errors}"
                )
            self._delete(hash_orphans, hash_stored, "hash", outcome, verbose)
            self._delete(schema_orphans, schema_stored, "schema", outcome, verbose)
        return {
            "hash_paths_referenced": len(hash_referenced),
            "hash_paths_stored": len(hash_stored),
            "hash_paths_orphaned": len(hash_orphans),
            "hash_paths_orphaned_bytes": sum(hash_stored[p] for p in hash_orphans),
            "orphaned_hash_paths": hash_orphans,
            "schema_paths_referenced": len(schema_referenced),
            "schema_paths_stored": len(schema_stored),
            "schema_paths_orphaned": len(schema_orphans),
            "schema_paths_orphaned_bytes": sum(schema_stored[p] for p in schema_orphans),
            "orphaned_schema_paths": schema_orphans,
            "hash_paths_deleted": outcome["hash"],
            "schema_paths_deleted": outcome["schema"],
            "deleted": outcome["hash"] + outcome["schema"],
            "bytes_freed": outcome["bytes"],
            "errors": outcome["errors"],
            "scan_errors": list(self._scan_errors),
            "dry_run": dry_run,
        }

    def _delete(
        self,
        paths: list[str],
        sizes: dict[str, int],
        section: str,
        outcome: dict[str, int],
        verbose: bool,
    ) -> None:
        for path in paths:
            try:
                if not self.backend.exists(path):
                    continue
                self.backend.remove(path)
                if section == "schema":  # hash directories stay: new objects land there again
                    _prune_parents(self.backend, path)
            except Exception as error:
                outcome["errors"] += 1
                logger.warning(f"Failed to delete {path}: {error}")
                continue
            outcome[section] += 1
            outcome["bytes"] += sizes.get(path, 0)
            if verbose:
                logger.info(f"Deleted {path} ({sizes.get(path, 0)} bytes)")


def _stored_values(conn: Any, database: str, table: str, column: str) -> Iterator[Any]:
    """The raw (undecoded) non-NULL values of one column, streamed."""
    dialect = conn.dialect
    name = dialect.quote(column)
    cursor = conn.query(
        f"SELECT {name} FROM {dialect.table_ref(database, table)} WHERE {name} IS NOT NULL"
    )
    while batch := cursor.fetchmany(1000):
        for (value,) in batch:
            yield value


def _partitioned(backend: Backend, base: str, schema: str, attributes: list[str]) -> Iterator[str]:
    """Schema sections below partition directories (``attr=value``, in pattern order)."""
    for name, is_dir in backend.entries(base):
        if not is_dir:
            continue
        path = f"{base}/{name}" if base else name
        for i, attribute in enumerate(attributes):
            if name.startswith(attribute + "="):
                schema_dir = f"{path}/{schema}"
                if backend.isdir(schema_dir):
                    yield schema_dir
                yield from _partitioned(backend, path, schema, attributes[i + 1 :])
                break


def _covered(path: str, referenced: set[str]) -> bool:
    """A stored file belongs to a referenced object: it is one, is inside one (a folder), or is
    one's ``.manifest.json`` sidecar."""
    path = path.removesuffix(".manifest.json")
    if path in referenced:
        return True
    cut = path.rfind("/")
    while cut > 0:
        if path[:cut] in referenced:
            return True
        cut = path.rfind("/", 0, cut)
    return False


def _prune_parents(backend: Backend, path: str) -> None:
    """Remove the directories a deleted file leaves empty, up to the store root."""
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    while parent and backend.remove_empty_dir(parent):
        parent = parent.rsplit("/", 1)[0] if "/" in parent else ""

"""``Table``: a query over one base table, plus insert, deletes, drops and introspection."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from ..db.catalog import TableInfo
from ..db.connection import Connection
from ..db.default import conn as default_connection
from ..db.insert import InsertTarget, encode_columns, execute_insert, explain_insert_error
from ..db.rows import normalize_rows
from ..definition.naming import job_table_name, tier_of_table_name
from ..errors import DataJointError, DuplicateError, IntegrityError, MissingAttributeError
from ..query.coerce import coerce
from ..query.heading import Heading
from ..query.nodes import Node, Restrict, TableRef
from .describe import describe_table
from .expression import QueryExpression
from .graph import DependencyGraph
from .headings import load_table

if TYPE_CHECKING:
    from .deletion import CascadePreview

logger = logging.getLogger("pipelines.core")


class Table(QueryExpression):
    """A base table. Subclasses name it (user tiers) or are given a name (``FreeTable``)."""

    database: str | None = None
    _table_name: str | None = None
    _allow_insert: bool = True

    # --- identity --------------------------------------------------------------------------------
    @property
    def table_name(self) -> str:
        if self._table_name is None:
            raise DataJointError(f"Table `{type(self).__name__}` has no table name.")
        return self._table_name

    @property
    def full_table_name(self) -> str:
        return f"`{self.database}`.`{self.table_name}`"

    @property
    def class_name(self) -> str:
        return type(self).__name__

    def _bound(self) -> tuple[Connection, str]:
        if self.database is None or self._connection is None:
            raise DataJointError(
                f"Table `{type(self).__name__}` is not properly configured. Ensure the schema is "
                "activated and the class is decorated with it."
            )
        return self._connection, self.database

    @property
    def is_declared(self) -> bool:
        conn, database = self._bound()
        return conn.catalog.table_exists(database, self.table_name)

    def _load(self) -> tuple[Heading, TableInfo]:
        conn, database = self._bound()
        return load_table(conn, database, self.table_name)

    def _ref(self) -> TableRef:
        """This table as a query node, kept until the connection's metadata changes."""
        cached = self.__dict__.get("_ref_cache")
        conn = self._connection
        if cached is not None and cached[0] is conn and cached[1] == conn.metadata_generation:
            ref: TableRef = cached[2]
            return ref
        conn, database = self._bound()
        heading, _ = self._load()
        ref = TableRef(database, self.table_name, heading)
        self._ref_cache = (conn, conn.metadata_generation, ref)
        return ref

    @property
    def node(self) -> Node:
        return self._node_override if self._node_override is not None else self._ref()

    @property
    def heading(self) -> Heading:
        override = self._node_override
        return override.heading if override is not None else self._ref().heading

    @property
    def is_restricted(self) -> bool:
        return self._node_override is not None

    # --- insert ----------------------------------------------------------------------------------
    def insert1(self, row: Any, **kwargs: Any) -> None:
        self.insert((row,), **kwargs)

    def insert(
        self,
        rows: Any,
        replace: bool = False,
        skip_duplicates: bool = False,
        ignore_extra_fields: bool = False,
        allow_direct_insert: bool | None = None,
        chunk_size: int | None = None,
    ) -> None:
        """Insert rows (dicts, records, a DataFrame, a query, a CSV path) all-or-nothing."""
        self._check_insert_allowed(allow_direct_insert)
        conn, database = self._bound()
        heading, info = self._load()
        if isinstance(rows, type) and issubclass(rows, QueryExpression):
            rows = rows()
        if isinstance(rows, QueryExpression):
            self._insert_from_query(rows, replace, skip_duplicates, ignore_extra_fields)
            return
        target = InsertTarget(database, self.table_name, heading, info.foreign_keys)
        fields, columns, count = normalize_rows(
            rows,
            heading.names,
            ignore_extra_fields=ignore_extra_fields,
            table=self.full_table_name,
        )
        if not count:
            return
        encoded = encode_columns(conn, target, fields, columns)
        execute_insert(
            conn,
            target,
            fields,
            encoded,
            count=count,
            replace=replace,
            skip_duplicates=skip_duplicates,
            chunk_size=chunk_size,
        )

    def _check_insert_allowed(self, allow_direct_insert: bool | None) -> None:
        if not self._allow_insert and not allow_direct_insert:
            raise DataJointError(
                "Inserts into an auto-populated table can only be done inside its make method "
                "during a populate call. To override, set keyword argument "
                "allow_direct_insert=True."
            )

    def _insert_from_query(
        self, query: QueryExpression, replace: bool, skip_duplicates: bool, ignore_extra: bool
    ) -> None:
        conn, database = self._bound()
        heading = self.heading
        extra = [n for n in query.heading.names if n not in heading.names]
        if extra and not ignore_extra:
            raise DataJointError(
                f"Attribute `{extra[0]}` of the query is not in the heading of "
                f"{self.full_table_name}. To ignore extra fields in insert, set "
                "ignore_extra_fields=True"
            )
        fields = [n for n in query.heading.names if n in heading.names]
        source = query.proj(*[f for f in fields if f not in query.heading.primary_key])
        select_sql, params = source.compiler().sql(source.node)
        dialect = conn.dialect
        table = dialect.table_ref(database, self.table_name)
        verb = dialect.insert_verb(replace=replace, skip_duplicates=skip_duplicates)
        columns = ",".join(dialect.quote(f) for f in source.heading.names)
        sql = (
            f"{verb} INTO {table}({columns}) SELECT * FROM ({select_sql}) AS {dialect.quote('$s')}"
        )
        if skip_duplicates and not replace:
            sql += " WHERE 1=1" + dialect.skip_duplicates_clause(table, heading.primary_key[0])
        _, info = self._load()
        try:
            conn.query(sql, params)
        except (DuplicateError, IntegrityError, MissingAttributeError) as error:
            target = InsertTarget(database, self.table_name, heading, info.foreign_keys)
            raise explain_insert_error(error, target) from error

    # --- deletes and drops ----------------------------------------------------------------------
    # The cascades plan on the dependency graph and diagrams, which are built from tables: their
    # modules import this one, so these methods import them when called.
    @overload
    def delete(
        self,
        transaction: bool = True,
        prompt: bool | None = None,
        part_integrity: str = "enforce",
        dry_run: Literal[False] = False,
    ) -> int: ...

    @overload
    def delete(
        self,
        transaction: bool = True,
        prompt: bool | None = None,
        part_integrity: str = "enforce",
        *,
        dry_run: Literal[True],
    ) -> CascadePreview: ...

    def delete(
        self,
        transaction: bool = True,
        prompt: bool | None = None,
        part_integrity: str = "enforce",
        dry_run: bool = False,
    ) -> int | CascadePreview:
        """Delete these rows and every row that depends on them, in any schema (§3.4).

        Returns the number of rows deleted from this table. ``prompt`` (default: the
        ``safemode`` setting) shows the rows per table and asks before committing.
        ``part_integrity``: ``"enforce"`` refuses to delete part rows without their master
        rows, ``"ignore"`` allows it, ``"cascade"`` deletes those master rows (and their other
        parts) too. ``dry_run=True`` deletes nothing and returns ``delete_preview()``.
        """
        from .deletion import delete, delete_preview

        self._refuse_unmatched_keys()
        self._check_delete(part_integrity)
        if dry_run:
            return delete_preview(self, part_integrity)
        return delete(self, transaction=transaction, prompt=prompt, part_integrity=part_integrity)

    def delete_preview(self, part_integrity: str = "enforce") -> CascadePreview:
        """What ``delete(part_integrity=…)`` would remove, without removing it: a
        ``CascadePreview`` (rows per table in topological order, the restricted queries, and
        the refusal ``delete`` would raise, if any)."""
        from .deletion import delete_preview

        self._refuse_unmatched_keys()
        self._check_delete(part_integrity)
        return delete_preview(self, part_integrity)

    def drop(self, prompt: bool | None = None, part_integrity: str = "enforce") -> None:
        """Drop this table and every table that depends on it, in any schema (§3.5)."""
        from .deletion import drop

        self._check_drop(part_integrity)
        drop(self, prompt=prompt, part_integrity=part_integrity)

    def drop_preview(self, part_integrity: str = "enforce") -> CascadePreview:
        """The tables ``drop(part_integrity=…)`` would remove, with their rows: a
        ``CascadePreview``."""
        from .deletion import drop_preview

        self._check_drop(part_integrity)
        return drop_preview(self, part_integrity)

    def _check_delete(self, part_integrity: str) -> None:
        """Refuse a delete before planning it (part tables refuse direct deletes)."""

    def _refuse_unmatched_keys(self) -> None:
        """A key dict that named no attribute restricted nothing: deleting would remove every
        row, which is never what a typo in a key name meant (spec §12 item 15)."""
        if self._unmatched_keys:
            keys = ", ".join(f"`{k}`" for keys in self._unmatched_keys for k in keys)
            raise DataJointError(
                f"Refusing to delete from {self.full_table_name}: the restriction by {keys} "
                "names no attribute of the table, so it would delete every row. Check the "
                "attribute names, or delete from the unrestricted table to empty it."
            )

    def _check_drop(self, part_integrity: str) -> None:
        """Refuse a drop before planning it (part tables refuse direct drops)."""

    def delete_quick(self, get_count: bool = False) -> int | None:
        """Delete these rows of this table only: no cascade, no prompt, no transaction."""
        self._refuse_unmatched_keys()
        conn, database = self._bound()
        compiler = self.compiler()
        select = compiler.build(self.node)
        table = conn.dialect.table_ref(database, self.table_name)
        if select.top is not None or select.has_expressions or select.source != table:
            return self._delete_selected_keys(get_count)
        where = " WHERE " + "AND".join(f"({w})" for w in select.where) if select.where else ""
        cursor = conn.query(f"DELETE FROM {table}{where}", [v for _, v in select.where_params])
        return int(cursor.rowcount) if get_count else None

    def _delete_selected_keys(self, get_count: bool) -> int | None:
        """Delete the rows whose keys the expression selects, read first: a DELETE cannot take
        a Top's ORDER BY/LIMIT portably, nor a projection or subquery of its own table."""
        ref = self._ref()
        if set(self.primary_key) != set(ref.heading.primary_key):
            raise DataJointError("delete_quick supports restrictions of the table itself only.")
        keys = self.keys()
        if not keys:
            return 0 if get_count else None
        by_keys = self._derive(Restrict(ref, coerce(keys, ref.heading), ref.heading))
        return cast(Table, by_keys).delete_quick(get_count)

    def drop_quick(self) -> None:
        """Drop this table only (and its job table): no cascade, no prompt."""
        conn, database = self._bound()
        if not conn.catalog.table_exists(database, self.table_name):
            logger.info("Nothing to drop: table %s is not declared", self.full_table_name)
            return
        conn.catalog.delete_lineage(database, self.table_name)
        conn.catalog.drop_table(database, self.table_name)
        logger.info("Dropped table %s", self.full_table_name)
        self._drop_job_table(conn, database)

    def _drop_job_table(self, conn: Connection, database: str) -> None:
        """Drop an auto-populated table's ``~~`` job table with it, unless the table of the
        other tier sharing that job table (``_x`` / ``__x``) still exists."""
        if tier_of_table_name(self.table_name) not in ("Imported", "Computed"):
            return
        stem = self.table_name.lstrip("_")
        tables = set(conn.catalog.list_tables(database))
        job_table = job_table_name(self.table_name)
        if job_table in tables and not {"_" + stem, "__" + stem} & tables:
            conn.catalog.drop_table(database, job_table)
            logger.info("Dropped table `%s`.`%s`", database, job_table)

    # --- corrections and schema evolution (logic in update.py and alter.py) ----------------------
    def update1(self, row: Any) -> None:
        """Correct the secondary attributes of one existing row (spec/engine.md §3.2)."""
        from .update import update1

        update1(self, row)

    def alter(self, prompt: bool = True, context: dict[str, Any] | None = None) -> None:
        """Change the live table to match the class's edited ``definition`` (§2.8)."""
        from .alter import alter

        alter(self, prompt=prompt, context=context)

    def definition_diff(
        self, new_definition: str | None = None, context: dict[str, Any] | None = None
    ) -> Any:
        """The statements ``alter`` would run for ``new_definition``, without running them."""
        from .alter import definition_diff

        return definition_diff(self, new_definition, context=context)

    # --- introspection -----------------------------------------------------------------------------
    def descendants(self, as_objects: bool = False) -> list[Any]:
        """This table, then every table that depends on it (in any schema), parents first."""
        conn, database = self._bound()
        graph = DependencyGraph.cached(conn, {*conn.schemas, database}, expand="downstream")
        names = graph.descendants(self.full_table_name)
        return [FreeTable(conn, name) for name in names] if as_objects else names

    def ancestors(self, as_objects: bool = False) -> list[Any]:
        """This table, then every table it depends on (in any schema), children first."""
        conn, database = self._bound()
        graph = DependencyGraph.cached(conn, {*conn.schemas, database}, expand="upstream")
        names = graph.ancestors(self.full_table_name)
        return [FreeTable(conn, name) for name in names] if as_objects else names

    def parts(self, as_objects: bool = False) -> list[Any]:
        """This master's part tables (found by the ``master__`` name prefix)."""
        conn, database = self._bound()
        prefix = self.table_name + "__"
        names = [
            f"`{database}`.`{t}`"
            for t in conn.catalog.list_tables(database)
            if t.startswith(prefix)
        ]
        return [FreeTable(conn, n) for n in names] if as_objects else names

    def describe(self, context: dict[str, Any] | None = None, printout: bool = False) -> str:
        conn, database = self._bound()
        heading, info = self._load()
        if context is None:
            context = getattr(type(self), "_declaration_context", None)
        text = describe_table(conn, database, self.table_name, heading, info, context)
        if printout:
            logger.info("\n%s", text)
        return text

    def parents(
        self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False
    ) -> list[Any]:
        _, info = self._load()
        heading = self.heading
        result = []
        for fk in info.foreign_keys:
            in_key = all(heading.all_attributes[c].in_key for c in fk.columns)
            if primary is not None and primary != in_key:
                continue
            result.append(
                self._edge(
                    fk.parent_database, fk.parent_table, fk, in_key, as_objects, foreign_key_info
                )
            )
        return result

    def children(
        self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False
    ) -> list[Any]:
        conn, database = self._bound()
        result = []
        for fk in conn.catalog.referencing_foreign_keys(database):
            if fk.parent_table != self.table_name or fk.parent_database != database:
                continue
            child_heading, _ = load_table(conn, fk.child_database, fk.child_table)
            in_key = all(child_heading.all_attributes[c].in_key for c in fk.columns)
            if primary is not None and primary != in_key:
                continue
            result.append(
                self._edge(
                    fk.child_database, fk.child_table, fk, in_key, as_objects, foreign_key_info
                )
            )
        return result

    def _edge(
        self, database: str, table: str, fk: Any, in_key: bool, as_objects: bool, info: bool
    ) -> Any:
        from_ = f"`{database}`.`{table}`"
        target: Any = FreeTable(self.connection, from_) if as_objects else from_
        if not info:
            return target
        attr_map = fk.attr_map
        conn, _ = self._bound()
        child_heading, _ = load_table(conn, fk.child_database, fk.child_table)
        props = {
            "primary": in_key,
            "attr_map": attr_map,
            "aliased": any(k != v for k, v in attr_map.items()),
            "multi": not set(child_heading.primary_key) <= set(fk.columns),
        }
        return target, props


class FreeTable(Table):
    """A table addressed by name, with no class: ``FreeTable(conn, "`db`.`table`")``."""

    def __init__(self, conn: Connection | str, full_table_name: str | None = None) -> None:
        if isinstance(conn, str):  # dj.FreeTable("db.table") uses the shared connection
            full_table_name = conn
            conn = default_connection()
        name = (full_table_name or "").replace("`", "").replace('"', "")
        database, _, table = name.partition(".")
        if not database or not table:
            raise DataJointError(f"Invalid table name {full_table_name!r}: expected `db`.`table`")
        self._connection = conn
        self.database = database
        self._table_name = table

    def __repr__(self) -> str:
        return f"FreeTable({self.full_table_name})\n" + super().__repr__()

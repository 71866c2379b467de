"""``Schema``: binds table classes to one schema of the data database and declares them."""

from __future__ import annotations

import inspect
import logging
import warnings
from collections.abc import Iterator
from typing import Any

from ..db.connection import Connection
from ..db.default import conn as default_connection
from ..definition.naming import validate_class_name
from ..errors import AccessError, DataJointError
from .classes import make_classes
from .confirm import confirm
from .declare import declare_table
from .lineage import rebuild_lineage
from .table import FreeTable
from .tiers import Computed, Imported, Lookup, Part

logger = logging.getLogger("pipelines.core")


class Schema:
    """``@schema`` decorates table classes; ``Schema(name, context, connection=…)``."""

    def __init__(
        self,
        schema_name: str | None = None,
        context: dict[str, Any] | None = None,
        *,
        connection: Connection | None = None,
        create_schema: bool = True,
        create_tables: bool | None = None,
        add_objects: dict[str, Any] | None = None,
    ) -> None:
        self.database: str | None = None
        self.context = context
        self.add_objects = dict(add_objects or {})
        self._connection = connection
        self.create_tables = create_tables
        self.declare_list: list[tuple[type, dict[str, Any] | None]] = []
        if schema_name is not None:
            self.activate(
                schema_name,
                connection=connection,
                create_schema=create_schema,
                create_tables=create_tables,
            )

    # --- activation ------------------------------------------------------------------------------
    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = default_connection()
        return self._connection

    def activate(
        self,
        schema_name: str | None = None,
        *,
        connection: Connection | None = None,
        create_schema: bool = True,
        create_tables: bool | None = None,
        add_objects: dict[str, Any] | None = None,
    ) -> None:
        if schema_name is None:
            if self.database is None:
                raise DataJointError("Schema must be activated first.")
            return
        if self.database is not None:
            if schema_name == self.database:
                return
            raise DataJointError(f"The schema is already activated for schema {self.database}.")
        if connection is not None:
            self._connection = connection
        if create_tables is not None:
            self.create_tables = create_tables
        self.add_objects.update(add_objects or {})
        conn = self.connection
        if not conn.catalog.schema_exists(schema_name):
            if not create_schema:
                raise DataJointError(
                    f"Database `{schema_name}` has not yet been declared. "
                    "Set argument create_schema=True to create it."
                )
            try:
                conn.catalog.create_schema(schema_name)
            except AccessError:
                raise DataJointError(
                    f"Schema `{schema_name}` does not exist and could not be "
                    "created. Check permissions."
                ) from None
        self.database = schema_name
        conn.schemas[schema_name] = self
        for cls, context in self.declare_list:
            self._decorate(cls, context)
        self.declare_list.clear()

    @property
    def _create_tables(self) -> bool:
        if self.create_tables is not None:
            return self.create_tables
        return bool(self.connection.config["database.create_tables"])

    # --- decoration ------------------------------------------------------------------------------
    def __call__(self, cls: type, *, context: dict[str, Any] | None = None) -> type:
        if isinstance(cls, type) and issubclass(cls, Part):
            raise DataJointError("The schema decorator should not be applied to Part tables.")
        if context is None:
            context = self.context if self.context is not None else _caller_locals()
        if self.database is None:
            self.declare_list.append((cls, context))
        else:
            self._decorate(cls, context)
        return cls

    def _decorate(self, cls: Any, context: dict[str, Any] | None) -> None:
        validate_class_name(cls.__name__)
        declaration_context = {
            **(context or {}),
            **self.add_objects,
            cls.__name__: cls,
            "self": cls,
        }
        self._bind(cls)
        cls._declaration_context = declaration_context
        self._declare_if_missing(cls, declaration_context)
        if isinstance(cls, type) and issubclass(cls, Lookup):
            _insert_contents(cls)
        for name, part in _parts_of(cls):
            part.master = cls
            self._bind(part)
            part._declaration_context = {**declaration_context, "master": cls, name: part}
            self._declare_if_missing(part, part._declaration_context)

    def _bind(self, cls: Any) -> None:
        cls.database = self.database
        cls._connection = self.connection
        cls._schema = self

    def _declare_if_missing(self, cls: Any, context: dict[str, Any]) -> None:
        if cls.__doc__ is None or "Table definition:" not in cls.__doc__:
            cls.__doc__ = (cls.__doc__ or "") + "\nTable definition:\n\n" + str(cls.definition)
        if not self._create_tables or cls().is_declared:
            return
        assert self.database is not None
        declare_table(
            self.connection,
            self.database,
            cls.table_name,
            cls.definition,
            context,
            auto_populated=issubclass(cls, Imported | Computed),
        )

    # --- the schema API --------------------------------------------------------------------------
    @property
    def exists(self) -> bool:
        return self.database is not None and self.connection.catalog.schema_exists(self.database)

    def _name(self) -> str:
        if self.database is None:
            raise DataJointError("Schema must be activated first.")
        return self.database

    def list_tables(self) -> list[str]:
        """Bare table names in dependency order (parents before children)."""
        database = self._name()
        catalog = self.connection.catalog
        tables = [t for t in catalog.list_tables(database) if not t.startswith("~")]
        parents: dict[str, set[str]] = {t: set() for t in tables}
        for fk in catalog.schema_foreign_keys(database):
            if fk.parent_database == database and fk.child_table in parents:
                parents[fk.child_table].add(fk.parent_table)
        return topological_order(tables, parents)

    def get_table(self, name: str) -> FreeTable:
        database = self._name()
        if name[:1].isupper():
            name = "".join(("_" + c.lower()) if c.isupper() else c for c in name).lstrip("_")
        tables = set(self.connection.catalog.list_tables(database))
        for prefix in ("", "#", "_", "__"):
            if prefix + name in tables:
                return FreeTable(self.connection, f"`{database}`.`{prefix + name}`")
        raise DataJointError(f"Table `{name}` does not exist in schema `{database}`.")

    def __getitem__(self, name: str) -> FreeTable:
        return self.get_table(name)

    def __contains__(self, name: object) -> bool:
        try:
            self.get_table(str(name))
        except DataJointError:
            return False
        return True

    def __iter__(self) -> Iterator[FreeTable]:
        database = self._name()
        return iter(FreeTable(self.connection, f"`{database}`.`{t}`") for t in self.list_tables())

    def make_classes(self, into: dict[str, Any] | None = None) -> None:
        """Add a class for every table that has none in ``into`` (default: the context)."""
        namespace = into if into is not None else (self.context or _caller_locals())
        for name, cls in make_classes(self).items():
            namespace.setdefault(name, cls)

    def rebuild_lineage(self) -> None:
        """Recompute ``~lineage`` from the foreign keys, parents first."""
        database = self._name()
        rebuild_lineage(self.connection, database, self.list_tables())

    @property
    def lineage(self) -> dict[str, str]:
        database = self._name()
        return self.connection.catalog.read_schema_lineage(database)

    def drop(self, prompt: bool | None = None) -> None:
        """Drop the schema with all its tables, after asking when ``prompt`` (default: the
        ``safemode`` setting).

        Refused, with nothing dropped, while tables of other schemas reference this one:
        MariaDB would drop the unreferenced tables and then fail, and SQLite would leave those
        tables pointing at nothing. Drop the downstream schemas (or tables) first.
        """
        database = self._name()
        conn = self.connection
        if not conn.catalog.schema_exists(database):
            logger.info("Schema named `%s` does not exist. Doing nothing.", database)
            return
        if conn.in_transaction:
            raise DataJointError("Cannot drop a schema inside a transaction.")
        downstream = sorted(
            {
                f"`{fk.child_database}`.`{fk.child_table}`"
                for fk in conn.catalog.referencing_foreign_keys(database)
                if fk.child_database != database
            }
        )
        if downstream:
            raise DataJointError(
                f"Cannot drop schema `{database}`: tables of other schemas depend on it "
                f"({', '.join(downstream)}). Drop those first."
            )
        if prompt is None:
            prompt = bool(conn.config["safemode"])
        if prompt and not confirm(f"Proceed to delete entire schema `{database}`?"):
            return
        try:
            conn.catalog.drop_schema(database)
        except AccessError:
            raise AccessError(
                f"An attempt to drop schema `{database}` has failed. Check permissions."
            ) from None
        conn.schemas.pop(database, None)

    def __repr__(self) -> str:
        return f"Schema `{self.database}`\n"


def _parts_of(cls: Any) -> list[tuple[str, Any]]:
    return [
        (name, value)
        for name, value in vars(cls).items()
        if isinstance(value, type) and issubclass(value, Part) and name[:1].isupper()
    ]


def _insert_contents(cls: Any) -> None:
    contents = list(cls.contents or ())
    table = cls()
    if contents and len(contents) > len(table):
        if table.heading.has_autoincrement:
            warnings.warn(
                f"Contents has changed but cannot be inserted because {cls.__name__} "
                "has autoincrement.",
                UserWarning,
                stacklevel=3,
            )
            return
        table.insert(contents, skip_duplicates=True)


def _caller_locals() -> dict[str, Any]:
    frame = inspect.currentframe()
    try:
        caller = frame.f_back.f_back if frame and frame.f_back else None
        return dict(caller.f_locals) if caller else {}
    finally:
        del frame


def topological_order(tables: list[str], parents: dict[str, set[str]]) -> list[str]:
    """Tables with every parent listed before them; ties keep the given order."""
    ordered: list[str] = []
    placed: set[str] = set()

    def place(table: str, path: tuple[str, ...]) -> None:
        if table in placed or table in path:
            return
        for parent in sorted(parents.get(table, ()), key=tables.index):
            if parent in parents:
                place(parent, (*path, table))
        placed.add(table)
        ordered.append(table)

    for table in tables:
        place(table, ())
    return ordered

"""The table tiers users subclass: Manual, Lookup, Imported, Computed, Part."""

from __future__ import annotations

import inspect
from typing import Any

from ..definition.naming import class_name_to_snake
from ..errors import DataJointError
from .table import Table

#: Methods and properties reachable on the class itself (``Session.to_dicts()``).
CLASS_LEVEL = frozenset(
    [
        "key_source",
        "describe",
        "alter",
        "definition_diff",
        "delete_preview",
        "heading",
        "populate",
        "jobs",
        "progress",
        "primary_key",
        "proj",
        "aggr",
        "join",
        "extend",
        "to_dicts",
        "to_pandas",
        "to_arrays",
        "keys",
        "fetch",
        "fetch1",
        "head",
        "tail",
        "descendants",
        "ancestors",
        "parts",
        "parents",
        "children",
        "insert",
        "insert1",
        "insert_dataframe",
        "update1",
        "validate",
        "drop",
        "drop_preview",
        "drop_quick",
        "delete",
        "delete_quick",
        "make_sql",
        "is_declared",
    ]
)


class ClassLevel:
    """A method or property that also works on the class: ``Session.to_dicts()`` instantiates.

    A descriptor rather than a metaclass ``__getattribute__``, so ordinary class attribute
    access stays at C speed.
    """

    def __init__(self, member: Any) -> None:
        self.member = member
        self.getter = member.fget if isinstance(member, property) else None

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is not None and self.getter is not None:  # a property read: the hot path
            return self.getter(instance)
        return self.member.__get__(owner() if instance is None else instance, owner)


class TableMeta(type):
    """Lets table classes take operators and query methods directly: ``Session & key``."""

    def __init__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> None:
        super().__init__(name, bases, namespace)
        for member_name in CLASS_LEVEL:
            member = inspect.getattr_static(cls, member_name, None)
            # Only functions and properties: a plain class attribute (``key_source = Topic``)
            # is already reachable on the class.
            if hasattr(member, "__get__") and not isinstance(member, ClassLevel | type):
                setattr(cls, member_name, ClassLevel(member))

    def __and__(cls, restriction: Any) -> Any:
        return cls() & restriction

    def __sub__(cls, restriction: Any) -> Any:
        return cls() - restriction

    def __neg__(cls) -> Any:
        return -cls()

    def __mul__(cls, other: Any) -> Any:
        return cls() * other

    def __add__(cls, other: Any) -> Any:
        return cls() + other

    def __xor__(cls, other: Any) -> Any:
        return cls() ^ other

    def __matmul__(cls, other: Any) -> Any:
        return cls() @ other

    def __iter__(cls) -> Any:
        return iter(cls())

    def __contains__(cls, item: Any) -> bool:
        return item in cls()

    @property
    def table_name(cls) -> str:
        name: str = cls._compute_table_name()  # type: ignore[attr-defined]
        return name

    @property
    def full_table_name(cls) -> str | None:
        database = cls.database  # type: ignore[attr-defined]
        return None if database is None else f"`{database}`.`{cls.table_name}`"


class UserTable(Table, metaclass=TableMeta):
    """A class bound to one base table by a schema decorator."""

    definition: str = ""
    _prefix: str | None = None
    _tier: str = ""
    _cached_table_name: str | None = None

    @classmethod
    def _compute_table_name(cls) -> str:
        """The SQL name, derived once per class."""
        cached = cls.__dict__.get("_cached_table_name")
        if cached is None:
            cached = cls._derive_table_name()
            cls._cached_table_name = cached
        return str(cached)

    @classmethod
    def _derive_table_name(cls) -> str:
        if cls._prefix is None:
            raise DataJointError(f"{cls.__name__} is not a table tier class.")
        return cls._prefix + class_name_to_snake(cls.__name__)

    @property
    def table_name(self) -> str:
        return type(self)._compute_table_name()

    def __repr__(self) -> str:
        return super().__repr__()


class Manual(UserTable):
    """Data entered by people or ingest scripts."""

    _prefix = ""
    _tier = "Manual"


class Lookup(UserTable):
    """Small reference tables; ``contents`` rows are inserted when the schema declares it."""

    _prefix = "#"
    _tier = "Lookup"
    contents: Any = ()


class Imported(UserTable):
    """Filled by ``make()`` from data outside the database."""

    _prefix = "_"
    _tier = "Imported"
    _allow_insert = False


class Computed(UserTable):
    """Filled by ``make()`` from upstream tables."""

    _prefix = "__"
    _tier = "Computed"
    _allow_insert = False


class Part(UserTable):
    """Detail rows that belong to one row of their master."""

    _tier = "Part"
    _prefix = ""
    master: Any = None

    @classmethod
    def _derive_table_name(cls) -> str:
        if cls.master is None:
            raise DataJointError(f"Part table {cls.__name__} is not nested in a master table.")
        master_name: str = cls.master.table_name
        return f"{master_name}__{class_name_to_snake(cls.__name__)}"

    def _check_delete(self, part_integrity: str) -> None:
        """A part's rows go with their master's: refused up front under ``"enforce"``, before
        any SQL and whether or not rows match (``delete_quick`` does no check at all)."""
        if part_integrity == "enforce":
            raise DataJointError(
                "Cannot delete from a Part directly. Delete from master instead, or use "
                "part_integrity='ignore' to break integrity, or part_integrity='cascade' to "
                "also delete master."
            )

    def _check_drop(self, part_integrity: str) -> None:
        if part_integrity == "enforce":
            raise DataJointError(
                "Cannot drop a Part directly. Drop master instead, or use "
                "part_integrity='ignore' to force."
            )

"""The engine's exception hierarchy: DataJoint's class names, so user code that catches them runs."""

from __future__ import annotations

from typing import Any


class DataJointError(Exception):
    """Base class of every error the engine raises on purpose."""

    def suggest(self, *hints: Any) -> DataJointError:
        """Return a copy of this error with extra hint strings appended to its args."""
        return self.__class__(*self.args, *hints)


class LostConnectionError(DataJointError):
    """The server connection was lost or could not be made."""


class QueryError(DataJointError):
    """An error reported by the database for a statement."""


class QuerySyntaxError(QueryError):
    """The database rejected a statement's syntax."""


class AccessError(QueryError):
    """The database user lacks a privilege."""


class DuplicateError(QueryError):
    """A row with the same primary key (or unique key) already exists."""


class IntegrityError(QueryError):
    """A foreign-key constraint failed: a missing parent, or a referenced row."""


class LockTimeoutError(QueryError):
    """Joinery: a statement waited longer than ``database.lock_wait_timeout`` for another
    session's lock, or the server broke a deadlock by rolling this transaction back; the
    transaction made no change and may be retried."""


class UnknownAttributeError(QueryError):
    """A column named in a statement does not exist."""


class MissingAttributeError(QueryError):
    """A required column (NOT NULL, no default) received no value."""


class MissingTableError(DataJointError):
    """The table is not declared in the database."""


class MissingExternalFile(DataJointError):
    """A stored object referenced by a row is missing."""


class BucketInaccessible(DataJointError):
    """An object-store bucket cannot be reached."""


class ThreadSafetyError(DataJointError):
    """Global state was used while thread-safe mode forbids it."""


class UnknownFieldError(DataJointError, KeyError):
    """An inserted row names an attribute the table does not have (a KeyError, as in DataJoint)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


__all__ = [
    "AccessError",
    "BucketInaccessible",
    "DataJointError",
    "DuplicateError",
    "IntegrityError",
    "LostConnectionError",
    "MissingAttributeError",
    "MissingExternalFile",
    "MissingTableError",
    "QueryError",
    "QuerySyntaxError",
    "ThreadSafetyError",
    "UnknownAttributeError",
    "UnknownFieldError",
]

"""SQL dialects: each overrides only what differs from the base."""

from .base import Dialect
from .mysql import MySQLDialect
from .sqlite import SQLiteDialect

__all__ = ["Dialect", "MySQLDialect", "SQLiteDialect"]

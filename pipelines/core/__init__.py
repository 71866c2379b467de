"""Joinery's engine: DataJoint's model and API. ``import pipelines.core as dj``."""

from __future__ import annotations

from .blob import MatCell, MatStruct
from .codecs import Codec, SchemaCodec, get_codec, list_codecs
from .db.connection import Connection
from .db.default import config, conn
from .errors import (
    AccessError,
    DataJointError,
    DuplicateError,
    IntegrityError,
    LockTimeoutError,
    LostConnectionError,
    MissingAttributeError,
    MissingTableError,
    QueryError,
    QuerySyntaxError,
    UnknownAttributeError,
)
from .populate.autopopulate import Computed, Imported
from .populate.progress import NullSink, ProgressSink, TqdmSink
from .query.coerce import AndList, Not
from .query.top import Top
from .schema.diagram import Diagram
from .schema.expression import QueryExpression
from .schema.schema import Schema
from .schema.table import FreeTable, Table
from .schema.tiers import Lookup, Manual, Part
from .schema.universal import U
from .schema.virtual import VirtualModule, list_schemas, virtual_schema
from .stores import NpyRef, ObjectRef

__version__ = "0.1.0"

from . import errors, gc

__all__ = [
    "AccessError",
    "AndList",
    "Codec",
    "Computed",
    "Connection",
    "DataJointError",
    "Diagram",
    "DuplicateError",
    "FreeTable",
    "Imported",
    "IntegrityError",
    "LockTimeoutError",
    "Lookup",
    "LostConnectionError",
    "Manual",
    "MatCell",
    "MatStruct",
    "MissingAttributeError",
    "MissingTableError",
    "Not",
    "NpyRef",
    "NullSink",
    "ObjectRef",
    "Part",
    "ProgressSink",
    "QueryError",
    "QueryExpression",
    "QuerySyntaxError",
    "Schema",
    "SchemaCodec",
    "Table",
    "Top",
    "TqdmSink",
    "U",
    "UnknownAttributeError",
    "VirtualModule",
    "config",
    "conn",
    "errors",
    "gc",
    "get_codec",
    "list_codecs",
    "list_schemas",
    "virtual_schema",
]

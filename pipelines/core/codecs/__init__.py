"""The codec API (spec §7.3): ``<name>`` attribute types that encode Python values for storage.

Subclassing :class:`Codec` with a ``name`` registers it. Built-ins: ``<blob>``, ``<attach>``
(in the table, or hash-addressed with ``@store``), ``<hash@>``, ``<filepath@>``, and the
schema-addressed ``<object@>`` and ``<npy@>``.
"""

from __future__ import annotations

from .base import (
    ENTRY_POINT_GROUPS,
    Codec,
    get_codec,
    is_codec_registered,
    list_codecs,
    lookup,
    reset_entry_points,
    split_spec,
    unregister_codec,
)
from .builtin import AttachCodec, BlobCodec, FilepathCodec, HashCodec
from .chain import CodecChain, resolve_chain
from .schema_addressed import NpyCodec, ObjectCodec, SchemaCodec

__all__ = [
    "ENTRY_POINT_GROUPS",
    "AttachCodec",
    "BlobCodec",
    "Codec",
    "CodecChain",
    "FilepathCodec",
    "HashCodec",
    "NpyCodec",
    "ObjectCodec",
    "SchemaCodec",
    "get_codec",
    "is_codec_registered",
    "list_codecs",
    "lookup",
    "reset_entry_points",
    "resolve_chain",
    "split_spec",
    "unregister_codec",
]

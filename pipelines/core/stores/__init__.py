"""Object stores (spec §7.4): configuration, file access, and DataJoint's storage layout.

Codecs write through this package; garbage collection (``pipelines.core.gc``) reads it back.
It depends on nothing above ``errors`` so the codec layer can use it.
"""

from __future__ import annotations

from typing import Any

from .backend import Backend, FsspecBackend, LocalBackend, open_backend
from .config import StoreSpec, resolve_store_name, store_spec, stores_of
from .hashed import HASH_NAME, content_hash, get_hashed, hash_path, put_hashed
from .layout import encode_key_value, object_path, partition_attributes
from .refs import NpyRef, ObjectRef


def open_store(
    config: Any, name: str | None, *, filepath: bool = False
) -> tuple[StoreSpec, Backend]:
    """The validated spec and the backend of store ``name`` (None or "" = the default store)."""
    spec = store_spec(config, name, filepath=filepath)
    return spec, open_backend(spec)


__all__ = [
    "HASH_NAME",
    "Backend",
    "FsspecBackend",
    "LocalBackend",
    "NpyRef",
    "ObjectRef",
    "StoreSpec",
    "content_hash",
    "encode_key_value",
    "get_hashed",
    "hash_path",
    "object_path",
    "open_backend",
    "open_store",
    "partition_attributes",
    "put_hashed",
    "resolve_store_name",
    "store_spec",
    "stores_of",
]

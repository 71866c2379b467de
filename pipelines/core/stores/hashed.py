"""Hash-addressed objects: ``{hash_prefix}/{schema}/[folds/]{hash}``, deduplicated per schema.

The layout and the metadata are DataJoint's byte for byte (spec §7.4), so both clients find,
share and garbage-collect the same files: the hash is the MD5 digest of the stored bytes in
RFC 4648 base32, unpadded and lower-cased (26 characters of ``[a-z2-7]``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from ..errors import DataJointError
from .backend import Backend
from .config import StoreSpec

HASH_NAME = re.compile(r"^[a-z2-7]{26}$")


def content_hash(data: bytes) -> str:
    """The 26-character base32 MD5 of ``data``."""
    return base64.b32encode(hashlib.md5(data).digest()).decode("ascii").rstrip("=").lower()


def hash_path(digest: str, schema: str, spec: StoreSpec) -> str:
    """Where an object of this hash lives in ``spec``'s store, for ``schema``."""
    if not HASH_NAME.match(digest):
        raise DataJointError(f"Invalid content hash (expected 26-char lowercase base32): {digest}")
    parts = [spec.hash_prefix] if spec.hash_prefix else []
    parts.append(schema)
    position = 0
    for width in spec.subfolding or ():
        parts.append(digest[position : position + width])
        position += width
    parts.append(digest)
    return "/".join(parts)


def put_hashed(data: bytes, schema: str, spec: StoreSpec, backend: Backend) -> dict[str, Any]:
    """Store ``data`` unless the same bytes are already there; return the column metadata.

    The key order of the returned dict is the column's JSON key order, as DataJoint writes it.
    """
    digest = content_hash(data)
    path = hash_path(digest, schema, spec)
    if not backend.exists(path):
        backend.write(path, data)
    return {"hash": digest, "path": path, "schema": schema, "store": spec.name, "size": len(data)}


def get_hashed(metadata: dict[str, Any], backend: Backend) -> bytes:
    """The bytes at the recorded path, checked against the recorded hash."""
    path = metadata["path"]
    data = backend.read(path)
    actual = content_hash(data)
    if actual != metadata["hash"]:
        raise DataJointError(
            f"Hash mismatch: expected {metadata['hash']}, got {actual}. "
            f"Data at {path} may be corrupted."
        )
    return data

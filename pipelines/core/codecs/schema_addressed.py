"""Schema-addressed codecs: ``<object@>``, ``<npy@>``, and the ``SchemaCodec`` base for more.

Their objects live at paths that mirror the row (schema, table, primary key, field) and are
never shared; fetch returns a lazy reference (``ObjectRef``, ``NpyRef``) instead of the content.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataJointError
from ..stores import Backend, NpyRef, ObjectRef, object_path, open_store
from .base import Codec
from .builtin import config_of


class SchemaCodec(Codec, register=False):
    """Base of codecs whose objects live at schema-addressed paths (store only)."""

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError(f"<{self.name}> requires @ (store only)")
        return "json"

    def _extract_context(
        self, key: Mapping[str, Any] | None, context: Mapping[str, Any] | None = None
    ) -> tuple[str, str, str, dict[str, Any]]:
        """(schema, table, field, primary key) of the row being encoded."""
        values = dict(key or {})
        context = context or {}
        schema = context.get("schema", values.get("_schema", "unknown"))
        table = context.get("table", values.get("_table", "unknown"))
        field = context.get("field", values.get("_field", "data"))
        primary_key = {k: v for k, v in values.items() if not k.startswith("_")}
        return schema, table, field, primary_key

    def _build_path(
        self,
        schema: str,
        table: str,
        field: str,
        primary_key: Mapping[str, Any],
        ext: str | None = None,
        store_name: str | None = None,
        config: Any = None,
    ) -> tuple[str, str]:
        """(path, token) of a new object in ``store_name``'s schema section."""
        spec, _ = open_store(_required(config), store_name)
        return object_path(
            spec, schema=schema, table=table, field=field, primary_key=primary_key, ext=ext
        )

    def _get_backend(self, store_name: str | None = None, config: Any = None) -> Backend:
        return open_store(_required(config), store_name)[1]


def _required(config: Any) -> Any:
    if config is None:
        raise DataJointError("A schema-addressed codec needs the connection's configuration.")
    return config


class ObjectCodec(SchemaCodec):
    """``<object@>``: bytes, a file, or a folder, stored under the row's path."""

    name = "object"

    def validate(self, value: Any) -> None:
        if isinstance(value, bytes | str | Path):
            return
        if isinstance(value, tuple) and len(value) == 2:
            return
        if isinstance(value, dict) and "path" in value:
            return
        raise TypeError(f"<object> expects bytes or path, got {type(value).__name__}")

    def encode(
        self, value: Any, *, key: Any = None, context: Any = None, store_name: str | None = None
    ) -> dict[str, Any]:
        if isinstance(value, dict) and "path" in value:
            return value  # staged: already uploaded, the metadata is the value
        schema, table, field, primary_key = self._extract_context(key, context)
        spec, backend = open_store(config_of(self, key, context), store_name)
        content, ext, source = _content(value)
        path, _ = object_path(
            spec, schema=schema, table=table, field=field, primary_key=primary_key, ext=ext
        )
        item_count = None
        if source is not None:  # a folder
            manifest = backend.put_folder(source, path)
            size, item_count = manifest["total_size"], manifest["item_count"]
        else:
            assert content is not None
            backend.write(path, content)
            size = len(content)
        return {
            "path": path,
            "store": spec.name,
            "size": size,
            "ext": ext,
            "is_dir": source is not None,
            "item_count": item_count,
            "timestamp": datetime.now(UTC).isoformat(),
        }

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> ObjectRef:
        backend = self._get_backend(stored.get("store"), config_of(self, key, context))
        return ObjectRef.from_json(stored, backend=backend)


def _content(value: Any) -> tuple[bytes | None, str | None, Path | None]:
    """(bytes to write, extension, folder to upload) of an ``<object@>`` value."""
    if isinstance(value, bytes):
        return value, None, None
    if isinstance(value, tuple):
        ext, data = value
        data = data.read() if hasattr(data, "read") else data
        ext = str(ext)
        return bytes(data), (ext if ext.startswith(".") else "." + ext), None
    source = Path(value)
    if not source.exists():
        raise DataJointError(f"Source path not found: {source}")
    if source.is_dir():
        return None, None, source
    return source.read_bytes(), source.suffix, None


class NpyCodec(SchemaCodec):
    """``<npy@>``: a numpy array as a ``.npy`` file; fetch returns a lazy ``NpyRef``."""

    name = "npy"

    def validate(self, value: Any) -> None:
        if not isinstance(value, np.ndarray):
            raise DataJointError(f"<npy> requires numpy.ndarray, got {type(value).__name__}")
        if value.dtype == object:
            raise DataJointError("<npy> does not support object dtype arrays")

    def encode(
        self, value: Any, *, key: Any = None, context: Any = None, store_name: str | None = None
    ) -> dict[str, Any]:
        schema, table, field, primary_key = self._extract_context(key, context)
        spec, backend = open_store(config_of(self, key, context), store_name)
        path, _ = object_path(
            spec, schema=schema, table=table, field=field, primary_key=primary_key, ext=".npy"
        )
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        backend.write(path, buffer.getvalue())
        return {
            "path": path,
            "store": spec.name,
            "dtype": str(value.dtype),
            "shape": list(value.shape),
        }

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> NpyRef:
        backend = self._get_backend(stored.get("store"), config_of(self, key, context))
        return NpyRef(stored, backend)

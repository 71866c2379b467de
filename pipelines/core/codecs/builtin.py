"""The built-in in-table and hash-addressed codecs: ``<blob>``, ``<attach>``, ``<hash@>``, and the
``<filepath@>`` reference to a file already in a store (spec §7.3, §7.4)."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import blob
from ..errors import DataJointError
from ..stores import ObjectRef, get_hashed, open_store, put_hashed
from .base import Codec


def config_of(codec: Codec, key: Any, context: Any) -> Any:
    """The calling connection's config; a store cannot be found without it."""
    config = codec._codec_config(key, context)
    if config is None:
        raise DataJointError(
            f"<{codec.name}> needs the connection's configuration to find its store "
            "(pass context={'config': ...})."
        )
    return config


def pack_like_datajoint(value: Any) -> bytes:
    """A blob compressed exactly as DataJoint compresses it.

    In-table blobs may skip zlib when a sample shows it would not pay; a hash-addressed blob is
    named by its bytes, so it takes DataJoint's rule (compress above 1000 bytes whenever that is
    shorter) and the same value lands on the same file whichever client wrote it.
    """
    raw = blob.pack(value, compress=False)
    if len(raw) <= 1000:
        return raw
    compressed = blob.ZLIB_PREFIX + len(raw).to_bytes(8, "little") + zlib.compress(raw)
    return compressed if len(compressed) < len(raw) else raw


class BlobCodec(Codec):
    """``<blob>``: any serializable Python or numpy value, in DataJoint's blob format."""

    name = "blob"
    reads_key = False

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def encode(
        self, value: Any, *, key: Any = None, context: Any = None, store_name: str | None = None
    ) -> bytes:
        return blob.pack(value) if store_name is None else pack_like_datajoint(value)

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> Any:
        return blob.unpack(stored)


class AttachCodec(Codec):
    """``<attach>``: a file's name and bytes; fetch writes the file under ``download_path``."""

    name = "attach"
    reads_key = False

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def validate(self, value: Any) -> None:
        if not isinstance(value, str | Path):
            raise TypeError(f"<attach> expects a file path, got {type(value).__name__}")

    def encode(self, value: Any, *, key: Any = None, context: Any = None) -> bytes:
        path = Path(value)
        if not path.exists():
            raise FileNotFoundError(f"Attachment file not found: {path}")
        if path.is_dir():
            raise IsADirectoryError(f"<attach> does not support directories: {path}")
        return path.name.encode("utf-8") + b"\0" + path.read_bytes()

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> str:
        data = bytes(stored)
        name_end = data.index(b"\0")
        filename, contents = data[:name_end].decode("utf-8"), data[name_end + 1 :]
        config = self._codec_config(key, context)
        folder = Path(config["download_path"] if config is not None else ".")
        folder.mkdir(parents=True, exist_ok=True)
        return str(_free_path(folder, filename, contents))


def _free_path(folder: Path, filename: str, contents: bytes) -> Path:
    """Write ``contents`` as ``filename`` in ``folder``, reusing an identical file, else ``name_1``."""
    candidate = folder / filename
    stem, suffix = candidate.stem, candidate.suffix
    counter = 0
    while candidate.exists():
        if candidate.read_bytes() == contents:
            return candidate
        counter += 1
        candidate = folder / f"{stem}_{counter}{suffix}"
    candidate.write_bytes(contents)
    return candidate


class HashCodec(Codec):
    """``<hash@store>``: bytes in a hash-addressed file, deduplicated within the schema."""

    name = "hash"
    reads_key = False

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError("<hash> requires @ (in-store storage only)")
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, bytes):
            raise TypeError(f"<hash> expects bytes, got {type(value).__name__}")

    def encode(
        self, value: bytes, *, key: Any = None, context: Any = None, store_name: str | None = None
    ) -> dict[str, Any]:
        schema = (context or {}).get("schema") or (key or {}).get("_schema", "unknown")
        spec, backend = open_store(config_of(self, key, context), store_name)
        return put_hashed(bytes(value), schema, spec, backend)

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> bytes:
        _, backend = open_store(config_of(self, key, context), stored.get("store"))
        return get_hashed(stored, backend)


class FilepathCodec(Codec):
    """``<filepath@store>``: a reference to a file or folder that already exists in a store."""

    name = "filepath"
    reads_key = False

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError(
                "<filepath> requires @ symbol. Use <filepath@> for default store or "
                "<filepath@store> to specify store."
            )
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, str | Path):
            raise TypeError(f"<filepath> expects a path string or Path, got {type(value).__name__}")

    def encode(
        self, value: Any, *, key: Any = None, context: Any = None, store_name: str | None = None
    ) -> dict[str, Any]:
        path = Path(value).as_posix() if isinstance(value, Path) else str(value)
        spec, backend = open_store(config_of(self, key, context), store_name, filepath=True)
        relative = path.lstrip("/")
        if ".." in relative.split("/"):
            raise ValueError(f"<filepath@> paths must stay inside the store. Got path: {path}")
        for setting, prefix in (
            ("hash_prefix", spec.hash_prefix),
            ("schema_prefix", spec.schema_prefix),
        ):
            if prefix and relative.startswith(prefix + "/"):
                raise ValueError(
                    f"<filepath@> cannot use reserved section '{prefix}' ({setting}). "
                    f"This section is managed by DataJoint. Got path: {path}"
                )
        if spec.filepath_prefix and not relative.startswith(spec.filepath_prefix + "/"):
            raise ValueError(
                f"<filepath@> must use prefix '{spec.filepath_prefix}' (filepath_prefix). "
                f"Got path: {path}"
            )
        if not backend.exists(relative):
            raise FileNotFoundError(f"File not found in store '{spec.name}': {path}")
        is_dir = backend.isdir(relative)
        return {
            "path": path,
            "store": spec.name,
            "size": None if is_dir else backend.size(relative),
            "is_dir": is_dir,
            "timestamp": datetime.now(UTC).isoformat(),
        }

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> ObjectRef:
        config = config_of(self, key, context)
        _, backend = open_store(config, stored.get("store"), filepath=True)
        return ObjectRef.from_json(stored, backend=backend)

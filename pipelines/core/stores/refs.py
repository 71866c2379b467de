"""Lazy handles to stored objects: fetching a row reads its metadata, never the object itself.

``ObjectRef`` (``<object@>``, ``<filepath@>``) and ``NpyRef`` (``<npy@>``) answer questions about
size, type and shape from the column metadata and go to the store only when asked for content.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import DataJointError
from .backend import Backend
from .hashed import content_hash


@dataclass
class ObjectRef:
    """A file or folder in a store, as one row references it."""

    path: str
    size: int | None
    is_dir: bool
    timestamp: datetime | None
    store: str | None = None
    ext: str | None = None
    hash: str | None = None
    item_count: int | None = None
    backend: Backend | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any] | str, backend: Backend | None = None) -> ObjectRef:
        meta: dict[str, Any] = json.loads(data) if isinstance(data, str) else data
        stamp = meta.get("timestamp")
        return cls(
            path=meta["path"],
            size=meta.get("size"),
            is_dir=bool(meta.get("is_dir", False)),
            timestamp=datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None,
            store=meta.get("store"),
            ext=meta.get("ext"),
            hash=meta.get("hash"),
            item_count=meta.get("item_count"),
            backend=backend,
        )

    def _backend(self) -> Backend:
        if self.backend is None:
            raise DataJointError("ObjectRef has no storage backend configured.")
        return self.backend

    def _inner(self, subpath: str | None) -> str:
        if not subpath:
            return self.path
        if not self.is_dir:
            raise DataJointError("Cannot use subpath on a file object")
        return f"{self.path}/{subpath}"

    @property
    def full_path(self) -> str:
        return self._backend().full_path(self.path)

    @property
    def fs(self) -> Any:
        return self._backend().fs

    @property
    def fsmap(self) -> Any:
        """A mapping view of the object for Zarr and xarray (needs fsspec)."""
        import fsspec

        return fsspec.FSMap(self.full_path, self.fs)

    def read(self) -> bytes:
        if self.is_dir:
            raise DataJointError("Cannot read() a directory. Use listdir() or walk() instead.")
        return self._backend().read(self.path)

    def open(self, subpath: str | None = None, mode: str = "rb") -> IO[Any]:
        return self._backend().open(self._inner(subpath), mode)

    def listdir(self, subpath: str = "") -> list[str]:
        if not self.is_dir:
            raise DataJointError("Cannot listdir() on a file. Use read() or open() instead.")
        return [name for name, _ in self._backend().entries(self._inner(subpath or None))]

    def walk(self) -> Iterator[tuple[str, list[str], list[str]]]:
        """(directory relative to the object, subdirectories, files), like ``os.walk``."""
        if not self.is_dir:
            raise DataJointError("Cannot walk() on a file.")
        pending = [""]
        while pending:
            relative = pending.pop(0)
            entries = self._backend().entries(self._inner(relative or None))
            dirs = [name for name, is_dir in entries if is_dir]
            yield relative, dirs, [name for name, is_dir in entries if not is_dir]
            pending += [f"{relative}/{d}" if relative else d for d in dirs]

    def download(self, destination: Path | str, subpath: str | None = None) -> Path:
        """Copy the object (or one file of a folder) to a local path; return where it went."""
        backend = self._backend()
        target = Path(destination)
        if self.is_dir and not subpath:
            for relative, _ in backend.files(self.path):
                backend.download(relative, target / relative[len(self.path) + 1 :])
            target.mkdir(parents=True, exist_ok=True)
            return target
        remote = self._inner(subpath)
        if target.is_dir():
            target = target / remote.rsplit("/", 1)[-1]
        backend.download(remote, target)
        return target

    def exists(self, subpath: str | None = None) -> bool:
        return self._backend().exists(self._inner(subpath))

    def verify(self) -> bool:
        """Check the object against its metadata (size, hash, folder manifest)."""
        backend = self._backend()
        if self.is_dir:
            return self._verify_folder(backend)
        if not backend.exists(self.path):
            raise DataJointError(f"File does not exist: {self.path}")
        if self.size is not None and backend.size(self.path) != self.size:
            raise DataJointError(
                f"Size mismatch for {self.path}: expected {self.size}, "
                f"got {backend.size(self.path)}"
            )
        if self.hash and content_hash(backend.read(self.path)) != self.hash:
            raise DataJointError(f"Hash mismatch for {self.path}")
        return True

    def _verify_folder(self, backend: Backend) -> bool:
        manifest_path = f"{self.path}.manifest.json"
        if not backend.exists(manifest_path):
            return True
        errors = []
        for item in json.loads(backend.read(manifest_path)).get("files", []):
            inner = f"{self.path}/{item['path']}"
            if not backend.exists(inner):
                errors.append(f"Missing file: {item['path']}")
            elif backend.size(inner) != item["size"]:
                errors.append(
                    f"Size mismatch for {item['path']}: expected {item['size']}, "
                    f"got {backend.size(inner)}"
                )
        if errors:
            raise DataJointError("Folder verification failed:\n" + "\n".join(errors))
        return True

    def __repr__(self) -> str:
        kind = "folder" if self.is_dir else "file"
        return f"ObjectRef({kind}: {self.path}, size={self.size})"

    def __str__(self) -> str:
        return self.path


class NpyRef:
    """A ``.npy`` array in a store: shape and dtype without I/O, the data on first use."""

    __slots__ = ("_backend", "_cached", "_meta")

    def __init__(self, metadata: dict[str, Any], backend: Backend) -> None:
        self._meta = metadata
        self._backend = backend
        self._cached: Any = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._meta["shape"])

    @property
    def dtype(self) -> np.dtype[Any]:
        dtype: np.dtype[Any] = np.dtype(self._meta["dtype"])
        return dtype

    @property
    def ndim(self) -> int:
        return len(self._meta["shape"])

    @property
    def size(self) -> int:
        return math.prod(self._meta["shape"])

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def path(self) -> str:
        return str(self._meta["path"])

    @property
    def store(self) -> str | None:
        return self._meta.get("store")

    @property
    def is_loaded(self) -> bool:
        return self._cached is not None

    def load(self, mmap_mode: str | None = None) -> Any:
        """The array (cached); with ``mmap_mode`` a memory map of a local store's file."""
        if mmap_mode is not None and self._backend.protocol == "file":
            full = self._backend.full_path(self.path)
            return np.load(full, mmap_mode=mmap_mode, allow_pickle=False)  # type: ignore[arg-type]
        if self._cached is None:
            self._cached = np.load(io.BytesIO(self._backend.read(self.path)), allow_pickle=False)
        return self._cached

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        array = self.load()
        return array.astype(dtype) if dtype is not None else array

    def __getitem__(self, index: Any) -> Any:
        return self.load()[index]

    def __len__(self) -> int:
        if not self._meta["shape"]:
            raise TypeError("len() of 0-dimensional array")
        return int(self._meta["shape"][0])

    def __repr__(self) -> str:
        status = "loaded" if self.is_loaded else "not loaded"
        return f"NpyRef(shape={self.shape}, dtype={self.dtype}, {status})"

"""File access to one store: the local filesystem natively, anything else through fsspec.

Every path given to a backend is relative to the store root (``location``, inside ``bucket``
for cloud stores) and ``/``-separated, exactly as it is recorded in the column metadata, so
DataJoint and Joinery find the same object at the same place. fsspec is imported only when a
store needs it: a lab that keeps its stores on a local or network disk does not install it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ..errors import DataJointError, MissingExternalFile
from .config import StoreSpec

# fsspec's name for each built-in cloud protocol, and the package that implements it.
_CLOUD = {"s3": ("s3", "s3fs"), "gcs": ("gcs", "gcsfs"), "azure": ("abfs", "adlfs")}


class Backend:
    """The operations codecs and garbage collection need from a store."""

    def __init__(self, spec: StoreSpec) -> None:
        self.spec = spec
        self.protocol = spec.protocol

    # --- implemented per backend ---------------------------------------------------------------
    def full_path(self, path: str) -> str:
        raise NotImplementedError

    def exists(self, path: str) -> bool:
        raise NotImplementedError

    def isdir(self, path: str) -> bool:
        raise NotImplementedError

    def size(self, path: str) -> int:
        raise NotImplementedError

    def read(self, path: str) -> bytes:
        raise NotImplementedError

    def write(self, path: str, data: bytes) -> None:
        raise NotImplementedError

    def remove(self, path: str) -> None:
        raise NotImplementedError

    def open(self, path: str, mode: str = "rb") -> IO[Any]:
        raise NotImplementedError

    def entries(self, path: str) -> list[tuple[str, bool]]:
        """(name, is_dir) of each entry of a directory; empty when it does not exist."""
        raise NotImplementedError

    def files(self, path: str) -> Iterator[tuple[str, int]]:
        """(store-relative path, size) of every file under ``path``; nothing when it is absent."""
        raise NotImplementedError

    def upload(self, local: Path, path: str) -> None:
        raise NotImplementedError

    def download(self, path: str, local: Path) -> None:
        raise NotImplementedError

    def remove_empty_dir(self, path: str) -> bool:
        """Remove the directory if it is empty; False when it is not (or cannot be removed)."""
        raise NotImplementedError

    @property
    def fs(self) -> Any:
        """The fsspec filesystem of this store, for Zarr, xarray and other fsspec clients."""
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------------
    def put_folder(self, local: Path, path: str) -> dict[str, Any]:
        """Upload a directory under ``path`` with a ``{path}.manifest.json`` sidecar."""
        files: list[dict[str, Any]] = []
        for root, dirs, names in os.walk(local):
            dirs.sort()
            for name in sorted(names):
                file = Path(root) / name
                relative = file.relative_to(local).as_posix()
                files.append({"path": relative, "size": file.stat().st_size})
                self.upload(file, f"{path}/{relative}")
        total = sum(f["size"] for f in files)
        manifest = {
            "files": files,
            "total_size": total,
            "item_count": len(files),
            "created": datetime.now(UTC).isoformat(),
        }
        self.write(f"{path}.manifest.json", json.dumps(manifest, indent=2).encode())
        return manifest


class LocalBackend(Backend):
    """A ``file`` store: plain files under ``location``."""

    def __init__(self, spec: StoreSpec) -> None:
        super().__init__(spec)
        self.root = Path(spec.location)
        if not self.root.is_dir():
            raise FileNotFoundError(f"Inaccessible local directory {spec.location}")

    def _path(self, path: str) -> Path:
        relative = path.lstrip("/")  # a recorded path is always inside the store
        return self.root / relative if relative else self.root

    def full_path(self, path: str) -> str:
        return self._path(path).as_posix()

    def exists(self, path: str) -> bool:
        return self._path(path).exists()

    def isdir(self, path: str) -> bool:
        return self._path(path).is_dir()

    def size(self, path: str) -> int:
        return self._path(path).stat().st_size

    def read(self, path: str) -> bytes:
        try:
            return self._path(path).read_bytes()
        except FileNotFoundError:
            raise MissingExternalFile(f"Missing external file {self.full_path(path)}") from None

    def write(self, path: str, data: bytes) -> None:
        """Write through a temporary file and a rename: a reader never sees half an object."""
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.saving")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    def remove(self, path: str) -> None:
        self._path(path).unlink(missing_ok=True)

    def open(self, path: str, mode: str = "rb") -> IO[Any]:
        target = self._path(path)
        if "w" in mode or "a" in mode:
            target.parent.mkdir(parents=True, exist_ok=True)
        return target.open(mode)

    def entries(self, path: str) -> list[tuple[str, bool]]:
        folder = self._path(path)
        if not folder.is_dir():
            return []
        return sorted((entry.name, entry.is_dir()) for entry in folder.iterdir())

    def files(self, path: str) -> Iterator[tuple[str, int]]:
        folder = self._path(path)
        if not folder.is_dir():
            return

        def fail(error: OSError) -> None:
            raise error

        for root, dirs, names in os.walk(folder, onerror=fail):
            dirs.sort()
            for name in sorted(names):
                file = Path(root) / name
                yield file.relative_to(self.root).as_posix(), file.stat().st_size

    def upload(self, local: Path, path: str) -> None:
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, target)

    def download(self, path: str, local: Path) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(self._path(path), local)
        except FileNotFoundError:
            raise MissingExternalFile(f"Missing external file {self.full_path(path)}") from None

    def remove_empty_dir(self, path: str) -> bool:
        try:
            self._path(path).rmdir()
        except OSError:
            return False
        return True

    @property
    def fs(self) -> Any:
        return _fsspec_module(self.spec).filesystem("file", auto_mkdir=True)


class FsspecBackend(Backend):
    """Any other protocol, through an fsspec filesystem built on first use."""

    def __init__(self, spec: StoreSpec) -> None:
        super().__init__(spec)
        settings = spec.settings
        if spec.protocol == "s3" and bool(settings.get("access_key")) != bool(
            settings.get("secret_key")
        ):
            raise DataJointError(
                "Incomplete S3 credentials: set both access_key and secret_key, "
                "or neither to use ambient AWS credentials."
            )
        self._fs: Any = None

    @property
    def fs(self) -> Any:
        if self._fs is None:
            self._fs = _filesystem(self.spec)
        return self._fs

    def _root(self) -> str:
        settings = self.spec.settings
        container = settings.get("bucket") or settings.get("container")
        if container:
            inner = self.spec.location.strip("/")
            return f"{container}/{inner}" if inner else str(container)
        return self.spec.location.rstrip("/")

    def full_path(self, path: str) -> str:
        root = self._root()
        return f"{root}/{path}" if path else root

    def exists(self, path: str) -> bool:
        return bool(self.fs.exists(self.full_path(path)))

    def isdir(self, path: str) -> bool:
        return bool(self.fs.isdir(self.full_path(path)))

    def size(self, path: str) -> int:
        return int(self.fs.size(self.full_path(path)))

    def read(self, path: str) -> bytes:
        try:
            return bytes(self.fs.cat_file(self.full_path(path)))
        except FileNotFoundError:
            raise MissingExternalFile(f"Missing external file {self.full_path(path)}") from None

    def write(self, path: str, data: bytes) -> None:
        self.fs.pipe_file(self.full_path(path), data)

    def remove(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(self.full_path(path))

    def open(self, path: str, mode: str = "rb") -> IO[Any]:
        handle: IO[Any] = self.fs.open(self.full_path(path), mode)
        return handle

    def entries(self, path: str) -> list[tuple[str, bool]]:
        try:
            listing = self.fs.ls(self.full_path(path), detail=True)
        except FileNotFoundError:
            return []
        return sorted(
            (str(item["name"]).rstrip("/").rsplit("/", 1)[-1], item["type"] == "directory")
            for item in listing
        )

    def files(self, path: str) -> Iterator[tuple[str, int]]:
        base = self.fs._strip_protocol(self.full_path("")).rstrip("/")
        start = self.full_path(path)
        if not self.fs.exists(start):
            return
        for name, info in sorted(self.fs.find(start, detail=True).items()):
            relative = str(name)[len(base) :].lstrip("/")
            yield relative, int(info.get("size") or 0)

    def upload(self, local: Path, path: str) -> None:
        self.fs.put_file(str(local), self.full_path(path))

    def download(self, path: str, local: Path) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.fs.get_file(self.full_path(path), str(local))
        except FileNotFoundError:
            raise MissingExternalFile(f"Missing external file {self.full_path(path)}") from None

    def remove_empty_dir(self, path: str) -> bool:
        full = self.full_path(path)
        try:
            if self.fs.ls(full):
                return False
            self.fs.rmdir(full)
        except (OSError, NotImplementedError):
            return False
        return True


def open_backend(spec: StoreSpec) -> Backend:
    """The backend of a validated store."""
    if spec.protocol == "file":
        return LocalBackend(spec)
    return FsspecBackend(spec)


def _fsspec_module(spec: StoreSpec) -> Any:
    try:
        import fsspec
    except ImportError:
        package = _CLOUD.get(spec.protocol, (spec.protocol, ""))[1]
        install = f"fsspec {package}".strip()
        raise DataJointError(
            f'Store "{spec.name}" uses protocol "{spec.protocol}", which needs fsspec: '
            f"pip install {install}"
        ) from None
    return fsspec


def _filesystem(spec: StoreSpec) -> Any:
    fsspec = _fsspec_module(spec)
    settings = spec.settings
    name, package = _CLOUD.get(spec.protocol, (spec.protocol, ""))
    options: dict[str, Any]
    if spec.protocol == "s3":
        endpoint = str(settings["endpoint"])
        if not endpoint.startswith(("http://", "https://")):
            endpoint = f"{'https' if settings.get('secure', True) else 'http'}://{endpoint}"
        options = {
            "key": settings.get("access_key") or None,
            "secret": settings.get("secret_key") or None,
            "client_kwargs": {"endpoint_url": endpoint},
        }
    elif spec.protocol == "gcs":
        options = {"token": settings.get("token"), "project": settings.get("project")}
    elif spec.protocol == "azure":
        keys = ("account_name", "account_key", "connection_string")
        options = {k: settings.get(k) for k in keys}
    else:
        options = dict(settings.get("storage_options") or {})
    try:
        return fsspec.filesystem(name, **options)
    except ImportError as error:
        raise DataJointError(
            f'Store "{spec.name}" uses protocol "{spec.protocol}", which needs another package: '
            f"pip install {package or spec.protocol} ({error})"
        ) from None

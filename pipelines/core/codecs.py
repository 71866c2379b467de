"""The codec API: ``<name>`` attribute types that encode Python values into a stored type.

Subclassing :class:`Codec` with a ``name`` registers it. ``get_dtype(is_store)`` names what the
codec stores into: a core type, a native SQL type, or another codec (resolved recursively).
Built-ins here: ``<blob>`` (DataJoint's blob format) and ``<attach>`` (a file's name and bytes).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from . import blob
from .errors import DataJointError

_REGISTRY: dict[str, Codec] = {}


class Codec:
    """Base class of attribute codecs. Subclasses set ``name`` and implement encode/decode."""

    name: ClassVar[str | None] = None

    def __init_subclass__(cls, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not register or cls.__dict__.get("name") is None:
            return
        name = cls.__dict__["name"]
        if not isinstance(name, str) or not name:
            raise DataJointError(f"Codec name must be a non-empty string, got {name!r}")
        existing = _REGISTRY.get(name)
        if existing is not None and type(existing).__qualname__ != cls.__qualname__:
            owner = f"{type(existing).__module__}.{type(existing).__qualname__}"
            raise DataJointError(f"Codec <{name}> already registered by {owner}")
        _REGISTRY[name] = cls()

    def get_dtype(self, is_store: bool) -> str:
        raise NotImplementedError

    def encode(self, value: Any, *, key: Any = None, context: Any = None) -> Any:
        raise NotImplementedError

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> Any:
        raise NotImplementedError

    def validate(self, value: Any) -> None:
        """Raise TypeError/ValueError for values this codec cannot encode."""

    def __repr__(self) -> str:
        return f"<{self.name}>"


def split_spec(spec: str) -> tuple[str, str | None]:
    """``"<blob@raw>"`` -> ``("blob", "raw")``; ``"<blob@>"`` -> ``("blob", "")``; no @ -> None."""
    inner = spec.strip().removeprefix("<").removesuffix(">")
    name, at, store = inner.partition("@")
    return name.strip(), (store.strip() if at else None)


def get_codec(spec: str) -> Codec:
    name, _ = split_spec(spec)
    codec = _REGISTRY.get(name)
    if codec is None:
        raise DataJointError(
            f"Unknown codec: <{name}>. Ensure the codec is defined "
            f"(inherit from dj.Codec with name='{name}')."
        )
    return codec


def list_codecs() -> list[str]:
    return sorted(_REGISTRY)


def unregister_codec(name: str) -> None:
    _REGISTRY.pop(name, None)


@dataclass(frozen=True)
class CodecChain:
    """A codec spec resolved to the codecs it passes through and the final stored type."""

    codecs: tuple[Codec, ...]  # outermost first
    final_type: str  # a core or native type, e.g. "bytes", "json"
    store: str | None

    def encode(self, value: Any, context: dict[str, Any]) -> Any:
        self.codecs[0].validate(value)
        for codec in self.codecs:
            value = _call(codec.encode, value, context, self.store)
        return value

    def decode(self, stored: Any, context: dict[str, Any]) -> Any:
        for codec in reversed(self.codecs):
            stored = _call(codec.decode, stored, context, None)
        return stored


def _call(method: Any, value: Any, context: dict[str, Any], store: str | None) -> Any:
    parameters = inspect.signature(method).parameters
    kwargs: dict[str, Any] = {}
    if "context" in parameters:
        kwargs["context"] = context
    if "store_name" in parameters:
        kwargs["store_name"] = store
    return method(value, **kwargs)


def resolve_chain(spec: str) -> CodecChain:
    """Follow ``get_dtype`` from a codec spec down to a non-codec type."""
    name, store = split_spec(spec)
    codecs: list[Codec] = []
    seen: set[str] = set()
    current = f"<{name}>"
    while current.startswith("<"):
        inner_name, inner_store = split_spec(current)
        if inner_name in seen:
            raise DataJointError(f"Circular codec reference detected: <{inner_name}>")
        seen.add(inner_name)
        if inner_name not in _REGISTRY:
            raise DataJointError(
                f"Codec <{inner_name}> is not registered. "
                f"Define a Codec subclass with name='{inner_name}'."
            )
        codec = _REGISTRY[inner_name]
        store = inner_store if inner_store is not None else store
        codecs.append(codec)
        current = codec.get_dtype(store is not None)
    return CodecChain(codecs=tuple(codecs), final_type=current, store=store)


class BlobCodec(Codec):
    """``<blob>``: any serializable Python or numpy value, in DataJoint's blob format."""

    name = "blob"

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def encode(self, value: Any, *, key: Any = None, context: Any = None) -> bytes:
        return blob.pack(value)

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> Any:
        return blob.unpack(stored)


class AttachCodec(Codec):
    """``<attach>``: a file's name and bytes; fetch writes the file under ``download_path``."""

    name = "attach"

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
        folder = Path((context or {}).get("download_path", "."))
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

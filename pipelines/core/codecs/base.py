"""The ``Codec`` base class and the registry it fills (spec §7.3).

Subclassing ``Codec`` with a ``name`` registers an instance under that name; ``<name>`` in a
definition then refers to it. Codecs of installed packages are found through the entry-point
groups ``datajoint.codecs`` (and the legacy ``datajoint.types``) and ``joinery.codecs``, loaded
once, on the first lookup that misses, so importing the engine never imports plug-ins.
"""

from __future__ import annotations

import json
import logging
from importlib.metadata import entry_points
from typing import Any, ClassVar

from ..errors import DataJointError

logger = logging.getLogger("pipelines.core")

ENTRY_POINT_GROUPS = ("datajoint.codecs", "datajoint.types", "joinery.codecs")

_REGISTRY: dict[str, Codec] = {}
_entry_points_loaded = False


class Codec:
    """Base class of attribute codecs: ``<name>`` types that encode Python values for storage.

    ``get_dtype(is_store)`` names what the codec stores into: a core type (``"bytes"``,
    ``"json"``), a native SQL type, or another codec (``"<hash>"``), resolved recursively.
    ``encode``/``decode`` may declare ``key``, ``context`` and (encode) ``store_name``; the engine
    passes only what a method declares, so codecs written for older signatures keep working.
    """

    name: ClassVar[str | None] = None
    #: False for codecs that never read the row's key values (the engine then skips building
    #: a key per row for them).
    reads_key: ClassVar[bool] = True

    def __init_subclass__(cls, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only a class that names itself registers: a subclass that tweaks a registered codec
        # without a name of its own is a helper, not a second codec of the same name.
        if not register or cls.__dict__.get("name") is None:
            return
        name = cls.__dict__["name"]
        if not isinstance(name, str) or not name:
            raise DataJointError(f"Codec name must be a non-empty string, got {name!r}")
        existing = _REGISTRY.get(name)
        if existing is not None and not _same_definition(type(existing), cls):
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
        """Raise TypeError/ValueError for values this codec cannot encode (default: accept)."""

    def referenced_paths(self, stored: Any) -> list[tuple[str, str | None]]:
        """(path, store) of every store object a stored value references, for garbage collection.

        ``stored`` is the column value as the database holds it (a dict or its JSON text). The
        default reads DataJoint's standard metadata: a ``path`` and an optional ``store``.
        """
        value = stored_metadata(stored)
        return [(value["path"], value.get("store"))] if "path" in value else []

    @staticmethod
    def _codec_config(key: Any = None, context: Any = None) -> Any:
        """The calling connection's config: ``context["config"]``, else the legacy ``_config``."""
        if context and context.get("config") is not None:
            return context["config"]
        return (key or {}).get("_config")

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _same_definition(first: type, second: type) -> bool:
    """The same class, or the same class defined again (a re-run cell, a reloaded module)."""
    return first is second or (
        first.__module__ == second.__module__ and first.__qualname__ == second.__qualname__
    )


def split_spec(spec: str) -> tuple[str, str | None]:
    """``"<blob@raw>"`` -> ``("blob", "raw")``; ``"<blob@>"`` -> ``("blob", "")``; no @ -> None."""
    inner = spec.strip().removeprefix("<").removesuffix(">")
    name, at, store = inner.partition("@")
    return name.strip(), (store.strip() if at else None)


def lookup(name: str) -> Codec | None:
    """The codec registered as ``name``, loading plug-ins on the first miss; None if unknown."""
    codec = _REGISTRY.get(name)
    if codec is None:
        _load_entry_points()
        codec = _REGISTRY.get(name)
    return codec


def get_codec(spec: str) -> Codec:
    """The codec of ``"name"``, ``"<name>"`` or ``"<name@store>"`` (brackets and store ignored)."""
    name, _ = split_spec(spec)
    codec = lookup(name)
    if codec is None:
        raise DataJointError(
            f"Unknown codec: <{name}>. Ensure the codec is defined "
            f"(inherit from dj.Codec with name='{name}')."
        )
    return codec


def is_codec_registered(spec: str) -> bool:
    return lookup(split_spec(spec)[0]) is not None


def list_codecs() -> list[str]:
    _load_entry_points()
    return sorted(_REGISTRY)


def unregister_codec(name: str) -> None:
    """Remove a codec from the registry (mainly for tests)."""
    name = split_spec(name)[0]
    if name not in _REGISTRY:
        raise DataJointError(f"Codec <{name}> is not registered")
    del _REGISTRY[name]


def reset_entry_points() -> None:
    """Look at installed plug-ins again on the next miss (after installing a package)."""
    global _entry_points_loaded
    _entry_points_loaded = False


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for group in ENTRY_POINT_GROUPS:
        for entry in entry_points(group=group):
            if entry.name in _REGISTRY:
                continue
            try:
                _register_plugin(entry.name, entry.load())
            except Exception as error:  # a broken plug-in must not break every lookup
                logger.warning(f"Failed to load codec '{entry.name}' from {entry.value}: {error}")


def _register_plugin(name: str, loaded: Any) -> None:
    """A ``Codec`` subclass registered itself on import; anything codec-shaped is added here."""
    if name in _REGISTRY:
        return
    codec = loaded() if isinstance(loaded, type) else loaded
    if not all(callable(getattr(codec, m, None)) for m in ("get_dtype", "encode", "decode")):
        raise TypeError(f"{loaded!r} is not a codec (get_dtype, encode and decode are required)")
    _REGISTRY[name] = codec


def stored_metadata(stored: Any) -> dict[str, Any]:
    """A stored store reference (a dict, or its JSON text or bytes) as a dict ({} if it is not)."""
    value = stored
    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}

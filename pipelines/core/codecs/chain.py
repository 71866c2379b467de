"""Codec chains: ``<graph>`` -> ``<blob>`` -> ``bytes``, resolved once per attribute.

A chain lists the codecs a value passes through (outermost first), the final stored type and
the store named by the outermost ``@`` that reaches each codec. Which keyword arguments each
``encode``/``decode`` accepts is worked out once, when the chain is built, not once per value.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataJointError
from .base import Codec, lookup, split_spec

_OPTIONAL_ARGUMENTS = ("key", "context", "store_name")


def _accepted(method: Any) -> frozenset[str]:
    """The optional arguments ``method`` declares (all of them when it takes ``**kwargs``)."""
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return frozenset(("key",))
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return frozenset(_OPTIONAL_ARGUMENTS)
    return frozenset(p.name for p in parameters if p.name in _OPTIONAL_ARGUMENTS)


@dataclass(frozen=True)
class CodecChain:
    """A codec spec resolved to the codecs it passes through and the final stored type."""

    codecs: tuple[Codec, ...]  # outermost first
    final_type: str  # a core or native type, e.g. "bytes", "json", "varchar(20)"
    store: str | None  # the resolved @store text: None without @, "" for the default store
    #: Per codec (outermost first): the store each one receives, and the optional arguments
    #: its encode and decode accept.
    _plan: tuple[tuple[str | None, frozenset[str], frozenset[str]], ...] = field(
        default=(), compare=False, repr=False
    )

    @property
    def final_kind(self) -> str:
        """How the column holds the final type: "json", "bytes", "uuid", or "plain" (any other
        core or native type, converted as a column of that type would be)."""
        final = self.final_type.strip().lower()
        if final in ("json", "jsonb"):
            return "json"
        if final in ("bytes", "bytea") or final.endswith("blob"):
            return "bytes"
        return "uuid" if final == "uuid" else "plain"

    def encode(self, value: Any, *, key: dict[str, Any], context: dict[str, Any]) -> Any:
        """Validate with the outermost codec, then encode outermost -> innermost."""
        self.codecs[0].validate(value)
        for codec, (store, accepts, _) in zip(self.codecs, self._plan, strict=True):
            kwargs: dict[str, Any] = {}
            if "key" in accepts:
                kwargs["key"] = key
            if "context" in accepts:
                kwargs["context"] = context
            if "store_name" in accepts:
                kwargs["store_name"] = store
            value = codec.encode(value, **kwargs)
        return value

    def decode(self, stored: Any, *, key: dict[str, Any], context: dict[str, Any]) -> Any:
        """Decode innermost -> outermost."""
        for codec, (_, _, accepts) in zip(reversed(self.codecs), reversed(self._plan), strict=True):
            kwargs: dict[str, Any] = {}
            if "key" in accepts:
                kwargs["key"] = key
            if "context" in accepts:
                kwargs["context"] = context
            stored = codec.decode(stored, **kwargs)
        return stored

    @property
    def reads_key(self) -> bool:
        """True when some codec of the chain takes, and reads, the row's key values."""
        return any(
            "key" in accepts and _encode_reads_key(codec)
            for codec, (_, accepts, _) in zip(self.codecs, self._plan, strict=True)
        )

    def uses(self, name: str) -> bool:
        """True when a codec named ``name`` is part of the chain."""
        return any(codec.name == name for codec in self.codecs)


def _encode_reads_key(codec: Codec) -> bool:
    """Whether the class that defines the codec's ``encode`` says it reads ``key``.

    Asked of the defining class, so a subclass that overrides ``encode`` of a built-in that
    ignores the key is not taken to ignore it too.
    """
    for klass in type(codec).__mro__:
        if "encode" in klass.__dict__:
            return bool(klass.__dict__.get("reads_key", True))
    return True


def resolve_chain(spec: str) -> CodecChain:
    """Follow ``get_dtype`` from a codec spec down to a non-codec type.

    The outer ``@store`` reaches every inner codec unless an inner spec names its own store.
    """
    codecs: list[Codec] = []
    plan: list[tuple[str | None, frozenset[str], frozenset[str]]] = []
    seen: set[str] = set()
    current, store = spec.strip(), None
    while current.startswith("<") and current.endswith(">"):
        name, own_store = split_spec(current)
        if own_store is not None:
            store = own_store
        if name in seen:
            raise DataJointError(f"Circular codec reference detected: <{name}>")
        seen.add(name)
        codec = lookup(name)
        if codec is None:
            raise DataJointError(
                f"Codec <{name}> is not registered. Define a Codec subclass with name='{name}'."
            )
        codecs.append(codec)
        plan.append((store, _accepted(codec.encode), _accepted(codec.decode)))
        current = codec.get_dtype(store is not None).strip()
    if not codecs:
        raise DataJointError(f"{spec!r} is not a codec type (expected <name>)")
    return CodecChain(tuple(codecs), current, store, tuple(plan))

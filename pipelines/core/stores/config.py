"""Store specs from ``config["stores"]``, validated when a store is first used (spec §7.4).

Validation happens on use, not on assignment, as in DataJoint: a configuration may name stores
that only some machines can reach, and setting the whole ``stores`` dict at once must not fail
because one of its entries is incomplete. The messages are DataJoint's, word for word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataJointError

BUILTIN_PROTOCOLS = ("file", "s3", "gcs", "azure")

# Keys every protocol accepts, with their defaults.
_COMMON_DEFAULTS: dict[str, Any] = {
    "subfolding": None,
    "partition_pattern": None,
    "token_length": 8,
    "hash_prefix": "_hash",
    "schema_prefix": "_schema",
    "filepath_prefix": None,
    "stage": None,
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "file": ("protocol", "location"),
    "s3": ("protocol", "endpoint", "bucket", "location"),
    "gcs": ("protocol", "bucket", "location"),
    "azure": ("protocol", "container", "location"),
}
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "file": (),
    "s3": ("access_key", "secret_key", "secure", "proxy_server"),
    "gcs": ("token", "project"),
    "azure": ("account_name", "account_key", "connection_string"),
}
# Joinery: any other protocol fsspec knows (memory, sftp, webdav, ...) is a store too. Its
# filesystem takes the free-form ``storage_options``; paths live under ``location``.
_FSSPEC_REQUIRED = ("protocol", "location")
_FSSPEC_OPTIONAL = ("storage_options",)


@dataclass(frozen=True)
class StoreSpec:
    """One validated store: its resolved name, protocol and layout settings."""

    name: str
    protocol: str
    location: str
    subfolding: tuple[int, ...] | None
    partition_pattern: str | None
    token_length: int
    hash_prefix: str
    schema_prefix: str
    filepath_prefix: str | None
    #: Every key of the store's entry, defaults applied (credentials, bucket, endpoint, ...).
    settings: Mapping[str, Any] = field(repr=False)


def stores_of(config: Any) -> Mapping[str, Any]:
    """The ``stores`` dict of a Joinery config (or of any mapping-like config)."""
    stores = config["stores"]
    if not isinstance(stores, Mapping):
        raise DataJointError(f"config['stores'] must be a dict, got {type(stores).__name__}")
    return stores


def resolve_store_name(stores: Mapping[str, Any], name: str | None, *, filepath: bool) -> str:
    """The store a codec means: ``None`` or ``""`` (from ``<x@>``) is the configured default.

    DataJoint 2.3.5 looks the empty name up literally and fails (spec §12 item 16); ``<x@>``
    means ``stores.default``, and for ``<filepath@>`` ``stores.filepath_default``.
    """
    if name:
        return name
    key = "filepath_default" if filepath else "default"
    if key not in stores:
        if filepath:
            raise DataJointError(
                "stores.filepath_default is not configured. Set stores.filepath_default or "
                "specify store explicitly with <filepath@store>"
            )
        raise DataJointError("stores.default is not configured")
    default = stores[key]
    if not isinstance(default, str) or not default:
        raise DataJointError(f"stores.{key} must be a string")
    return default


def store_spec(config: Any, name: str | None, *, filepath: bool = False) -> StoreSpec:
    """Resolve and validate the store ``name`` of ``config`` (None/"" = the default store)."""
    stores = stores_of(config)
    resolved = resolve_store_name(stores, name, filepath=filepath)
    if resolved not in stores or resolved in ("default", "filepath_default"):
        raise DataJointError(f"Storage '{resolved}' is requested but not configured in stores")
    entry = stores[resolved]
    if not isinstance(entry, Mapping):
        raise DataJointError(
            f'config.stores["{resolved}"] must be a dict of store settings, '
            f"got {type(entry).__name__}"
        )
    settings = {**_COMMON_DEFAULTS, **entry}
    protocol = str(settings.get("protocol", "")).lower()
    settings["protocol"] = protocol
    if protocol == "s3":
        settings.setdefault("secure", True)
    required, optional = _keys_for(protocol, resolved)
    _check_keys(settings, resolved, required, optional)
    _check_prefixes(settings, resolved)
    return _build(resolved, protocol, settings)


def _keys_for(protocol: str, store: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if protocol in BUILTIN_PROTOCOLS:
        return _REQUIRED[protocol], _OPTIONAL[protocol]
    if protocol and _fsspec_knows(protocol):
        return _FSSPEC_REQUIRED, _FSSPEC_OPTIONAL
    raise DataJointError(
        f'Unknown protocol "{protocol}" in config.stores["{store}"]. '
        f"Built-in: {', '.join(BUILTIN_PROTOCOLS)}. Install a plugin package for additional "
        "protocols (Joinery also accepts any protocol of an installed fsspec: pip install fsspec)."
    )


def _fsspec_knows(protocol: str) -> bool:
    """True when fsspec is installed and names ``protocol`` (imported lazily: it is optional)."""
    try:
        import fsspec
    except ImportError:
        return False
    return protocol in fsspec.available_protocols()


def _check_keys(
    settings: dict[str, Any], store: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    missing = [k for k in required if settings.get(k) is None]
    if missing:
        raise DataJointError(f'config.stores["{store}"] is missing: {", ".join(missing)}')
    allowed = set(required) | set(optional) | set(_COMMON_DEFAULTS)
    invalid = [k for k in settings if k not in allowed]
    if invalid:
        raise DataJointError(f'Invalid key(s) in config.stores["{store}"]: {", ".join(invalid)}')


def _check_prefixes(settings: Mapping[str, Any], store: str) -> None:
    """The hash, schema and filepath sections must not contain one another."""
    named = [
        (key, settings[key])
        for key in ("hash_prefix", "schema_prefix", "filepath_prefix")
        if settings.get(key)
    ]
    for i, (first, first_value) in enumerate(named):
        for second, second_value in named[i + 1 :]:
            a, b = _section(first_value), _section(second_value)
            if a.startswith(b) or b.startswith(a):
                raise DataJointError(
                    f'config.stores["{store}"]: {first}="{first_value}" and '
                    f'{second}="{second_value}" overlap. '
                    "Storage section prefixes must be mutually exclusive."
                )


def _section(prefix: str) -> str:
    return str(prefix).strip("/") + "/"


def _build(name: str, protocol: str, settings: dict[str, Any]) -> StoreSpec:
    subfolding = settings["subfolding"]
    if subfolding is not None:
        if not isinstance(subfolding, list | tuple) or not all(
            isinstance(n, int) and n > 0 for n in subfolding
        ):
            raise DataJointError(
                f'config.stores["{name}"].subfolding must be a list of positive integers, '
                f"got {subfolding!r}"
            )
        subfolding = tuple(subfolding) or None
    token_length = settings["token_length"]
    if not isinstance(token_length, int) or isinstance(token_length, bool):
        raise DataJointError(
            f'config.stores["{name}"].token_length must be an integer, got {token_length!r}'
        )
    return StoreSpec(
        name=name,
        protocol=protocol,
        location=str(settings["location"]),
        subfolding=subfolding,
        partition_pattern=settings["partition_pattern"] or None,
        token_length=max(4, min(16, token_length)),
        hash_prefix=str(settings["hash_prefix"] or "").strip("/"),
        schema_prefix=str(settings["schema_prefix"] or "").strip("/"),
        filepath_prefix=str(settings["filepath_prefix"]).strip("/")
        if settings["filepath_prefix"]
        else None,
        settings=settings,
    )

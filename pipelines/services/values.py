"""How a row's values travel as JSON: the kind of each attribute, values out and values in.

Out (pages, exports, audit): numbers stay numbers (NaN becomes null), decimals become strings
(exact), dates ``"YYYY-MM-DD"``, datetimes ISO 8601 (``"2024-05-01T13:45:00"``), times
``"HH:MM:SS"``, uuids their text, ``json`` attributes JSON, ``bool`` attributes true/false. Bytes
never travel inline: a plain ``bytes`` value, a ``<blob>`` or an ``<attach>`` held in the table
is ``{"blob": true, "size": n}`` (downloaded separately), a value held in an object store
``{"blob": true, "size": n or null, "store": name}``.

In (entry, upload): the same spellings. A ``<blob>`` takes any JSON value (stored in DataJoint's
blob format); a ``bytes``, ``<attach>`` or ``<hash@>`` value is a file object
``{"base64": "...", "filename": "name.ext"}`` (the filename matters for attachments only).
Attributes of other codecs cannot be entered through the portal.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np
from django.conf import settings

from pipelines.core.codecs.base import stored_metadata
from pipelines.core.errors import DataJointError
from pipelines.core.query.heading import Attribute, codec_chain
from pipelines.services.errors import ServiceError

#: How values of a kind are stored: ``value`` (fetched and shown), ``bytes`` (bytes in the
#: table: their size is shown, the content downloaded), ``store`` (an object store's metadata
#: is shown), ``raw`` (a codec the portal does not decode: the stored value is shown).
VALUE, BYTES, STORE, RAW = "value", "bytes", "store", "raw"
#: How values of a kind are entered: as JSON values, as file objects, or not at all.
ENTRY_VALUE, ENTRY_FILE, ENTRY_NONE = "value", "file", "none"


@dataclass(frozen=True)
class Kind:
    #: ``plain``, ``bool``, ``json``, ``bytes``, or the outermost codec's name (``blob``,
    #: ``attach``, ``hash``, ``filepath``, …); ``codec`` for a codec that is not registered.
    name: str
    storage: str
    entry: str

    @property
    def sortable(self) -> bool:
        return self.storage == VALUE and self.name != "json"

    @property
    def scalar(self) -> bool:
        """Entered as a string, number or boolean, passed to the engine as it is."""
        return self.entry == ENTRY_VALUE and self.name not in ("json", "blob")


@dataclass(frozen=True)
class FileValue:
    """A file given for a bytes-like attribute (from a file object or a multipart upload)."""

    data: bytes
    filename: str


class ValueRefused(ValueError):
    """A value that cannot be given for its attribute; the message says why."""


class FileTooLarge(ServiceError):
    code = "too_large"
    status = 413


#: Largest uploaded file (rows file or one row's file), ``JOINERY["ROWS_UPLOAD_MAX_BYTES"]``.
DEFAULT_UPLOAD_BYTES = 64 * 1024 * 1024


def check_upload_size(size: int | None) -> None:
    limit = int(getattr(settings, "JOINERY", {}).get("ROWS_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_BYTES))
    if size is not None and size > limit:
        raise FileTooLarge(
            f"The file has {size} bytes; at most {limit} are taken.", details={"limit": limit}
        )


def kind_of(attribute: Attribute) -> Kind:
    if attribute.codec is None and not attribute.type.startswith("<"):
        if attribute.is_blob:
            return Kind("bytes", BYTES, ENTRY_FILE)
        if attribute.json:
            return Kind("json", VALUE, ENTRY_VALUE)
        if attribute.original_type == "bool":
            return Kind("bool", VALUE, ENTRY_VALUE)
        return Kind("plain", VALUE, ENTRY_VALUE)
    try:
        chain = codec_chain(attribute)
    except DataJointError:
        return Kind("codec", RAW, ENTRY_NONE)
    name = chain.codecs[0].name or "codec"
    storage = {"bytes": BYTES, "json": STORE}.get(chain.final_kind, RAW)
    entry = {"blob": ENTRY_VALUE, "filepath": ENTRY_VALUE, "attach": ENTRY_FILE, "hash": ENTRY_FILE}
    return Kind(name, storage, entry.get(name, ENTRY_NONE))


# --- out ------------------------------------------------------------------------------------------
def value_out(kind: Kind, value: Any) -> Any:
    """A fetched value as JSON. For ``bytes`` kinds ``value`` is the stored size, for ``store``
    kinds the stored metadata, for ``raw`` kinds the stored value."""
    if value is None:
        return None
    if kind.storage == BYTES:
        return {"blob": True, "size": int(value)}
    if kind.storage == STORE:
        meta = stored_metadata(value)
        return {"blob": True, "size": meta.get("size"), "store": meta.get("store")}
    if kind.name == "json":
        return value
    if kind.name == "bool":
        return bool(value)
    return plain_out(value)


def plain_out(value: Any) -> Any:
    """A plain value (a key, a number, a date…) as JSON."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"blob": True, "size": len(value)}
    return str(value)


def value_in(kind: Kind, value: Any) -> Any:
    """A JSON value for an attribute of ``kind``, as the engine takes it; raises
    ``ValueRefused``."""
    if value is None:
        return None
    if kind.entry == ENTRY_NONE:
        raise ValueRefused(f"Values of <{kind.name}> cannot be entered through the portal.")
    if kind.entry == ENTRY_FILE:
        return file_in(value)
    if kind.scalar and isinstance(value, dict | list):
        raise ValueRefused("Expected a string, a number, a boolean or null.")
    return value


def file_in(value: Any) -> FileValue:
    if isinstance(value, FileValue):
        return value
    if (
        not isinstance(value, dict)
        or "base64" not in value
        or not set(value)
        <= {
            "base64",
            "filename",
        }
    ):
        raise ValueRefused('A file is given as {"base64": "…", "filename": "…"}.')
    text, filename = value["base64"], value.get("filename", "file")
    if not isinstance(text, str) or not isinstance(filename, str):
        raise ValueRefused("base64 and filename are strings.")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueRefused("base64 is not valid base64 text.") from None
    return FileValue(data, safe_filename(filename))


def safe_filename(name: str) -> str:
    """The file's own name, never a path: attachments are written to a scratch folder under it."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or base in (".", "..") or "\0" in base or len(base) > 255:
        raise ValueRefused(f"{name!r} is not a usable file name.")
    return base


@contextmanager
def engine_files(kind: Kind, files: list[FileValue]) -> Iterator[list[Any]]:
    """The engine's values for file objects given for an attribute of ``kind``: bytes, or for
    ``<attach>`` a path to a scratch copy named as the file (removed afterwards)."""
    if kind.name != "attach":
        yield [f.data for f in files]
        return
    with TemporaryDirectory(prefix="joinery-attach-") as folder:
        paths = []
        for number, file in enumerate(files):
            path = Path(folder) / str(number) / file.filename
            path.parent.mkdir()
            path.write_bytes(file.data)
            paths.append(str(path))
        yield paths

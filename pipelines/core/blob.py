"""The ``<blob>`` serialization format (spec/engine.md §7.1–7.2): ``pack`` and ``unpack``.

A blob is an optional zlib envelope (``ZL123\\0`` + uint64 raw length + zlib stream), a protocol
header (``mYm\\0``, readable by MATLAB, or ``dj0\\0`` once any Python-only value is inside) and
one encoded value.  Numeric array data is written column-major; reading it back is a zero-copy,
read-only view over the (decompressed) blob.
"""

from __future__ import annotations

import datetime
import math
import struct
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, MutableSequence, Sequence, Set
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .errors import DataJointError

# Read lengths and dimensions as uint32, for blobs written by the 32-bit MATLAB mYm library.
use_32bit_dims = False

MYM_HEADER: Final = b"mYm\0"
DJ0_HEADER: Final = b"dj0\0"
ZLIB_PREFIX: Final = b"ZL123\0"

_NO_COMPRESSION_UP_TO: Final = 1000  # bytes; the envelope would not pay for itself
_SAMPLE_CHUNK: Final = 16 * 1024
_SAMPLE_CHUNKS: Final = 4
_USEFUL_RATIO: Final = 0.9  # compress a large blob only when its sample shrinks at least 10%

_U16: Final = struct.Struct("<H")
_U32: Final = struct.Struct("<I")
_U64: Final = struct.Struct("<Q")
_I32_I64: Final = struct.Struct("<iq")
_U32_PAIR: Final = struct.Struct("<II")
_F64: Final = struct.Struct("<d")
_C128: Final = struct.Struct("<dd")

_CHAR_CLASS: Final = 4
_OBJECT_CLASS: Final = 5
_DATETIME_UNITS: Final = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
_NUMERIC_CODES: Final = ("<f8", "<f4", "i1", "u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8")
_CLASS_DTYPE: Final[dict[int, np.dtype[Any]]] = {
    3: np.dtype("?"),
    **{6 + i: np.dtype(code) for i, code in enumerate(_NUMERIC_CODES)},  # double .. uint64
    **{65536 + i: np.dtype(f"<M8[{unit}]") for i, unit in enumerate(_DATETIME_UNITS)},
}
_DTYPE_CLASS: Final = {dtype: class_id for class_id, dtype in _CLASS_DTYPE.items()}


class MatCell(np.ndarray[Any, np.dtype[Any]]):
    """A MATLAB cell array: an object ndarray that packs with the ``C`` code, readable by MATLAB."""


class MatStruct(np.recarray[Any, np.dtype[Any]]):
    """A MATLAB struct array: a record array of object fields that packs with the ``S`` code."""


def _invalid() -> DataJointError:
    return DataJointError("Blob length check failed! Invalid blob")


def _unsupported(obj: object) -> DataJointError:
    return DataJointError(f"Packing object of type {type(obj)} currently not supported!")


def _dims(shape: tuple[int, ...]) -> bytes:
    return _U64.pack(len(shape)) + np.asarray(shape, dtype="<u8").tobytes()


def _field_names(names: Sequence[str]) -> bytes:
    return "\0".join(names).encode() + b"\0"


def _fortran_bytes(array: npt.NDArray[Any]) -> memoryview:
    """The array's bytes in column-major order; no copy when it is already Fortran-contiguous."""
    return array.ravel(order="F").view(np.uint8).data


def _encode_int(value: int) -> bytes:
    n_bytes = value.bit_length() // 8 + 1
    if n_bytes > 0xFFFF:
        raise DataJointError("Integers are limited to 65535 bytes")
    return b"\x0a" + _U16.pack(n_bytes) + value.to_bytes(n_bytes, "little", signed=True)


def _encode_datetime(value: datetime.date | datetime.time) -> bytes:
    date = value if isinstance(value, datetime.date) else None
    time = value if isinstance(value, datetime.time) else None
    if isinstance(value, datetime.datetime):
        time = value.time()
    day = -1 if date is None else (date.year * 100 + date.month) * 100 + date.day
    clock = -1
    if time is not None:
        clock = ((time.hour * 100 + time.minute) * 100 + time.second) * 1_000_000 + time.microsecond
    return b"t" + _I32_I64.pack(day, clock)


def _encode_python_scalar(obj: object) -> bytes | None:
    """The encoding of a built-in scalar, date/time, Decimal or UUID; None for anything else."""
    if isinstance(obj, bool):
        return b"\x0b" + (b"\x01" if obj else b"\x00")
    if isinstance(obj, int):
        return _encode_int(obj)
    if isinstance(obj, complex):
        return b"\x0c" + _C128.pack(obj.real, obj.imag)
    if isinstance(obj, float):
        return b"\x0d" + _F64.pack(obj)
    if isinstance(obj, datetime.date | datetime.time):
        return _encode_datetime(obj)
    if isinstance(obj, Decimal):
        text = str(obj).encode()
        return b"d" + _U64.pack(len(text)) + text
    if isinstance(obj, uuid.UUID):
        return b"u" + obj.bytes
    return None


class _Encoder:
    """Collects a blob as a list of buffers, so large array data is copied only once, at the end."""

    def __init__(self) -> None:
        self.parts: list[bytes | bytearray | memoryview] = []
        self.python_only = False

    def put(self, *chunks: bytes | bytearray | memoryview) -> int:
        self.parts.extend(chunks)
        return sum(len(chunk) for chunk in chunks)

    def sized(self, obj: object) -> int:
        """Encode ``obj`` preceded by its uint64 byte length."""
        slot = len(self.parts)
        self.parts.append(b"")
        size = self.value(obj)
        self.parts[slot] = _U64.pack(size)
        return size + 8

    def items(self, values: Iterable[object]) -> int:
        return sum(self.sized(value) for value in values)

    def value(self, obj: object) -> int:
        if isinstance(obj, MatCell):
            return self.put(b"C", _dims(obj.shape)) + self.items(obj.ravel(order="F"))
        if isinstance(obj, MatStruct):
            return self.struct(obj)
        if isinstance(obj, np.ndarray):
            if obj.dtype.fields is None:
                return self.array(obj)
            self.python_only = True
            if obj.dtype.fields:
                return self.record_array(np.asarray(obj))
            raise _unsupported(obj)
        self.python_only = True
        if isinstance(obj, np.number | np.datetime64 | np.bool_):
            return self.array(np.asarray(obj))
        if not isinstance(obj, np.generic):
            encoded = _encode_python_scalar(obj)
            if encoded is not None:
                return self.put(encoded)
        return self.container(obj)

    def container(self, obj: object) -> int:
        if isinstance(obj, Mapping):
            head = self.put(b"\x04", _U64.pack(len(obj)))
            return head + sum(self.sized(k) + self.sized(v) for k, v in obj.items())
        if isinstance(obj, str):
            text = obj.encode()
            return self.put(b"\x05", _U64.pack(len(text)), text)
        if isinstance(obj, bytes | bytearray):
            return self.put(b"\x06", _U64.pack(len(obj)), obj)
        for code, kind in ((b"\x02", MutableSequence), (b"\x01", Sequence), (b"\x03", Set)):
            if isinstance(obj, kind):
                return self.put(code, _U64.pack(len(obj))) + self.items(obj)
        if obj is None:
            return self.put(b"\xff")
        raise _unsupported(obj)

    def array(self, array: npt.NDArray[Any]) -> int:
        array = np.asarray(array)  # subclasses such as np.matrix flatten and iterate differently
        head = self.put(b"A", _dims(array.shape))
        if array.dtype.kind in "UO":
            self.python_only = True
            return head + self.put(_U32_PAIR.pack(_OBJECT_CLASS, 0)) + self.items(array.ravel("F"))
        if array.dtype == np.dtype("S1"):
            chars = array.ravel(order="F").view(np.uint8).astype("<u2")
            return head + self.put(_U32_PAIR.pack(_CHAR_CLASS, 0), chars.view(np.uint8).data)
        is_complex = array.dtype.kind == "c"
        real = array.real if is_complex else array
        dtype = real.dtype if real.dtype.isnative else real.dtype.newbyteorder("=")
        class_id = _DTYPE_CLASS.get(dtype)
        if class_id is None:
            raise DataJointError(f"Type {real.dtype} is ambiguous or unknown")
        if array.ndim == 0 or dtype.kind == "M":
            self.python_only = True  # MATLAB knows neither 0-d arrays nor datetime64
        size = head + self.put(_U32_PAIR.pack(class_id, is_complex))
        size += self.put(_fortran_bytes(real.astype(dtype, copy=False)))
        if is_complex:
            size += self.put(_fortran_bytes(array.imag.astype(dtype, copy=False)))
        return size

    def record_array(self, array: npt.NDArray[Any]) -> int:
        names = array.dtype.names or ()
        size = self.put(b"F", _U32.pack(len(names)), _field_names(names))
        for name in names:
            column = array[name]
            size += self.record_array(column) if column.dtype.fields else self.array(column)
        return size

    def struct(self, array: MatStruct) -> int:
        names = array.dtype.names or ()
        size = self.put(b"S", _dims(array.shape), _U32.pack(len(names)), _field_names(names))
        flat = np.asarray(array).ravel(order="F")
        return size + self.items(flat[name][i] for i in range(flat.size) for name in names)


class _Decoder:
    """Reads one encoded value after another from an uncompressed blob."""

    def __init__(self, blob: bytes, pos: int, squeeze: bool) -> None:
        self.blob = blob
        self.view = memoryview(blob)
        self.pos = pos
        self.squeeze = squeeze
        self.dim_format = _U32 if use_32bit_dims else _U64

    def take(self, n_bytes: int) -> memoryview:
        end = self.pos + n_bytes
        if end > len(self.blob):
            raise _invalid()
        chunk = self.view[self.pos : end]
        self.pos = end
        return chunk

    def number(self, fmt: struct.Struct) -> Any:
        return fmt.unpack(self.take(fmt.size))[0]

    def dim(self) -> int:
        return int(self.number(self.dim_format))

    def shape(self) -> tuple[int, ...]:
        n_dims = self.dim()
        return tuple(self.dim() for _ in range(n_dims))

    def cstring(self) -> str:
        end = self.blob.find(b"\0", self.pos)
        if end < 0:
            raise _invalid()
        return str(self.take(end - self.pos + 1)[:-1], "utf-8")

    def numbers(self, dtype: np.dtype[Any], count: int) -> npt.NDArray[Any]:
        return np.frombuffer(self.take(count * dtype.itemsize), dtype=dtype)

    def value(self, n_bytes: int | None = None) -> Any:
        start = self.pos
        code = self.take(1)[0]
        reader = _READERS.get(code)
        if reader is None:
            raise DataJointError(f'Unknown data structure code "{chr(code)}". Upgrade Joinery.')
        result = reader(self)
        if n_bytes is not None and self.pos - start != n_bytes:
            raise _invalid()
        return result

    def sized(self) -> Any:
        return self.value(self.dim())

    def squeezed(self, array: Any, to_scalar: bool = True) -> Any:
        if not self.squeeze:
            return array
        array = array.squeeze()
        return array.item() if to_scalar and array.ndim == 0 else array

    def objects(self, count: int) -> npt.NDArray[Any]:
        if count * 9 > len(self.blob) - self.pos:  # each item takes a length and a code at least
            raise _invalid()
        array = np.empty(count, dtype=object)
        for i in range(count):
            array[i] = self.sized()  # item by item: equal-length sequences must stay objects
        return array

    def array(self) -> Any:
        shape = self.shape()
        count = math.prod(shape)
        class_id, is_complex = _U32_PAIR.unpack(self.take(8))
        if class_id == _CHAR_CLASS:
            return self.chars(shape, count)
        if class_id == _OBJECT_CLASS:
            data = self.objects(count)
        elif class_id in _CLASS_DTYPE:
            data = self.numbers(_CLASS_DTYPE[class_id], count)
            if is_complex:
                imaginary = self.numbers(data.dtype, count)
                real, data = data, np.empty(count, np.result_type(data.dtype, 1j))
                data.real, data.imag = real, imaginary
        else:
            raise DataJointError(f"Unsupported array class {class_id} in blob")
        if not shape and class_id != _OBJECT_CLASS:
            return self.squeezed(data[0])  # a 0-d number comes back as a numpy scalar
        return self.squeezed(data.reshape(shape, order="F"))

    def chars(self, shape: tuple[int, ...], count: int) -> Any:
        """MATLAB char arrays hold UTF-16 code units; a single row becomes one string."""
        raw = self.take(2 * count)
        if len(shape) == 1 or (len(shape) == 2 and shape[0] == 1):
            return self.squeezed(np.array([str(raw, "utf-16-le", "surrogatepass")]))
        letters = np.frombuffer(raw, "<u2").astype("<u4").view("<U1")
        return self.squeezed(letters.reshape(shape, order="F"))

    def field_names(self) -> list[str]:
        return [self.cstring() for _ in range(self.number(_U32))]

    def struct(self) -> Any:
        shape = self.shape()
        count = math.prod(shape)
        names = self.field_names()
        if not names:
            return np.array(None)
        if count * len(names) * 9 > len(self.blob) - self.pos:
            raise _invalid()
        columns = [np.empty(count, dtype=object) for _ in names]
        for i in range(count):
            for column in columns:
                column[i] = self.sized()
        data = np.empty(count, dtype=[(name, object) for name in names])
        for name, column in zip(names, columns, strict=True):
            data[name] = column
        return self.squeezed(data.reshape(shape, order="F"), to_scalar=False).view(MatStruct)

    def cell(self) -> Any:
        shape = self.shape()
        data = self.objects(math.prod(shape))
        if not data.size:
            return data.view(MatCell)
        return self.squeezed(data.reshape(shape, order="F"), to_scalar=False).view(MatCell)

    def record_array(self) -> Any:
        names = self.field_names()
        if not names:
            return np.array(None)
        columns = [np.asarray(self.value()) for _ in names]
        dtype = [(name, column.dtype) for name, column in zip(names, columns, strict=True)]
        records = np.empty(columns[0].shape, dtype=dtype)
        for name, column in zip(names, columns, strict=True):
            records[name] = column
        return records.view(np.recarray)


def _read_sparse(decoder: _Decoder) -> Any:
    raise DataJointError("MATLAB sparse arrays are not supported.")


def _read_string(decoder: _Decoder) -> str:
    return str(decoder.take(decoder.dim()), "utf-8")


def _read_int(decoder: _Decoder) -> int:
    return int.from_bytes(decoder.take(decoder.number(_U16)), "little", signed=True)


def _read_datetime(decoder: _Decoder) -> datetime.date | datetime.time | None:
    day, clock = _I32_I64.unpack(decoder.take(_I32_I64.size))
    date = datetime.date(day // 10_000, day // 100 % 100, day % 100) if day >= 0 else None
    time = None
    if clock >= 0:
        hour, minute = clock // 10**10 % 100, clock // 10**8 % 100
        time = datetime.time(hour, minute, clock // 10**6 % 100, clock % 10**6)
    if date is not None and time is not None:
        return datetime.datetime.combine(date, time)
    return time if time is not None else date


def _read_dict(decoder: _Decoder) -> dict[Any, Any]:
    return {decoder.sized(): decoder.sized() for _ in range(decoder.dim())}


_READERS: Final[dict[int, Callable[[_Decoder], Any]]] = {
    ord("A"): _Decoder.array,
    ord("P"): _read_sparse,
    ord("S"): _Decoder.struct,
    ord("C"): _Decoder.cell,
    ord("F"): _Decoder.record_array,
    0xFF: lambda decoder: None,
    0x01: lambda decoder: tuple(decoder.sized() for _ in range(decoder.dim())),
    0x02: lambda decoder: [decoder.sized() for _ in range(decoder.dim())],
    0x03: lambda decoder: {decoder.sized() for _ in range(decoder.dim())},
    0x04: _read_dict,
    0x05: _read_string,
    0x06: lambda decoder: bytes(decoder.take(decoder.dim())),
    0x0A: _read_int,
    0x0B: lambda decoder: bool(decoder.take(1)[0]),
    0x0C: lambda decoder: complex(*_C128.unpack(decoder.take(_C128.size))),
    0x0D: lambda decoder: float(decoder.number(_F64)),
    ord("d"): lambda decoder: Decimal(_read_string(decoder)),
    ord("t"): _read_datetime,
    ord("u"): lambda decoder: uuid.UUID(bytes=bytes(decoder.take(16))),
}


def _sample_compresses(blob: bytes) -> bool:
    """Judge a large blob by a fast compression of a few chunks spread across it."""
    view = memoryview(blob)
    step = (len(blob) - _SAMPLE_CHUNK) // (_SAMPLE_CHUNKS - 1)
    sample = b"".join(view[i * step : i * step + _SAMPLE_CHUNK] for i in range(_SAMPLE_CHUNKS))
    return len(zlib.compress(sample, 1)) <= _USEFUL_RATIO * len(sample)


def _maybe_compress(blob: bytes) -> bytes:
    if len(blob) <= _NO_COMPRESSION_UP_TO:
        return blob
    if len(blob) > _SAMPLE_CHUNK * _SAMPLE_CHUNKS and not _sample_compresses(blob):
        return blob
    # The default level (6) keeps the stored bytes identical to other DataJoint clients'.
    compressed = zlib.compress(blob, zlib.Z_DEFAULT_COMPRESSION)
    if len(ZLIB_PREFIX) + _U64.size + len(compressed) >= len(blob):
        return blob
    return b"".join((ZLIB_PREFIX, _U64.pack(len(blob)), compressed))


def _decompress(blob: bytes) -> bytes:
    size_format = _U32 if use_32bit_dims else _U64
    start = len(ZLIB_PREFIX) + size_format.size
    if len(blob) < start:
        raise _invalid()
    (expected,) = size_format.unpack_from(blob, len(ZLIB_PREFIX))
    # deflate expands at most ~1032:1, which bounds the buffer a corrupt length can ask for
    hint = max(1, min(expected, 1032 * len(blob)))
    try:
        data = zlib.decompress(memoryview(blob)[start:], zlib.MAX_WBITS, hint)
    except zlib.error as exc:
        raise DataJointError(f"Blob decompression failed: {exc}") from exc
    if len(data) != expected:
        raise DataJointError(f"Blob size mismatch: expected {expected}, got {len(data)}")
    return data


def _as_bytes(blob: bytes | bytearray | memoryview) -> bytes:
    """The blob as immutable bytes, reusing the buffer behind a read-only memoryview of bytes."""
    if isinstance(blob, bytes):
        return blob
    if (
        isinstance(blob, memoryview)
        and isinstance(blob.obj, bytes)
        and blob.c_contiguous
        and blob.nbytes == len(blob.obj)
    ):
        return blob.obj
    return bytes(blob)


def pack(obj: object, compress: bool = True) -> bytes:
    """Serialize ``obj`` into a blob; with ``compress`` the blob is zlib-wrapped when that pays."""
    encoder = _Encoder()
    encoder.parts.append(b"")  # the header, known only once the whole value is encoded
    encoder.value(obj)
    encoder.parts[0] = DJ0_HEADER if encoder.python_only else MYM_HEADER
    blob = b"".join(encoder.parts)
    return _maybe_compress(blob) if compress else blob


def unpack(blob: bytes | bytearray | memoryview | None, squeeze: bool = False) -> Any:
    """Deserialize a blob; ``None`` for an unknown header.  ``squeeze`` drops singleton dimensions
    and turns 0-d arrays into Python scalars.  Numeric arrays are read-only views of the blob."""
    if blob is None:
        return None
    data = _as_bytes(blob)
    if data.startswith(ZLIB_PREFIX):
        data = _decompress(data)
    if data[:4] not in (MYM_HEADER, DJ0_HEADER):
        return None
    return _Decoder(data, 4, squeeze).value(n_bytes=len(data) - 4)

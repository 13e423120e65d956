"""The stored form of document data: a compact, type-tagged binary encoding.

Documents are kept as opaque blobs. The encoding covers exactly the persistable part of the FQL
value model (``faunalite.fql.values``) and round-trips it exactly: ``int`` stays ``int`` (Int
or Long is decided by magnitude), ``float`` stays ``float`` (``1.0`` is not ``1``; NaN, the
infinities and ``-0.0`` survive), ``Time`` keeps its nanoseconds, object key order is kept, and
``DocRef`` (the stored form of a document reference) keeps its collection and id or name.

Not here: ordering. Index keys use the order-preserving encoding of ``faunalite.storage.keys``.

Layout: one tag byte, then the payload. Integers are zigzag LEB128 varints (so values of any
size fit, e.g. a ``Time`` far outside 64-bit nanoseconds); lengths are plain varints.
"""

from __future__ import annotations

import struct
import uuid
from typing import Any

from faunalite.fql.values import ID, NULL, Date, Null, Time, UUIDValue
from faunalite.storage.interface import DocRef, StorageError

_NULL = 0x00
_FALSE = 0x01
_TRUE = 0x02
_INT = 0x03
_DOUBLE = 0x04
_STRING = 0x05
_BYTES = 0x06
_ARRAY = 0x07
_OBJECT = 0x08
_TIME = 0x09
_DATE = 0x0A
_ID = 0x0B
_UUID = 0x0C
_REF_BY_ID = 0x0D
_REF_BY_NAME = 0x0E

_DOUBLE_STRUCT = struct.Struct(">d")


class UnstorableValueError(StorageError, TypeError):
    """A value outside the persistable value model (a lambda, a set, ``TransactionTime``...).

    The engine rejects these with an FQL error before writing; reaching storage is a bug.
    """


class CorruptDataError(StorageError):
    """A stored blob that does not decode (a damaged file or a foreign writer)."""


def encode_value(value: Any) -> bytes:
    """The stored bytes of a value."""
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def decode_value(blob: bytes) -> Any:
    """The value a blob was encoded from."""
    reader = _Reader(blob)
    try:
        value = reader.value()
    except (IndexError, struct.error, UnicodeDecodeError, ValueError) as exc:
        raise CorruptDataError(f"stored value does not decode: {exc}") from exc
    if reader.pos != len(blob):
        raise CorruptDataError("stored value has trailing bytes")
    return value


def _write_varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _write_signed(n: int, out: bytearray) -> None:
    # Zigzag keeps small negative numbers short and works for integers of any size.
    _write_varint(n * 2 if n >= 0 else -n * 2 - 1, out)


def _write_text(text: str, out: bytearray) -> None:
    # surrogatepass: an FQL string may hold a lone surrogate (it is UTF-16 underneath).
    raw = text.encode("utf-8", "surrogatepass")
    _write_varint(len(raw), out)
    out += raw


def _encode(value: Any, out: bytearray) -> None:
    kind = type(value)
    if kind is bool:
        out.append(_TRUE if value else _FALSE)
    elif isinstance(value, int):  # int, or an int subclass (an FQL small Long)
        out.append(_INT)
        _write_signed(int(value), out)
    elif kind is float:
        out.append(_DOUBLE)
        out += _DOUBLE_STRUCT.pack(value)
    elif kind is str:
        out.append(_STRING)
        _write_text(value, out)
    elif kind is dict:
        out.append(_OBJECT)
        _write_varint(len(value), out)
        for name, item in value.items():
            if type(name) is not str:
                raise UnstorableValueError(f"object key {name!r} is not a string")
            _write_text(name, out)
            _encode(item, out)
    elif kind is list or kind is tuple:
        out.append(_ARRAY)
        _write_varint(len(value), out)
        for item in value:
            _encode(item, out)
    elif kind is bytes:
        out.append(_BYTES)
        _write_varint(len(value), out)
        out += value
    elif isinstance(value, Null):
        out.append(_NULL)
    elif kind is Time:
        out.append(_TIME)
        _write_signed(value.epoch_ns, out)
    elif kind is Date:
        out.append(_DATE)
        _write_signed(value.epoch_days, out)
    elif kind is ID:
        out.append(_ID)
        _write_signed(value.value, out)
    elif kind is UUIDValue:
        out.append(_UUID)
        out += value.value.bytes
    elif kind is DocRef:
        _encode_ref(value, out)
    else:
        raise UnstorableValueError(f"a {kind.__name__} cannot be stored")


def _encode_ref(ref: DocRef, out: bytearray) -> None:
    if type(ref.id) is int:
        out.append(_REF_BY_ID)
        _write_text(ref.collection, out)
        _write_signed(ref.id, out)
    elif type(ref.id) is str:
        out.append(_REF_BY_NAME)
        _write_text(ref.collection, out)
        _write_text(ref.id, out)
    else:
        raise UnstorableValueError(f"a document reference id must be int or str: {ref!r}")


class _Reader:
    __slots__ = ("blob", "pos")

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self.pos = 0

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.blob[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    def signed(self) -> int:
        n = self.varint()
        return n >> 1 if n & 1 == 0 else -((n + 1) >> 1)

    def raw(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.blob):
            raise IndexError("truncated")
        chunk = self.blob[self.pos : end]
        self.pos = end
        return chunk

    def text(self) -> str:
        return self.raw(self.varint()).decode("utf-8", "surrogatepass")

    def value(self) -> Any:
        tag = self.blob[self.pos]
        self.pos += 1
        if tag == _STRING:
            return self.text()
        if tag == _INT:
            return self.signed()
        if tag == _OBJECT:
            count = self.varint()
            obj: dict[str, Any] = {}
            for _ in range(count):
                name = self.text()
                obj[name] = self.value()
            return obj
        if tag == _ARRAY:
            return [self.value() for _ in range(self.varint())]
        if tag == _DOUBLE:
            return _DOUBLE_STRUCT.unpack(self.raw(8))[0]
        if tag == _TRUE:
            return True
        if tag == _FALSE:
            return False
        if tag == _NULL:
            return NULL
        if tag == _BYTES:
            return self.raw(self.varint())
        if tag == _TIME:
            return Time(self.signed())
        if tag == _DATE:
            return Date(self.signed())
        if tag == _ID:
            return ID(self.signed())
        if tag == _UUID:
            return UUIDValue(uuid.UUID(bytes=self.raw(16)))
        if tag == _REF_BY_ID:
            collection = self.text()
            return DocRef(collection, self.signed())
        if tag == _REF_BY_NAME:
            collection = self.text()
            return DocRef(collection, self.text())
        raise ValueError(f"unknown tag 0x{tag:02x}")

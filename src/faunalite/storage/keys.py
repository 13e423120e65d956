"""Order-preserving byte keys for FQL values: comparing two keys as bytes compares the values in
FaunaDB's total order (reference fql-language.md §2.9).

Index entries are stored under such keys so SQLite (or a sorted list) returns them in index order
and turns value ranges into key ranges. The engine may also use ``sort_key`` for ``order()``.

The kind comes first (Number < Bytes < String < Array < Object < ID < Doc < Time <
TransactionTime < Date < UUID < Boolean < Module < ... < Null), then the value:

* numbers compare numerically across Int, Long and Double (``1`` and ``1.0`` share a key), with
  NaN above +Infinity as in Java's ``Double.compare``;
* strings compare by UTF-16 code unit, as Java's ``compareTo`` does;
* arrays lexicographically with shorter prefixes first; objects by their entries sorted by key;
* references by collection, then id or name.

Every encoding is prefix-free (no key is a proper prefix of another), so the bytes of a
descending component are simply inverted and a tuple is the concatenation of its components.
Tag bytes stay within 0x02..0xFD, so ``prefix + b"\\xff"`` is above every key extending
``prefix``: that is how an inclusive upper bound on a prefix is formed.

Keys are one-way: covered values are stored separately with the tagged codec.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from typing import Any

from faunalite.fql.values import ID, Date, Module, Null, Time, UUIDValue
from faunalite.storage.codec import UnstorableValueError
from faunalite.storage.interface import DocRef

_RANK_TAG = {
    "number": 0x02,
    "bytes": 0x03,
    "string": 0x04,
    "array": 0x05,
    "object": 0x06,
    "id": 0x07,
    "doc": 0x08,
    "time": 0x09,
    # 0x0A would be TransactionTime: it is replaced by the commit time before storage.
    "date": 0x0B,
    "uuid": 0x0C,
    "boolean": 0x0D,
    "module": 0x0E,
    "null": 0x14,
}
_END = b"\x01"
"""Ends an array or object: below every tag, so shorter prefixes sort first."""
_ENTRY = b"\x02"
"""Starts an object entry (keys are string bodies, which may begin with a 0x00 byte)."""
UPPER_SENTINEL = b"\xff"

_DOUBLE = struct.Struct(">d")
_U64 = struct.Struct(">Q")
_U16 = struct.Struct(">H")
_SIGN_BIT = 1 << 63
_U64_MASK = (1 << 64) - 1
_INVERT = bytes(255 - b for b in range(256))
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

_NUMBER = bytes([_RANK_TAG["number"]])
_NULL_KEY = bytes([_RANK_TAG["null"]])
_FALSE_KEY = bytes([_RANK_TAG["boolean"], 0])
_TRUE_KEY = bytes([_RANK_TAG["boolean"], 1])


def sort_key(value: Any) -> bytes:
    """The ascending key of one value."""
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def tuple_key(values: Sequence[Any], descending: Sequence[bool] = ()) -> bytes:
    """The key of a tuple of values; component ``i`` is inverted when ``descending[i]``."""
    out = bytearray()
    for position, value in enumerate(values):
        if position < len(descending) and descending[position]:
            out += sort_key(value).translate(_INVERT)
        else:
            _encode(value, out)
    return bytes(out)


def prefix_upper_bound(prefix_key: bytes) -> bytes:
    """A key above every key that starts with ``prefix_key`` (for inclusive prefix bounds)."""
    return prefix_key + UPPER_SENTINEL


def _ordered_double(number: float) -> bytes:
    if number != number:
        number = float("nan")  # one NaN, whatever its sign and payload
    elif number == 0.0:
        number = 0.0  # -0.0 == 0 numerically
    bits = _U64.unpack(_DOUBLE.pack(number))[0]
    # Flip all bits of negatives and only the sign of positives: IEEE order becomes byte order.
    bits = (~bits & _U64_MASK) if bits & _SIGN_BIT else (bits | _SIGN_BIT)
    return _U64.pack(bits)


def _encode_number(value: int | float, out: bytearray) -> None:
    out += _NUMBER
    if type(value) is int:
        approx = float(value)
        out += _ordered_double(approx)
        # A 64-bit int may round to a neighbouring double; the exact remainder (at most 2**10
        # in magnitude) breaks the tie, and is 0 for every value a double represents exactly.
        out += _U16.pack(value - int(approx) + 0x8000)
    else:
        out += _ordered_double(value)
        out += b"\x80\x00"


def _escaped(raw: bytes) -> bytes:
    # 0x00 inside becomes 00 FF and 00 00 ends the body, so shorter strings sort first.
    return raw.replace(b"\x00", b"\x00\xff") + b"\x00\x00"


def _string_body(text: str) -> bytes:
    if _ASTRAL.search(text) is not None:
        # UTF-8 orders by code point; Java orders by UTF-16 code unit. Splitting astral
        # characters into surrogates first (CESU-8) gives code-unit order.
        units = text.encode("utf-16-be", "surrogatepass")
        text = "".join(chr((units[i] << 8) | units[i + 1]) for i in range(0, len(units), 2))
    return _escaped(text.encode("utf-8", "surrogatepass"))


def _offset64(n: int) -> bytes:
    return _U64.pack(n + _SIGN_BIT)


def _encode(value: Any, out: bytearray) -> None:
    kind = type(value)
    if kind is int or kind is float:
        _encode_number(value, out)
    elif kind is not bool and isinstance(value, int):
        # An int subclass (FQL's small Long) sorts and matches as the plain integer.
        _encode_number(int(value), out)
    elif kind is str:
        out.append(_RANK_TAG["string"])
        out += _string_body(value)
    elif kind is bool:
        out += _TRUE_KEY if value else _FALSE_KEY
    elif isinstance(value, Null):
        out += _NULL_KEY
    elif kind is list or kind is tuple:
        out.append(_RANK_TAG["array"])
        for item in value:
            _encode(item, out)
        out += _END
    elif kind is dict:
        _encode_object(value, out)
    elif kind is bytes:
        out.append(_RANK_TAG["bytes"])
        out += _escaped(value)
    elif kind is ID:
        out.append(_RANK_TAG["id"])
        out += _offset64(value.value)
    elif kind is DocRef:
        out.append(_RANK_TAG["doc"])
        out += _string_body(value.collection)
        if type(value.id) is int:
            out.append(0x02)
            out += _offset64(value.id)
        else:
            out.append(0x03)
            out += _string_body(str(value.id))
    elif kind is Time:
        out.append(_RANK_TAG["time"])
        out += (value.epoch_ns + (1 << 127)).to_bytes(16, "big")
    elif kind is Date:
        out.append(_RANK_TAG["date"])
        out += _offset64(value.epoch_days)
    elif kind is UUIDValue:
        out.append(_RANK_TAG["uuid"])
        out += value.value.bytes
    elif kind is Module:
        out.append(_RANK_TAG["module"])
        out += _string_body(value.name)
    else:
        raise UnstorableValueError(f"a {kind.__name__} cannot be used in an index key")


def _encode_object(value: dict[str, Any], out: bytearray) -> None:
    out.append(_RANK_TAG["object"])
    entries = sorted((_string_body(name), item) for name, item in value.items())
    for name_key, item in entries:
        out += _ENTRY
        out += name_key
        _encode(item, out)
    out += _END

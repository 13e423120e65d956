"""JSON → FQL values for request ``arguments`` and template ``{"value": ...}`` (reference §5.3).

``decode_tagged`` reads the tagged format (bare numbers are refused, ``@int``/``@long``/
``@double``/``@object``/``@time``/``@date``/``@bytes``/``@mod``/``@doc``/``@ref`` are read, every
other tag is refused); ``decode_simple`` reads plain JSON. Failures raise ``InvalidValue`` with
FaunaDB's lower-case reason, which the caller places in its own message
(``Invalid argument 'x': <reason>``).

Names in ``@mod`` and references in ``@doc``/``@ref`` need the database: they are resolved by a
``ValueResolver``. ``StdlibResolver`` knows only the standard library modules and no collection;
the data-model layer supplies one that also knows the database's collections and documents.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Protocol

from faunalite.fql.javanumbers import parse_java_double
from faunalite.fql.timefmt import parse_date, parse_time
from faunalite.fql.values import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    NULL,
    Date,
    Long,
    Module,
    Time,
    Value,
)
from faunalite.wire.encoding import JSON


class InvalidValue(Exception):
    """A JSON value that does not decode; ``reason`` is FaunaDB's lower-case explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ValueResolver(Protocol):
    """What decoding needs from the database the request runs against."""

    def module(self, name: str) -> Value | None:
        """The module value (stdlib module or collection) named ``name``, or ``None``."""
        ...

    def document(self, tag: str, reference: Value) -> Value:
        """The document that ``{tag: reference}`` points at (``reference`` already decoded).

        Raises ``InvalidValue`` with FaunaDB's reason when it names no document.
        """
        ...


class StdlibResolver:
    """Resolves stdlib module names; knows no collection, so no reference resolves."""

    def module(self, name: str) -> Value | None:
        # Imported here: loading the stdlib registers every module, which the codec
        # itself does not need.
        from faunalite.fql.stdlib.registry import MODULES

        return Module(name) if name in MODULES else None

    def document(self, tag: str, reference: Value) -> Value:
        if isinstance(reference, dict):
            if "coll" not in reference:
                raise InvalidValue(f"{tag} field 'coll' is required")
            raise InvalidValue(f"{tag} field 'coll' requires a module value")
        if isinstance(reference, str):
            parts = reference.split(":", 2)
            if len(parts) != 2:
                raise InvalidValue("doc id must be in the format <coll>:<id>")
            raise InvalidValue(f"no such collection '{parts[0]}'")
        raise InvalidValue(f"{tag} requires an object value")


STDLIB_RESOLVER = StdlibResolver()

_INTEGER_RE = re.compile(r"[+-]?[0-9]+\Z")
_BASE64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")


def decode_simple(data: JSON) -> Value:
    """Plain JSON as FQL values: ``@`` keys are ordinary keys, numbers are taken as they are."""
    kind = type(data)
    if kind is dict:
        return {key: decode_simple(item) for key, item in data.items()}
    if kind is list:
        return [decode_simple(item) for item in data]
    if data is None:
        return NULL
    if kind is int:
        # A JSON integer beyond 64 bits is read as a Double, as Jackson does.
        return data if INT64_MIN <= data <= INT64_MAX else float(data)
    return data


def decode_tagged(data: JSON, resolver: ValueResolver = STDLIB_RESOLVER) -> Value:
    """Tagged JSON as FQL values; raises ``InvalidValue``."""
    kind = type(data)
    if kind is str or kind is bool:
        return data
    if kind is dict:
        if any(key.startswith("@") for key in data):
            if len(data) > 1:
                raise InvalidValue("too many keys in tagged value")
            ((tag, content),) = data.items()
            return _decode_tag(tag, content, resolver)
        return {key: decode_tagged(item, resolver) for key, item in data.items()}
    if kind is list:
        return [decode_tagged(item, resolver) for item in data]
    if data is None:
        return NULL
    raise InvalidValue("numbers must be tagged")


def _string_content(tag: str, content: JSON) -> str:
    if type(content) is not str:
        raise InvalidValue(f"{tag} requires a string value")
    return content


def _decode_integer(tag: str, content: JSON, low: int, high: int, reason: str) -> int:
    text = _string_content(tag, content)
    if _INTEGER_RE.match(text) is None:
        raise InvalidValue(reason)
    number = int(text)
    if not low <= number <= high:
        raise InvalidValue(reason)
    return number


def _decode_bytes(text: str) -> bytes:
    # Java's basic decoder: standard alphabet, padding optional but correct when present.
    if _BASE64_RE.match(text) is None:
        raise InvalidValue("invalid bytes")
    if "=" in text:
        if len(text) % 4:
            raise InvalidValue("invalid bytes")
    elif len(text) % 4 == 1:
        raise InvalidValue("invalid bytes")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidValue("invalid bytes")


def _decode_tag(tag: str, content: JSON, resolver: ValueResolver) -> Value:
    if tag == "@int":
        return _decode_integer(tag, content, INT32_MIN, INT32_MAX, "invalid integer")
    if tag == "@long":
        # A Long stays a Long even when it would fit an Int, as in FaunaDB.
        return Long(_decode_integer(tag, content, INT64_MIN, INT64_MAX, "invalid long"))
    if tag == "@double":
        number = parse_java_double(_string_content(tag, content))
        if number is None:
            raise InvalidValue("invalid double")
        return number
    if tag == "@object":
        if type(content) is not dict:
            raise InvalidValue(f"{tag} requires an object value")
        return {key: decode_tagged(item, resolver) for key, item in content.items()}
    if tag == "@time":
        epoch_ns = parse_time(_string_content(tag, content))
        if epoch_ns is None:
            raise InvalidValue("invalid time")
        return Time(epoch_ns)
    if tag == "@date":
        epoch_days = parse_date(_string_content(tag, content))
        if epoch_days is None:
            raise InvalidValue("invalid date")
        return Date(epoch_days)
    if tag == "@bytes":
        return _decode_bytes(_string_content(tag, content))
    if tag == "@mod":
        name = _string_content(tag, content)
        module = resolver.module(name)
        if module is None:
            raise InvalidValue(f"no such module '{name}'")
        return module
    if tag in ("@doc", "@ref"):
        return resolver.document(tag, decode_tagged(content, resolver))
    extension = _TAG_DECODERS.get(tag)
    if extension is not None:
        return extension(content, resolver)
    raise InvalidValue(f"invalid tag '{tag}'")


TagDecoder = Callable[[JSON, ValueResolver], Value]
_TAG_DECODERS: dict[str, TagDecoder] = {}


def register_tag_decoder(tag: str, decoder: TagDecoder) -> None:
    """Decode ``{tag: content}`` with ``decoder(content, resolver)`` (raising ``InvalidValue``),
    for tags of values defined outside the codec (``@stream`` event sources)."""
    _TAG_DECODERS[tag] = decoder

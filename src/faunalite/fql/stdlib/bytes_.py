"""``Bytes(…)``, ``Bytes.fromBase64`` and the Bytes prototype (``toBase64()``).

Bytes travel as standard base64 (``+/`` alphabet). As Java's basic decoder does, padding is
optional but anything outside the alphabet is rejected.
"""

from __future__ import annotations

import base64
import binascii
import re

from faunalite.fql.display import bytes_to_base64, display
from faunalite.fql.stdlib.args import expect_string, invalid_argument
from faunalite.fql.stdlib.registry import CallContext, module, prototype
from faunalite.fql.values import Module, Value

BYTES = prototype(bytes, "Bytes")
BYTES_MODULE = module("Bytes")

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}", re.ASCII)


def decode_base64(encoded: str) -> bytes:
    """The bytes of standard base64 text, or ``invalid_argument`` for malformed input.

    (FaunaDB fails with an internal error here; a named argument error is more useful.)
    """
    body = encoded.rstrip("=")
    if not _BASE64.fullmatch(encoded) or len(body) % 4 == 1:
        raise invalid_argument("encoded", "invalid base64 string")
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error:
        raise invalid_argument("encoded", "invalid base64 string") from None


@BYTES_MODULE.callable(1, signature="(encoded: String) => Bytes")
def bytes_apply(ctx: CallContext, receiver: Module, encoded: Value) -> bytes:
    return decode_base64(expect_string(encoded, "encoded"))


@BYTES_MODULE.method("fromBase64", 1, signature="(encoded: String) => Bytes")
def bytes_from_base64(ctx: CallContext, receiver: Module, encoded: Value) -> bytes:
    return decode_base64(expect_string(encoded, "encoded"))


@BYTES.method("toBase64", 0, signature="() => String")
def bytes_to_base64_method(ctx: CallContext, receiver: bytes) -> str:
    return bytes_to_base64(receiver)


@BYTES.method("toString", 0, signature="() => String")
def bytes_to_string(ctx: CallContext, receiver: bytes) -> str:
    return display(receiver)

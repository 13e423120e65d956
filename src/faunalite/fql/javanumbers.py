"""Java's number parsing rules (``Long.parseLong``, ``Double.parseDouble``), the one copy.

FaunaDB's ``parseInt``/``parseLong``/``parseDouble``/``parseNumber`` and the wire's
``{"@double": ...}`` (``faunalite.wire.decoding``) accept exactly what the JVM accepts, which differs from Python's ``int()``/``float()``: no surrounding whitespace or
``_`` separators for integers; ``Infinity``/``NaN`` spelt out, a trailing ``d``/``f`` type
suffix and hexadecimal ``0x1.8p1`` for doubles. Range checks are left to the caller.
"""

from __future__ import annotations

import re
import unicodedata

from faunalite.fql.timefmt import java_trim

_DECIMAL_DOUBLE = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)", re.ASCII
)
_HEX_DOUBLE = re.compile(
    r"(?P<sign>[+-]?)0[xX](?P<mantissa>[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)"
    r"[pP](?P<exponent>[+-]?\d+)[fFdD]?",
    re.ASCII,
)


def _digit_value(char: str) -> int | None:
    """Java ``Character.digit`` without the radix check: Unicode decimal digits, then
    Latin letters (ASCII or fullwidth) as 10…35."""
    decimal = unicodedata.decimal(char, None)
    if decimal is not None:
        return decimal
    if "a" <= char.lower() <= "z" and char.isascii():
        return ord(char.lower()) - ord("a") + 10
    if "\uff21" <= char <= "\uff3a":
        return ord(char) - 0xFF21 + 10
    if "\uff41" <= char <= "\uff5a":
        return ord(char) - 0xFF41 + 10
    return None


def parse_java_integer(text: str, radix: int) -> int | None:
    """The integer ``text`` spells in ``radix`` (optional sign, at least one digit)."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits:
        return None
    value = 0
    for char in digits:
        digit = _digit_value(char)
        if digit is None or digit >= radix:
            return None
        value = value * radix + digit
    return -value if text[0] == "-" else value


def parse_java_double(text: str) -> float | None:
    """The double ``text`` spells, as ``Double.parseDouble`` reads it, else ``None``."""
    trimmed = java_trim(text)
    if _DECIMAL_DOUBLE.fullmatch(trimmed):
        body = trimmed.rstrip("fFdD") if not trimmed.endswith("Infinity") else trimmed
        return float(body.replace("Infinity", "inf"))
    hex_match = _HEX_DOUBLE.fullmatch(trimmed)
    if hex_match:
        try:
            magnitude = float.fromhex(f"0x{hex_match['mantissa']}p{hex_match['exponent']}")
        except OverflowError:
            magnitude = float("inf")
        return -magnitude if hex_match["sign"] == "-" else magnitude
    return None

"""The two ways FQL turns a value into text: ``display`` and ``debug``.

``display`` is what a user sees from ``toString()``, string interpolation, ``"a" + x`` and
``log``: strings raw, numbers plainly, times in ISO form. ``debug`` is FQL-like source text,
used by ``dbg``, for values nested in arrays and objects, and in some error messages:
``"str"`` quoted and escaped, ``ID("1")``, ``Time("…")``, ``{ a: 1 }``.

Numbers follow Java, since FaunaDB runs on the JVM: a Double prints as ``Double.toString``
does (``1.0E-4``, ``1.23456785E7``), except that ``display`` prints a whole Double as plain
digits (``2.0`` → ``2``).

Storage-backed values (documents, sets, cursors…) are defined by the data-model layer. They
render themselves: a ``StorageValue`` subclass implements ``fql_debug(nested)`` and may
implement ``fql_display()`` (see ``RenderableValue``); without them a value renders as
``[<type name>]``.
"""

from __future__ import annotations

import base64
import math
from decimal import Decimal
from typing import Protocol, runtime_checkable

from faunalite.fql.errors import QueryError
from faunalite.fql.timefmt import format_date, format_time
from faunalite.fql.values import (
    ID,
    Date,
    Function,
    Lambda,
    Long,
    Module,
    Null,
    StorageValue,
    Time,
    TransactionTime,
    UUIDValue,
    Value,
    type_name,
)
from faunalite.fql.walk_clock import visit_container

MAX_RENDERED_LENGTH = 16 * 1024 * 1024
"""The longest rendering of an array or object: FQL's string size limit."""


@runtime_checkable
class RenderableValue(Protocol):
    """How a storage-backed value takes part in ``display``/``debug``.

    ``nested`` is true while rendering the fields of a document, so that a document inside
    a document renders as a short reference (``[doc 1 in User]``) instead of expanding.
    ``fql_display`` is optional: a value without it displays as its debug form.
    """

    def fql_debug(self, nested: bool) -> str: ...


def java_double_to_string(value: float) -> str:
    """Java's ``Double.toString``: the shortest digits that round-trip, in Java's layout.

    Magnitudes in [1e-3, 1e7) are written in plain decimal with at least one fractional
    digit (``100.0``, ``0.001``); others in ``d.dddE<exp>`` form (``1.0E7``, ``1.5E-7``).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    # repr() gives the shortest round-tripping digits, like Java 19+.
    digits_tuple, exponent = _shortest_digits(abs(value))
    digits = "".join(map(str, digits_tuple))
    # Scientific exponent: value = d.ddd * 10**sci_exponent.
    sci_exponent = exponent + len(digits) - 1
    if 1e-3 <= abs(value) < 1e7:
        if sci_exponent >= 0:
            whole = digits[: sci_exponent + 1].ljust(sci_exponent + 1, "0")
            fraction = digits[sci_exponent + 1 :] or "0"
        else:
            whole = "0"
            fraction = "0" * (-sci_exponent - 1) + digits
        return f"{sign}{whole}.{fraction}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{sci_exponent}"


def _shortest_digits(magnitude: float) -> tuple[tuple[int, ...], int]:
    """Significant digits (no trailing zeros) and exponent of ``repr(magnitude)``."""
    _, digits, exponent = Decimal(repr(magnitude)).as_tuple()
    assert isinstance(exponent, int)
    trimmed = list(digits)
    while len(trimmed) > 1 and trimmed[-1] == 0:
        trimmed.pop()
        exponent += 1
    if len(trimmed) == 1:
        # Java always writes two significant digits and then picks the pair closest to the
        # exact binary value; this only differs from "d.0" for tiny subnormals (4.9E-324).
        exact = Decimal(magnitude)
        scale = exact.adjusted() - 1
        pair = int(exact.scaleb(-scale).to_integral_value())
        if pair % 10:
            return (pair // 10, pair % 10), scale
    return tuple(trimmed), exponent


def display_double(value: float) -> str:
    """A Double as ``display`` shows it: whole values as plain digits, else Java's form."""
    if math.isfinite(value) and value.is_integer():
        # Java formats with `%.0f`, which writes the shortest digits padded with zeros
        # (1e23 → "1" and 23 zeros, not the binary value's exact digits), and keeps -0's sign.
        if value == 0.0:
            return "-0" if math.copysign(1.0, value) < 0 else "0"
        return str(int(Decimal(repr(value))))
    return java_double_to_string(value)


_ESCAPES = {
    "\\": "\\\\",
    "\0": "\\0",
    "'": "\\'",
    '"': '\\"',
    "`": "\\`",
    "\n": "\\n",
    "\r": "\\r",
    "\v": "\\v",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "#": "\\#",
}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def quote_string(text: str) -> str:
    """A string as an FQL double-quoted literal, escaped the way FaunaDB escapes it."""
    return '"' + text.translate(_ESCAPE_TABLE) + '"'


def is_identifier(key: str) -> bool:
    """Whether an object key can be written bare in debug output.

    FaunaDB's test is per UTF-16 unit: a letter first, then letters, digits or ``_``, so
    a character outside the Basic Multilingual Plane (a surrogate pair) forces quoting.
    """
    if not key or not _is_bmp_letter(key[0]):
        return False
    return all(c == "_" or _is_bmp_letter(c) or (c <= "\uffff" and c.isdecimal()) for c in key)


def _is_bmp_letter(char: str) -> bool:
    return char <= "\uffff" and char.isalpha()


def bytes_to_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def display(value: Value) -> str:
    """The display string of ``value`` (``toString()``, interpolation, ``+``, ``log``)."""
    t = type(value)
    if t is str:
        return value  # type: ignore[no-any-return]
    if t is bool:
        return "true" if value else "false"
    if t is int or t is Long:
        return str(int(value))
    if t is float:
        return display_double(value)
    if t is ID:
        return str(value.value)
    if t is Time:
        return format_time(value.epoch_ns)
    if t is Date:
        return format_date(value.epoch_days)
    if t is bytes:
        return bytes_to_base64(value)
    if t is UUIDValue:
        return str(value.value)
    if isinstance(value, Null):
        return "null"
    if t is TransactionTime:
        return "[transaction time]"
    if isinstance(value, StorageValue):
        render = getattr(value, "fql_display", None)
        if render is not None:
            return str(render())
    return debug(value)


def debug(value: Value, nested: bool = False) -> str:
    """The debug string of ``value``: FQL-like source text (``dbg``, nested values).

    ``nested`` is true inside a document's fields; it is passed down to storage values.
    """
    t = type(value)
    if t is str:
        return quote_string(value)
    if t is bool:
        return "true" if value else "false"
    if t is int or t is Long:
        return str(int(value))
    if t is float:
        return java_double_to_string(value)
    if t is list:
        visit_container()
        return _bounded("[" + ", ".join(debug(item, nested) for item in value) + "]")
    if t is dict:
        visit_container()
        return _bounded(_debug_object(value, nested))
    if isinstance(value, Null):
        return "null"
    if t is ID:
        return f'ID("{value.value}")'
    if t is Time:
        return f'Time("{format_time(value.epoch_ns)}")'
    if t is Date:
        return f'Date("{format_date(value.epoch_days)}")'
    if t is bytes:
        return f'Bytes("{bytes_to_base64(value)}")'
    if t is UUIDValue:
        return f'UUID("{value.value}")'
    if t is TransactionTime:
        return "TransactionTime()"
    if t is Module:
        return str(value.name)
    if t is Lambda:
        return "[function <lambda>]"
    if isinstance(value, Function):
        return f"[function {value.display_name}]"
    if isinstance(value, RenderableValue):
        return value.fql_debug(nested)
    return f"[{type_name(value)}]"


def _bounded(text: str) -> str:
    """``text``, unless it is longer than any FQL string may be: a value sharing its arrays or
    objects can render exponentially longer than its size, so rendering stops there."""
    if len(text) > MAX_RENDERED_LENGTH:
        raise QueryError(
            "value_too_large",
            f"Value too large: string size {len(text)} exceeds limit {MAX_RENDERED_LENGTH}.",
        )
    return text


def _debug_object(fields: dict[str, Value], nested: bool) -> str:
    if not fields:
        return "{}"
    parts = [
        f"{key if is_identifier(key) else quote_string(key)}: {debug(item, nested)}"
        for key, item in fields.items()
    ]
    return "{ " + ", ".join(parts) + " }"

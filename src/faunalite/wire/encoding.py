"""FQL values → JSON, in FaunaDB's ``tagged`` and ``simple`` wire formats (reference §5.1).

``encode_tagged`` / ``encode_simple`` turn a value into plain Python JSON data (dicts, lists,
strings, numbers) ready for ``json.dumps``. Values backed by storage (documents, refs, sets,
event sources) are not known here: the data-model layer registers an encoder for each of its
classes with ``register_storage_encoder``, and receives the ``ValueEncoder`` so it can encode the
values nested inside (and read its ``context``, e.g. a read snapshot).

Simple-format Doubles are written as JSON numbers with Python's spelling (``1e+21`` where Java
writes ``1.0E21``): the same number to any JSON reader.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Callable
from typing import Any, TypeAlias

from faunalite.fql.display import java_double_to_string
from faunalite.fql.timefmt import format_date, format_time
from faunalite.fql.values import (
    ID,
    INT32_MAX,
    INT32_MIN,
    Date,
    Function,
    Long,
    Module,
    Null,
    StorageValue,
    Time,
    TransactionTime,
    UUIDValue,
    Value,
)

JSON: TypeAlias = Any
"""Plain JSON data: ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` or ``None``."""

StorageEncoder: TypeAlias = Callable[["ValueEncoder", Any], JSON]

_STORAGE_ENCODERS: dict[type, StorageEncoder] = {}


def register_storage_encoder(value_class: type, encoder: StorageEncoder) -> None:
    """Make ``encoder(value_encoder, value)`` the wire encoding of ``value_class`` instances.

    The encoder checks ``value_encoder.tagged`` to pick ``{"@doc": ...}`` or the plain form,
    and calls ``value_encoder.encode`` for nested values.
    """
    _STORAGE_ENCODERS[value_class] = encoder


class UnencodableValueError(TypeError):
    """A value of a Python type the wire format has no encoding for (a bug in the caller)."""


class EncodingTimedOut(Exception):
    """Encoding ran past the encoder's ``deadline`` (the value is too large to send in time)."""


DEADLINE_CHECK_NODES = 4096
"""Arrays and objects encoded between two looks at the clock."""


class ValueEncoder:
    """Encodes the values of one response in one format.

    ``transaction_time`` is what ``TransactionTime()`` renders as (the commit time); ``context``
    is passed through untouched to storage encoders. With a ``deadline`` (a ``time.monotonic()``
    instant), encoding past it raises ``EncodingTimedOut``: a value built at run time can share
    arrays and objects so that its tree is exponentially larger than its memory.
    """

    __slots__ = ("_containers", "context", "deadline", "tagged", "transaction_time")

    def __init__(
        self,
        *,
        tagged: bool,
        transaction_time: Time | None = None,
        context: object = None,
        deadline: float | None = None,
    ) -> None:
        self.tagged = tagged
        self.transaction_time = transaction_time
        self.context = context
        self.deadline = deadline
        self._containers = 0

    def _count_container(self) -> None:
        self._containers += 1
        if (
            self.deadline is not None
            and self._containers % DEADLINE_CHECK_NODES == 0
            and time.monotonic() > self.deadline
        ):
            raise EncodingTimedOut

    def encode(self, value: Value) -> JSON:
        """The JSON form of ``value``."""
        kind = type(value)
        if kind is str or kind is bool:
            return value
        if kind is int:
            if not self.tagged:
                return value
            tag = "@int" if INT32_MIN <= value <= INT32_MAX else "@long"
            return {tag: str(value)}
        if kind is Long:
            return {"@long": str(int(value))} if self.tagged else int(value)
        if kind is float:
            if self.tagged:
                return {"@double": java_double_to_string(value)}
            return value if math.isfinite(value) else java_double_to_string(value)
        if kind is list:
            self._count_container()
            encode = self.encode
            return [encode(item) for item in value]
        if kind is dict:
            self._count_container()
            return self._encode_object(value)
        return self._encode_other(value)

    def _encode_object(self, fields: dict[str, Value]) -> JSON:
        encode = self.encode
        encoded = {key: encode(item) for key, item in fields.items()}
        if self.tagged and any(key.startswith("@") for key in fields):
            return {"@object": encoded}
        return encoded

    def _encode_other(self, value: Value) -> JSON:
        tagged = self.tagged
        if isinstance(value, Null):
            return None
        if isinstance(value, Time):
            text = format_time(value.epoch_ns)
            return {"@time": text} if tagged else text
        if isinstance(value, TransactionTime):
            if self.transaction_time is None:
                raise UnencodableValueError("TransactionTime() needs the transaction time")
            return self._encode_other(self.transaction_time)
        if isinstance(value, Date):
            text = format_date(value.epoch_days)
            return {"@date": text} if tagged else text
        if isinstance(value, bytes):
            text = base64.b64encode(value).decode("ascii")
            return {"@bytes": text} if tagged else text
        if isinstance(value, ID):
            return str(value.value)
        if isinstance(value, UUIDValue):
            text = str(value.value)
            return {"@uuid": text} if tagged else text
        if isinstance(value, Module):
            return {"@mod": value.name} if tagged else value.name
        if isinstance(value, Function):
            return f"[function {value.display_name}]"
        if isinstance(value, StorageValue):
            return self._storage_encoder(type(value))(self, value)
        raise UnencodableValueError(f"no wire encoding for {type(value).__name__}")

    @staticmethod
    def _storage_encoder(kind: type) -> StorageEncoder:
        for klass in kind.__mro__:
            encoder = _STORAGE_ENCODERS.get(klass)
            if encoder is not None:
                return encoder
        raise UnencodableValueError(f"no wire encoder registered for {kind.__name__}")


_TAGGED = ValueEncoder(tagged=True)
_SIMPLE = ValueEncoder(tagged=False)


def encode_tagged(value: Value) -> JSON:
    """``value`` in the tagged format (``{"@int": "1"}``...)."""
    return _TAGGED.encode(value)


def encode_simple(value: Value) -> JSON:
    """``value`` in the simple format (plain JSON)."""
    return _SIMPLE.encode(value)

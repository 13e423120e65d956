"""Python values to FaunaDB's tagged JSON format (the ``X-Format: tagged`` wire form).

``FaunaEncoder.encode(value)`` returns plain JSON-ready data: dicts, lists, strings, booleans and
None. A ``Query`` becomes ``{"fql": [...]}``. Sending it is the client's job.

Type mapping: ``str`` as is; ``bool``; ``int`` as ``@int`` (32-bit) or ``@long`` (64-bit), larger
is an error rather than a silent ``@double``; ``float`` as ``@double``; ``datetime`` (aware only)
as ``@time``; ``date`` as ``@date``; ``bytes``/``bytearray`` as ``@bytes``; ``Module`` as
``@mod``; documents and references as ``@ref``; ``EventSource`` as ``@stream``; ``UUID`` as its
string; enum members as their value; lists and tuples as arrays; dicts as objects, wrapped in
``@object`` when a key starts with ``@``. Dataclass instances and pydantic models encode as
objects of their fields, and types given a codec with ``register_codec`` as their codec says
(see ``fauna.encoding._registry``).
"""

from __future__ import annotations

import base64
import enum
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fauna.encoding._registry import NOT_A_USER_VALUE, user_value_form
from fauna.query.fauna_time import FaunaTime
from fauna.query.models import (
    Document,
    DocumentReference,
    EventSource,
    Module,
    NamedDocument,
    NamedDocumentReference,
    NullDocument,
    Page,
)
from fauna.query.query_builder import Fragment, LiteralFragment, Query, ValueFragment

__all__ = ["EncodingError", "FaunaEncoder"]

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class EncodingError(TypeError, ValueError):
    """A value that has no FaunaDB wire form.

    It is both a ``TypeError`` (the usual Python error for an unsupported type) and a
    ``ValueError`` (what the official driver raised), so either ``except`` catches it.
    """


def _int(value: int) -> dict[str, str]:
    # int.__repr__ rather than repr(): an IntEnum's repr is "<E.A: 1>".
    if _INT32_MIN <= value <= _INT32_MAX:
        return {"@int": int.__repr__(value)}
    if _INT64_MIN <= value <= _INT64_MAX:
        return {"@long": int.__repr__(value)}
    raise ValueError(
        f"Precision loss when converting int to Fauna type: {int.__repr__(value)} is outside "
        "the 64-bit range of a FaunaDB Long; pass it as a str or float instead"
    )


def _datetime(value: datetime) -> dict[str, str]:
    if isinstance(value, FaunaTime):
        return {"@time": value.fauna_isoformat()}
    if value.utcoffset() is None:
        raise ValueError(
            "datetimes must be timezone-aware: attach a tzinfo (e.g. "
            "value.replace(tzinfo=datetime.timezone.utc)) so the instant is unambiguous"
        )
    return {"@time": value.isoformat(sep="T")}


def _ref(coll: Module, key: str, value: str) -> dict[str, Any]:
    return {"@ref": {key: value, "coll": {"@mod": coll.name}}}


class FaunaEncoder:
    """Encodes Python values into FaunaDB's tagged format; see the module docstring."""

    @staticmethod
    def encode(obj: Any) -> Any:
        """The tagged wire form of ``obj``.

        Raises ``EncodingError`` (a ``TypeError`` and ``ValueError``) for a type with no wire form,
        naming the type; ``ValueError`` for an int outside 64 bits, a naive ``datetime``, or a
        list or dict that contains itself.
        """
        return _Encoding().encode(obj)

    # The per-type helpers of the official driver, kept for code that calls them directly.

    @staticmethod
    def from_int(obj: int) -> dict[str, str]:
        return _int(obj)

    @staticmethod
    def from_bool(obj: bool) -> bool:
        return obj

    @staticmethod
    def from_float(obj: float) -> dict[str, str]:
        return {"@double": float.__repr__(obj)}

    @staticmethod
    def from_str(obj: str) -> str:
        return obj

    @staticmethod
    def from_datetime(obj: datetime) -> dict[str, str]:
        return _datetime(obj)

    @staticmethod
    def from_date(obj: date) -> dict[str, str]:
        return {"@date": obj.isoformat()}

    @staticmethod
    def from_bytes(obj: bytes | bytearray) -> dict[str, str]:
        return {"@bytes": base64.b64encode(obj).decode("ascii")}

    @staticmethod
    def from_doc_ref(obj: DocumentReference) -> dict[str, Any]:
        return _ref(obj.coll, "id", obj.id)

    @staticmethod
    def from_named_doc_ref(obj: NamedDocumentReference) -> dict[str, Any]:
        return _ref(obj.coll, "name", obj.name)

    @staticmethod
    def from_mod(obj: Module) -> dict[str, str]:
        return {"@mod": obj.name}

    @staticmethod
    def from_dict(obj: Any) -> dict[str, Any]:
        return {"@object": obj}

    @staticmethod
    def from_none() -> None:
        return None

    @staticmethod
    def from_fragment(obj: Fragment) -> Any:
        return _Encoding().fragment(obj)

    @staticmethod
    def from_query_interpolation_builder(obj: Query) -> dict[str, Any]:
        return _Encoding().query(obj)

    @staticmethod
    def from_streamtoken(obj: EventSource) -> dict[str, str]:
        return {"@stream": obj.token}


class _Encoding:
    """One ``encode`` call: holds the ids of the lists and dicts being encoded, to find cycles."""

    __slots__ = ("_open", "_saw_query")

    def __init__(self) -> None:
        self._open: set[int] = set()
        self._saw_query = False

    def encode(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is str or obj is None or kind is bool:
            return obj
        if kind is int:
            return _int(obj)
        if kind is dict:
            return self.mapping(obj)
        if kind is list or kind is tuple:
            return self.sequence(obj)
        if kind is float:
            return {"@double": float.__repr__(obj)}
        encode_special = _BY_TYPE.get(kind)
        if encode_special is not None:
            return encode_special(self, obj)
        return self.subclass(obj)

    def subclass(self, obj: Any) -> Any:
        """Values whose type is a subclass (or an enum), checked in a fixed order."""
        user_form = user_value_form(obj)
        if user_form is not NOT_A_USER_VALUE:
            key = self.enter(obj)
            encoded = self.encode(user_form)
            self._open.discard(key)
            return encoded
        if isinstance(obj, enum.Enum):
            return self.encode(obj.value)
        if isinstance(obj, str):
            return str.__str__(obj)
        if isinstance(obj, bool):
            return bool(obj)
        if isinstance(obj, int):
            return _int(obj)
        if isinstance(obj, float):
            return {"@double": float.__repr__(obj)}
        for base, encode_base in _BY_TYPE.items():
            if isinstance(obj, base):
                return encode_base(self, obj)
        if isinstance(obj, dict):
            return self.mapping(obj)
        if isinstance(obj, (list, tuple)):
            return self.sequence(obj)
        message = f"Object {obj!r} of type {type(obj)} cannot be encoded"
        if isinstance(obj, Page):
            message += "; to continue a set, pass its cursor (page.after) to Set.paginate()"
        raise EncodingError(message)

    def enter(self, obj: Any) -> int:
        key = id(obj)
        if key in self._open:
            raise ValueError(f"Circular reference detected: a {type(obj).__name__} contains itself")
        self._open.add(key)
        return key

    def mapping(self, obj: dict[Any, Any]) -> dict[Any, Any]:
        key = self.enter(obj)
        encoded = {k: self.encode(v) for k, v in obj.items()}
        self._open.discard(key)
        for k in obj:
            if type(k) is str and k[:1] == "@":
                return {"@object": encoded}
        return encoded

    def sequence(self, obj: list[Any] | tuple[Any, ...]) -> list[Any]:
        key = self.enter(obj)
        encoded = [self.encode(v) for v in obj]
        self._open.discard(key)
        return encoded

    def query(self, obj: Query) -> dict[str, Any]:
        self._saw_query = True
        return {"fql": [self.fragment(f) for f in obj.fragments]}

    def fragment(self, obj: Fragment) -> Any:
        if isinstance(obj, LiteralFragment):
            return obj.get()
        if isinstance(obj, ValueFragment):
            return self.template_value(obj.get())
        raise EncodingError(f"Unknown fragment type {type(obj)}")

    def template_value(self, value: Any) -> Any:
        """A template variable's fragment: ``{"value": ...}``, or ``{"fql": [...]}`` for a query.

        A list or dict that holds a query somewhere becomes an ``{"array": [...]}`` or
        ``{"object": {...}}`` fragment, so the query inside runs as FQL instead of being sent
        as an object with an ``fql`` key.
        """
        if isinstance(value, Query):
            return self.query(value)
        saw_query, self._saw_query = self._saw_query, False
        encoded = self.encode(value)
        nested_query, self._saw_query = self._saw_query, saw_query
        if not nested_query:
            return {"value": encoded}
        if isinstance(value, (list, tuple)):
            return {"array": [self.template_value(item) for item in value]}
        if isinstance(value, dict):
            fields = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise EncodingError(
                        f"Object keys must be str when the object holds a Query, not {type(key)}"
                    )
                fields[key] = self.template_value(item)
            return {"object": fields}
        user_form = user_value_form(value)
        if user_form is not NOT_A_USER_VALUE:
            # A dataclass (or model) holding a query: its fields, so the query runs as FQL.
            return self.template_value(user_form)
        return {"value": encoded}


def _document(encoding: _Encoding, obj: Document) -> Any:
    return _ref(obj.coll, "id", obj.id)


def _named_document(encoding: _Encoding, obj: NamedDocument) -> Any:
    return _ref(obj.coll, "name", obj.name)


# Exact types first; subclasses are matched in this order by ``_Encoding.subclass``. datetime
# precedes date because a datetime is a date.
_BY_TYPE: dict[type, Callable[[_Encoding, Any], Any]] = {
    FaunaTime: lambda _, v: _datetime(v),
    datetime: lambda _, v: _datetime(v),
    date: lambda _, v: {"@date": v.isoformat()},
    Module: lambda _, v: {"@mod": v.name},
    DocumentReference: lambda _, v: _ref(v.coll, "id", v.id),
    NamedDocumentReference: lambda _, v: _ref(v.coll, "name", v.name),
    Document: _document,
    NamedDocument: _named_document,
    NullDocument: lambda e, v: e.encode(v.ref),
    Query: lambda e, v: e.query(v),
    EventSource: lambda _, v: {"@stream": v.token},
    bytes: lambda _, v: {"@bytes": base64.b64encode(v).decode("ascii")},
    bytearray: lambda _, v: {"@bytes": base64.b64encode(v).decode("ascii")},
    uuid.UUID: lambda _, v: str(v),
}

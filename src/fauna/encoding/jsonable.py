"""Decoded results as plain JSON values, and back: ``to_jsonable`` and ``from_jsonable``.

``json.dumps`` cannot write a ``Document``, a ``Module`` or a ``datetime``; ``to_jsonable``
turns any decoded result into dicts, lists, strings, numbers, booleans and None that it can,
in a shape ``from_jsonable`` reads back into equal values. The shape is documented on
``to_jsonable``. It is not FaunaDB's wire format (numbers are plain JSON numbers there would be
``{"@int": "3"}``), and sending values to FaunaDB is the encoder's job, not this module's.
"""

from __future__ import annotations

import base64
import enum
import math
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, overload

from fauna.encoding import _registry
from fauna.encoding._typed import IntoType
from fauna.query.fauna_time import FaunaTime, parse_fauna_time
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

if TYPE_CHECKING:
    from fauna.encoding.wire_protocol import QuerySuccess

__all__ = ["from_jsonable", "to_jsonable"]

T = TypeVar("T")

_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def to_jsonable(value: Any) -> Any:
    """``value`` (any decoded result) as JSON-ready data; ``from_jsonable`` reverses it.

    Plain values stay as they are: ``None``, ``bool``, ``int``, ``float``, ``str``; lists and
    tuples become lists and dicts stay dicts (keys must be strings). Everything JSON has no
    type for becomes an object with a single ``@``-key, named like FaunaDB's own tags:

    ==========================  ==========================================================
    time (``FaunaTime``, an     ``{"@time": "2024-01-01T00:00:00.123456789Z"}`` (UTC,
    aware ``datetime``)         nanoseconds kept; a naive datetime is a ``ValueError``)
    ``date``                    ``{"@date": "2024-01-01"}``
    ``bytes``, ``bytearray``    ``{"@bytes": "<base64>"}`` (read back as ``bytes``)
    ``UUID``                    ``{"@uuid": "<uuid>"}``
    NaN, ±Infinity              ``{"@double": "NaN"}`` (``"Infinity"``, ``"-Infinity"``)
    ``Module``                  ``{"@mod": "Users"}``
    ``DocumentReference``       ``{"@ref": {"id": "123", "coll": "Users"}}``
    ``NamedDocumentReference``  ``{"@ref": {"name": "Users", "coll": "Collection"}}``
    ``NullDocument``            ``{"@ref": {"id": "123", "coll": "Users", "exists": false,
                                "cause": "not found"}}``
    ``Document``                ``{"@doc": {"id": "123", "coll": "Users", "ts": "<time>",
                                ...fields}}`` (``coll`` and ``ts`` as plain strings)
    ``NamedDocument``           the same with ``"name"`` instead of ``"id"`` (an ``@doc``
                                with an ``"id"`` reads back as a ``Document``: FaunaDB's
                                named documents have no ``id`` field)
    ``Page``                    ``{"@set": {"data": [...], "after": "<cursor>"}}``
                                (``after`` only when there is one)
    ``EventSource``             ``{"@stream": "<token>"}``
    a dict with a key that      ``{"@object": {...}}``, so user keys never pass for tags
    starts with ``@``
    ==========================  ==========================================================

    One way only, for convenience: ``Enum`` members give their value, dataclasses and pydantic
    models an object of their fields, and types with a codec (``register_codec``) what their
    ``encode`` returns. Anything else raises ``TypeError``.
    """
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"@double": _NON_FINITE[repr(value)]}
    if kind is list or kind is tuple:
        return [to_jsonable(item) for item in value]
    if kind is dict:
        return _object(value)
    return _special(value)


def _object(value: Mapping[Any, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    escape = False
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"JSON object keys must be str, not {type(key).__name__} ({key!r})")
        escape = escape or key.startswith("@")
        converted[key] = to_jsonable(item)
    return {"@object": converted} if escape else converted


def _time(value: datetime) -> str:
    if isinstance(value, FaunaTime):
        return value.fauna_isoformat()
    if value.utcoffset() is None:
        raise ValueError(f"cannot export naive datetime {value!r}: attach a tzinfo")
    return FaunaTime.from_datetime(value).fauna_isoformat()


def _special(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"@time": _time(value)}
    if isinstance(value, date):
        return {"@date": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"@bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return {"@uuid": str(value)}
    if isinstance(value, Document):
        return {"@doc": {"id": value.id, **_document_rest(value)}}
    if isinstance(value, NamedDocument):
        return {"@doc": {"name": value.name, **_document_rest(value)}}
    if isinstance(value, NullDocument):
        return {"@ref": {**_reference(value.ref), "exists": False, "cause": value.cause}}
    if isinstance(value, (DocumentReference, NamedDocumentReference)):
        return {"@ref": _reference(value)}
    if isinstance(value, Module):
        return {"@mod": value.name}
    if isinstance(value, Page):
        page: dict[str, Any] = {"data": to_jsonable(value.data)}
        if value.after is not None:
            page["after"] = value.after
        return {"@set": page}
    if isinstance(value, EventSource):
        return {"@stream": value.token}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Mapping):
        return _object(value)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return to_jsonable(float(value))
    user_form = _registry.user_value_form(value)
    if user_form is not _registry.NOT_A_USER_VALUE:
        return to_jsonable(user_form)
    raise TypeError(f"{type(value).__name__} value {value!r} has no JSON form")


def _document_rest(value: Document | NamedDocument) -> dict[str, Any]:
    # Inside ``@doc`` keys are never tags, so field names need no ``@object`` escape.
    fields = {key: to_jsonable(item) for key, item in value.items()}
    return {"coll": value.coll.name, "ts": _time(value.ts), **fields}


def _reference(value: DocumentReference | NamedDocumentReference) -> dict[str, Any]:
    if isinstance(value, DocumentReference):
        return {"id": value.id, "coll": value.coll.name}
    return {"name": value.name, "coll": value.coll.name}


@overload
def from_jsonable(value: Any) -> Any: ...
@overload
def from_jsonable(value: Any, into: type[T]) -> T: ...
@overload
def from_jsonable(value: Any, into: object) -> Any: ...


def from_jsonable(value: Any, into: object = None) -> Any:
    """The values ``to_jsonable`` exported, rebuilt: documents, times, pages, ...

    ``from_jsonable(to_jsonable(x)) == x`` for every decoded result ``x`` (tuples come back
    as lists, ``bytearray`` as ``bytes``). A malformed tag raises ``ValueError``. With
    ``into=T`` the rebuilt value is then converted as ``client.query(q, into=T)`` would
    (``fauna.encoding.decode_into``), so ``from_jsonable(doc.to_jsonable(), into=Person)``
    works.
    """
    rebuilt = _rebuild(value)
    if into is None:
        return rebuilt
    return IntoType[Any](into).convert(rebuilt)


def _rebuild(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_rebuild(item) for item in value]
    if kind is not dict:
        return value
    if len(value) == 1:
        ((key, content),) = value.items()
        if key == "@object":
            if type(content) is not dict:
                raise ValueError(f"Invalid @object value {content!r}: expected an object")
            return {k: _rebuild(v) for k, v in content.items()}
        reader = _READERS.get(key)
        if reader is not None:
            try:
                return reader(content)
            except (KeyError, TypeError, AttributeError) as error:
                raise ValueError(f"Invalid {key} value {content!r}: {error}") from None
    return {k: _rebuild(v) for k, v in value.items()}


def _read_double(text: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[text]


def _read_ref(content: dict[str, Any]) -> Any:
    coll = Module(content["coll"])
    ref: DocumentReference | NamedDocumentReference
    if "id" in content:
        ref = DocumentReference(coll, content["id"])
    else:
        ref = NamedDocumentReference(coll, content["name"])
    if content.get("exists", True) is False:
        return NullDocument(ref, content.get("cause"))
    return ref


def _read_doc(content: dict[str, Any]) -> Document | NamedDocument:
    # A document with an id may well have a field called "name": only its own key is metadata.
    key = "id" if "id" in content else "name"
    fields = {k: _rebuild(v) for k, v in content.items() if k not in (key, "coll", "ts")}
    coll, ts = Module(content["coll"]), parse_fauna_time(content["ts"])
    if key == "id":
        return Document(id=content["id"], ts=ts, coll=coll, data=fields)
    return NamedDocument(name=content["name"], ts=ts, coll=coll, data=fields)


def _read_set(content: dict[str, Any]) -> Page:
    data = content.get("data")
    return Page(data=None if data is None else _rebuild(data), after=content.get("after"))


_READERS: dict[str, Any] = {
    "@time": parse_fauna_time,
    "@date": date.fromisoformat,
    "@bytes": lambda text: base64.b64decode(text, validate=True),
    "@uuid": uuid.UUID,
    "@double": _read_double,
    "@mod": Module,
    "@ref": _read_ref,
    "@doc": _read_doc,
    "@set": _read_set,
    "@stream": EventSource,
}


def query_success_to_jsonable(result: QuerySuccess[Any]) -> dict[str, Any]:
    """``QuerySuccess.to_jsonable``: ``data`` exported, the other fields as plain values."""
    return {
        "data": to_jsonable(result.data),
        "static_type": result.static_type,
        "summary": result.summary,
        "txn_ts": result.txn_ts,
        "schema_version": result.schema_version,
        "query_tags": dict(result.query_tags),
        "stats": result.stats.as_dict(),
        "traceparent": result.traceparent,
    }

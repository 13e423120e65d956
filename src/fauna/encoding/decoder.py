"""FaunaDB's tagged JSON format to Python values.

``FaunaDecoder.decode(obj)`` decodes JSON that is already parsed; ``FaunaDecoder.loads(text)``
parses and decodes in one pass and is the fast path for response bodies (it converts tags while
``json.loads`` builds the objects, so lists and scalars are never walked again in Python).

Only a dict with exactly one key that starts with ``@`` is a tag:

=============  ====================================================================
``@int``       ``int`` (also ``@long``)
``@double``    ``float`` (``NaN`` and ``Infinity`` too)
``@time``      ``FaunaTime``: a UTC ``datetime`` keeping nanoseconds
``@date``      ``date``
``@bytes``     ``bytearray``, as in the original driver (equal to the ``bytes``)
``@uuid``      ``uuid.UUID``
``@mod``       ``Module``
``@doc``       ``Document`` or ``NamedDocument`` (the legacy ``"Coll:id"`` string:
               ``DocumentReference``; an object without ``ts``: the plain dict)
``@ref``       ``DocumentReference`` or ``NamedDocumentReference``; ``NullDocument`` when
               ``exists`` is false
``@set``       ``Page`` (a bare cursor string gives ``Page(after=cursor)``)
``@stream``    ``EventSource``
``@object``    the inner dict, its keys taken literally (how ``@`` keys are escaped)
=============  ====================================================================

Any other dict is a plain dict with its values decoded. A tag with a malformed value raises
``ValueError``. Encoding is ``fauna.encoding.encoder``'s job.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

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

__all__ = ["FaunaDecoder"]

_META_KEYS = ("id", "coll", "ts")
_NAMED_META_KEYS = ("name", "coll", "ts")


def _not_a_string(tag: str, value: Any) -> ValueError:
    return ValueError(f"Invalid {tag} value {value!r}: expected a string")


def _not_an_object(value: Any) -> ValueError:
    return ValueError(f"Invalid @object value {value!r}: expected an object")


def _require_str(tag: str, value: Any) -> str:
    if type(value) is not str:
        raise _not_a_string(tag, value)
    return value


def _int(value: Any) -> int:
    return int(_require_str("@int", value))


def _long(value: Any) -> int:
    return int(_require_str("@long", value))


def _double(value: Any) -> float:
    return float(_require_str("@double", value))


def _time(value: Any) -> Any:
    return parse_fauna_time(_require_str("@time", value))


def _date(value: Any) -> date:
    text = _require_str("@date", value)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Invalid @date value {text!r}: expected YYYY-MM-DD") from None


def _bytes(value: Any) -> bytearray:
    return bytearray(base64.b64decode(_require_str("@bytes", value)))


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(_require_str("@uuid", value))


def _stream(value: Any) -> EventSource:
    return EventSource(_require_str("@stream", value))


def _set(value: Any) -> Page:
    if type(value) is str:
        return Page(after=value)
    if type(value) is not dict:
        raise ValueError(f"Invalid @set value {value!r}: expected an object or a cursor string")
    return Page(data=value.get("data"), after=value.get("after"))


def _module(value: Any) -> Module:
    return Module(_require_str("@mod", value))


def _document(value: Any) -> Any:
    """``@doc`` content whose values are already decoded; ``value`` is left unchanged."""
    if type(value) is str:
        try:
            return DocumentReference.from_string(value)
        except ValueError:
            raise ValueError(f"Invalid @doc value {value!r}: expected <Collection>:<id>") from None
    if type(value) is not dict:
        raise ValueError(f"Invalid @doc value {value!r}: expected an object")
    if "ts" not in value or "coll" not in value or ("id" not in value and "name" not in value):
        return value
    data = value.copy()
    coll, ts = data.pop("coll"), data.pop("ts")
    well_formed = type(coll) is Module and isinstance(ts, datetime)
    try:
        if "id" in data:
            doc_id = data.pop("id")
            if well_formed and type(doc_id) is str:
                return Document._trusted(doc_id, ts, coll, data)
            return Document(id=doc_id, ts=ts, coll=coll, data=data)
        name = data.pop("name")
        if well_formed and type(name) is str:
            return NamedDocument._trusted(name, ts, coll, data)
        return NamedDocument(name=name, ts=ts, coll=coll, data=data)
    except TypeError as error:
        raise ValueError(f"Invalid @doc value {value!r}: {error}") from None


def _reference(value: Any) -> Any:
    """``@ref`` content whose values are already decoded."""
    if type(value) is not dict:
        raise ValueError(f"Invalid @ref value {value!r}: expected an object")
    if "id" not in value and "name" not in value:
        return value
    ref: DocumentReference | NamedDocumentReference
    try:
        if "id" in value:
            ref = DocumentReference(value["coll"], value["id"])
        else:
            ref = NamedDocumentReference(value["coll"], value["name"])
    except KeyError:
        raise ValueError(f"Invalid @ref value {value!r}: no 'coll'") from None
    except TypeError as error:
        raise ValueError(f"Invalid @ref value {value!r}: {error}") from None
    if value.get("exists", True) is False:
        return NullDocument(ref, value.get("cause"))
    return ref


# Tags whose value is a plain string: converted from the raw JSON value.
_SCALAR_TAGS: dict[str, Callable[[Any], Any]] = {
    "@int": _int,
    "@long": _long,
    "@double": _double,
    "@time": _time,
    "@date": _date,
    "@mod": _module,
    "@bytes": _bytes,
    "@uuid": _uuid,
    "@stream": _stream,
}

# Tags whose value holds further values: converted once those are decoded.
_COMPOUND_TAGS: dict[str, Callable[[Any], Any]] = {
    "@doc": _document,
    "@ref": _reference,
    "@set": _set,
}


def _decode(obj: Any) -> Any:
    kind = type(obj)
    if kind is dict:
        if len(obj) == 1:
            (key,) = obj
            scalar = _SCALAR_TAGS.get(key)
            if scalar is not None:
                return scalar(obj[key])
            compound = _COMPOUND_TAGS.get(key)
            if compound is not None:
                return compound(_decode(obj[key]))
            if key == "@object":
                escaped = obj[key]
                if type(escaped) is not dict:
                    raise _not_an_object(escaped)
                return {k: _decode(v) for k, v in escaped.items()}
        return {k: _decode(v) if type(v) in _CONTAINERS else v for k, v in obj.items()}
    if kind is list:
        return [_decode(v) if type(v) in _CONTAINERS else v for v in obj]
    return obj


_CONTAINERS = frozenset((dict, list))

_ALL_TAGS: dict[str, Callable[[Any], Any]] = {**_SCALAR_TAGS, **_COMPOUND_TAGS}


class _Escaped(Exception):
    """Raised by the plain hook on meeting ``@object``: the body needs ``_loads_escaped``."""


def _loads(text: str | bytes | bytearray) -> Any:
    # ``@object`` (how FaunaDB escapes user keys starting with ``@``) is rare, and it is the only
    # reason the hook needs to remember what it converted; without it a simpler hook serves. The
    # plain hook sees every key decoded (so ``\u0040object`` too) and gives up on ``@object``;
    # the body is then parsed again with the escaped hook. Scanning the text for ``@object``
    # up front instead would cost about a sixth of the parse of a large body.
    try:
        return json.loads(text, object_hook=_plain_hook())
    except (json.JSONDecodeError, UnicodeDecodeError):
        # Invalid JSON: with no ``@object`` and no bad tag before it, the escaped hook would
        # fail at the same place.
        raise
    except (_Escaped, ValueError):
        # An ``@object`` was met, or a bad tag that an ``@object`` around it may excuse: the
        # escaped hook gives the exact result or error (raised outside this handler, so that
        # it does not carry the plain hook's exception as its context).
        pass
    return _loads_escaped(text)


def _plain_hook(for_models: bool = False) -> Callable[[dict[str, Any]], Any]:
    """The object hook for a response without ``@object``: every single-key object whose key is
    a known tag is converted as soon as it is built. Equal modules and times are shared within
    one response (documents written by one transaction share their ``ts``).

    ``for_models``: the forms ``loads_for_models`` gives (modules as names, documents as
    ``PlainDocument``, references to missing documents as ``None``).
    """
    modules: dict[str, Module] = {}
    times: dict[str, FaunaTime] = {}
    new_document = Document.__new__
    new_reference = DocumentReference.__new__
    parse_time = parse_fauna_time
    all_tags = _ALL_TAGS
    from_iso_date = date.fromisoformat

    def module_named(name: str) -> Module:
        module = modules.get(name)
        if module is None:
            module = modules[name] = Module(name)
        return module

    def hook(obj: dict[str, Any]) -> Any:
        if len(obj) != 1:
            return obj
        # Unpacking the key and indexing is measurably cheaper than unpacking ``items()``.
        (key,) = obj
        value = obj[key]
        if key == "@mod":
            if for_models and type(value) is str:
                return value
            # The caches hold only strings, so a hit needs no type check; an unhashable value
            # (a list or an object) is the one way the lookup itself can fail.
            try:
                module = modules.get(value)
            except TypeError:
                raise _not_a_string(key, value) from None
            if module is None:
                if type(value) is not str:
                    raise _not_a_string(key, value)
                module = modules[value] = Module(value)
            return module
        if key == "@time":
            try:
                time = times.get(value)
            except TypeError:
                raise _not_a_string(key, value) from None
            if time is None:
                if type(value) is not str:
                    raise _not_a_string(key, value)
                time = times[value] = parse_time(value)
            return time
        if key == "@int" or key == "@long":
            if type(value) is not str:
                raise _not_a_string(key, value)
            return int(value)
        if key == "@doc":
            if for_models and type(value) is dict and type(value.get("coll")) is str:
                if "ts" in value and str in (type(value.get("id")), type(value.get("name"))):
                    return PlainDocument(value)
                value = {**value, "coll": module_named(value["coll"])}
            # The content is a fresh object of this parse, so it becomes the document's store.
            if type(value) is dict:
                doc_id, coll, ts = value.get("id"), value.get("coll"), value.get("ts")
                if type(doc_id) is str and type(coll) is Module and type(ts) is FaunaTime:
                    del value["id"], value["coll"], value["ts"]
                    document = new_document(Document)
                    document._id = doc_id
                    document._ts = ts
                    document._coll = coll
                    document._store = value
                    return document
            return _document(value)
        if key == "@double":
            if type(value) is not str:
                raise _not_a_string(key, value)
            return float(value)
        if key == "@ref":
            if for_models and type(value) is dict:
                if value.get("exists", True) is False:
                    return None
                if type(value.get("coll")) is str:
                    value = {**value, "coll": module_named(value["coll"])}
            if type(value) is dict and len(value) == 2:
                ref_id, coll = value.get("id"), value.get("coll")
                if type(ref_id) is str and type(coll) is Module:
                    # ``DocumentReference._trusted``, inlined.
                    ref = new_reference(DocumentReference)
                    ref._collection = coll
                    ref._id = ref_id
                    return ref
            return _reference(value)
        if key == "@date" and type(value) is str:
            try:
                return from_iso_date(value)
            except ValueError:
                pass
        convert = all_tags.get(key)
        if convert is None:
            if key == "@object":
                raise _Escaped
            return obj
        return convert(value)

    return hook


def _loads_escaped(text: str | bytes | bytearray) -> Any:
    # The careful path, for the rare body that holds ``@object`` or a malformed tag.
    # ``object_hook`` runs bottom-up, once per JSON object, so a tag's value is already decoded
    # when the tag is seen. The exception is ``@object``: its content's keys are literal, yet the
    # content went through the hook first. That content is always the object completed just
    # before the ``@object`` one, so the hook remembers the last tag it converted and the raw
    # object it came from, and ``@object`` takes the raw one back. For the same reason a tag that
    # fails to convert is only an error once it is clear that no ``@object`` holds it. The
    # converters never modify the raw objects, so taking one back is safe.
    last_raw: Any = None
    last_result: Any = None
    failure: tuple[dict[str, Any], Exception] | None = None

    def hook(obj: dict[str, Any]) -> Any:
        nonlocal last_raw, last_result, failure
        if len(obj) != 1:
            if failure is not None:
                raise failure[1]
            return obj
        if failure is not None:
            if obj.get("@object") is not failure[0]:
                raise failure[1]
            failure = None
        ((key, value),) = obj.items()
        convert = _ALL_TAGS.get(key)
        try:
            if convert is not None:
                result: Any = convert(value)
            elif key != "@object":
                return obj
            # The content is the raw form of the tag converted just before, if any.
            elif value is last_result and last_raw is not None:
                result = last_raw
            elif type(value) is dict:
                result = value
            else:
                raise _not_an_object(value)
        except ValueError as error:
            failure = (obj, error)
            result = obj
        last_raw = obj
        last_result = result
        return result

    decoded = json.loads(text, object_hook=hook)
    if failure is not None:
        raise failure[1]
    return decoded


class PlainDocument(dict):  # type: ignore[type-arg]
    """A document as ``loads_for_models`` decodes it: its fields with ``id`` (or ``name``),
    ``coll`` (the collection's name) and ``ts``, every value already plain."""

    __slots__ = ()


def loads_for_models(text: str | bytes | bytearray) -> Any:
    """``loads`` for a result that goes to pydantic models: documents as ``PlainDocument``,
    modules as their names, references to missing documents as ``None``.

    That is the form ``into=Model`` hands pydantic, made while parsing instead of in a walk
    over the decoded result afterwards. Sets (``Page``), references, times and the rest
    decode as ``loads`` has them. ``None`` for a body that needs the careful path (``@object``)
    or is malformed: the caller then decodes it with ``loads``.
    """
    try:
        return json.loads(text, object_hook=_plain_hook(for_models=True))
    except (_Escaped, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        return None


class FaunaDecoder:
    """Decodes FaunaDB's tagged format into Python values; see the module docstring."""

    @staticmethod
    def decode(obj: Any) -> Any:
        """Decode already-parsed tagged JSON (dicts, lists, scalars)."""
        return _decode(obj)

    @staticmethod
    def loads(text: str | bytes | bytearray) -> Any:
        """``json.loads`` and ``decode`` in one faster pass; raises ``ValueError`` (including
        ``json.JSONDecodeError``) for invalid JSON or a malformed tag."""
        return _loads(text)

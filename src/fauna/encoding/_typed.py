"""Decoded results into user types: the engine behind ``into=T``.

``IntoType(T)`` compiles ``T`` once into a converter (cached per type) and ``convert(value)``
returns a ``T`` built from a value as ``FaunaDecoder`` made it, or raises ``ResultTypeError``
naming the path of the first value that does not fit (``$.data[3].age: expected int, got str``).
An ``into`` type the engine cannot handle is a ``TypeError`` at once, before any query is sent.

What ``T`` may be:

- ``Any``/``object`` (anything), ``None``, ``bool``, ``int``, ``float`` (an int is widened),
  ``str`` (a ``Module`` gives its name, so ``coll: str`` works), ``bytes``, ``datetime`` (the
  decoder's ``FaunaTime``, nanoseconds kept), ``date``, ``UUID`` (or its string), ``Enum``
  classes (from their values), ``Literal[...]``;
- ``list[T]``/``Sequence[T]``, ``tuple[T, ...]``/``tuple[A, B]``, ``set[T]``/``frozenset[T]``,
  ``dict[K, V]``/``Mapping[K, V]``, unions and ``Optional`` (arms tried in order),
  ``Annotated`` (metadata ignored), ``NewType``;
- dataclasses and ``TypedDict`` classes, filled from an object or a document: a document offers
  its ``id`` (or ``name``), ``coll``, ``ts`` and data fields by name; unknown fields are ignored,
  a missing required one is an error;
- pydantic v2 models: documents and modules are flattened to plain values and the model's own
  ``model_validate`` does the rest (for a list of them, one ``TypeAdapter(list[Model])``
  call), so its validators run. For ``Model``, ``list[Model]`` and ``Page[Model]``
  (``IntoType.for_models``) a client decodes the response in that flat form as it parses it
  (``decoder.loads_for_models``: ``PlainDocument`` values need no flattening), the same
  result for less work;
- the driver's models (``Document``, ``NamedDocument``, ``DocumentReference``, ``Module``,
  ``Page``, ``NullDocument``, ...), checked as they are; a document also fits a
  ``DocumentReference``; ``Page[T]`` converts the items of a set's page;
- any type given a ``decode`` with ``fauna.encoding.register_codec``, and any other class,
  which a value fits when it is an instance of it.

A ``NullDocument`` (a read of a missing document) fits ``None``, so ``Optional[Person]`` reads
one as ``None``. Not here: the wire format (``decoder``) and the client plumbing
(``fauna.client._typed``).
"""

from __future__ import annotations

import collections.abc as abc
import dataclasses
import enum
import sys
import types
import typing
import uuid
import weakref
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from fauna.encoding import _registry
from fauna.encoding.decoder import PlainDocument
from fauna.query.fauna_time import FaunaTime
from fauna.query.models import (
    Document,
    DocumentReference,
    Module,
    NamedDocument,
    NullDocument,
    Page,
)

__all__ = ["IntoType", "decode_into", "describe"]

T = TypeVar("T")
Converter = Callable[[Any], Any]


class _Mismatch(Exception):
    """A value that does not fit; containers add their path segment as it passes them."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.segments: list[str] = []

    def at(self, segment: str) -> _Mismatch:
        self.segments.append(segment)
        return self

    @property
    def path(self) -> str:
        return "$" + "".join(reversed(self.segments))


def _expected(expected: str, value: Any) -> _Mismatch:
    if isinstance(value, Page):
        return _Mismatch(
            f"expected {expected}, got Page (a set: paginate(q, into=T) gives its items as T, "
            "or end the query with .toArray())"
        )
    return _Mismatch(f"expected {expected}, got {_kind(value)}")


def _kind(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _key_segment(key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return "." + key
    return f"[{key!r}]"


def describe(tp: Any) -> str:
    """A short readable name for an ``into`` type: ``Person``, ``list[Person]``, ``int | None``."""
    if tp is None or tp is type(None):
        return "None"
    if tp is Any:
        return "Any"
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(describe(arg) for arg in args)
    if origin is typing.Literal:
        return "Literal[" + ", ".join(repr(arg) for arg in args) + "]"
    if origin is typing.Annotated:
        return describe(args[0])
    if origin is not None:
        name = getattr(origin, "__name__", None) or repr(origin).replace("typing.", "")
        if not args:
            return str(name)
        return f"{name}[" + ", ".join("..." if a is Ellipsis else describe(a) for a in args) + "]"
    if isinstance(tp, type):
        return tp.__name__
    return repr(tp).replace("typing.", "")


# -- compiling ------------------------------------------------------------------------------

_cache: dict[Any, Converter] = {}
_registry.on_change(_cache.clear)


def converter_for(tp: Any) -> Converter:
    """The (cached) converter for ``tp``; ``TypeError`` if ``tp`` is not a supported type."""
    # Unions compare equal whatever their order (``int | str == str | int``), but the order
    # is the order arms are tried in; the repr tells them apart.
    key = (tp, repr(tp))
    try:
        return _cache[key]
    except KeyError:
        pass
    except TypeError:
        # An unhashable annotation (Annotated with a list in it): compile, do not cache.
        return _compile(tp)
    converter = _compile(tp)
    _cache[key] = converter
    return converter


def _identity(value: Any) -> Any:
    return value


def _compile(tp: Any) -> Converter:
    if tp is Any or tp is object:
        return _identity
    if tp is None or tp is type(None):
        return _to_none
    if isinstance(tp, type):
        codec = _registry.registered_codec(tp)
        if codec is not None and codec.decode is not None:
            return _custom(tp, codec.decode)
    origin = typing.get_origin(tp)
    if origin is not None:
        return _compile_generic(tp, origin, typing.get_args(tp))
    if isinstance(tp, typing.NewType):
        return converter_for(tp.__supertype__)
    if isinstance(tp, TypeVar):
        return converter_for(tp.__bound__) if tp.__bound__ is not None else _identity
    alias_type = getattr(typing, "TypeAliasType", None)
    if alias_type is not None and isinstance(tp, alias_type):
        return converter_for(tp.__value__)
    if isinstance(tp, type):
        return _compile_class(tp)
    raise TypeError(
        f"'into' must be a type such as Person, list[Person] or Person | None; "
        f"cannot convert results into {tp!r}"
    )


def _compile_generic(tp: Any, origin: Any, args: tuple[Any, ...]) -> Converter:
    if origin is typing.Annotated:
        return converter_for(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return _union(tp, args)
    if origin is typing.Literal:
        return _literal(tp, args)
    if origin in (list, abc.Sequence, abc.MutableSequence, abc.Collection, abc.Iterable):
        return _sequence(list, converter_for(args[0]) if args else _identity)
    if origin in (set, frozenset, abc.Set, abc.MutableSet):
        kind = frozenset if origin is frozenset else set
        return _sequence(kind, converter_for(args[0]) if args else _identity)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(tuple, converter_for(args[0]))
        return _fixed_tuple(tp, [converter_for(arg) for arg in args])
    if origin in (dict, abc.Mapping, abc.MutableMapping):
        key, item = (args[0], args[1]) if args else (Any, Any)
        return _mapping(converter_for(key), converter_for(item))
    if origin is Page:
        return _page(converter_for(args[0]) if args else _identity)
    if isinstance(origin, type):
        # A parametrised user generic (Box[int]): its class decides, type arguments unchecked.
        return converter_for(origin)
    raise TypeError(f"cannot convert results into {tp!r}: unsupported type annotation")


def _compile_class(cls: type) -> Converter:
    scalar = _SCALARS.get(cls)
    if scalar is not None:
        return scalar
    if issubclass(cls, enum.Enum):
        return _enum(cls)
    if typing.is_typeddict(cls):
        return _LazyPlan(cls, _typed_dict_plan)
    if dataclasses.is_dataclass(cls):
        return _LazyPlan(cls, _dataclass_plan)
    pydantic_base = _registry.pydantic_base_model()
    if pydantic_base is not None and issubclass(cls, pydantic_base):
        return _pydantic(cls)
    if cls is DocumentReference:
        return _document_reference
    if cls is Module:
        return _module
    if cls is FaunaTime:
        return _fauna_time
    return _instance_of(cls)


# -- scalars --------------------------------------------------------------------------------


def _to_none(value: Any) -> None:
    if value is None or isinstance(value, NullDocument):
        return None
    raise _expected("None", value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _expected("bool", value)


def _to_int(value: Any) -> int:
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise _expected("int", value)


def _to_float(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise _expected("float", value)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Module):
        return value.name
    raise _expected("str", value)


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise _expected("bytes", value)


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    raise _expected("datetime", value)


def _to_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _expected("date", value)


def _to_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            raise _Mismatch(f"expected UUID, got str {value!r}") from None
    raise _expected("UUID", value)


_SCALARS: dict[type, Converter] = {
    bool: _to_bool,
    int: _to_int,
    float: _to_float,
    str: _to_str,
    bytes: _to_bytes,
    datetime: _to_datetime,
    date: _to_date,
    uuid.UUID: _to_uuid,
}


def _fauna_time(value: Any) -> FaunaTime:
    if isinstance(value, FaunaTime):
        return value
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return FaunaTime.from_datetime(value)
    raise _expected("FaunaTime", value)


def _module(value: Any) -> Module:
    if isinstance(value, Module):
        return value
    if isinstance(value, str):
        return Module(value)
    raise _expected("Module", value)


def _document_reference(value: Any) -> DocumentReference:
    if isinstance(value, DocumentReference):
        return value
    if isinstance(value, Document):
        return DocumentReference(value.coll, value.id)
    raise _expected("DocumentReference", value)


def _instance_of(cls: type) -> Converter:
    name = cls.__name__

    def convert(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        raise _expected(name, value)

    _AS_IS[convert] = (cls,)
    return convert


# Types each converter returns a value of unchanged, so that hot loops (a page of documents)
# can skip the call for them: ``type(value) in _AS_IS[convert]`` means ``convert(value) is value``.
_AS_IS: weakref.WeakKeyDictionary[Converter, tuple[type, ...]] = weakref.WeakKeyDictionary()
_AS_IS[_to_bool] = (bool,)
_AS_IS[_to_int] = (int,)
_AS_IS[_to_float] = (float,)
_AS_IS[_to_str] = (str,)
_AS_IS[_to_datetime] = (datetime, FaunaTime)
_AS_IS[_to_date] = (date,)
_AS_IS[_to_uuid] = (uuid.UUID,)
_AS_IS[_fauna_time] = (FaunaTime,)
_AS_IS[_module] = (Module,)
_AS_IS[_document_reference] = (DocumentReference,)


def _enum(cls: type[enum.Enum]) -> Converter:
    def convert(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ValueError:
            raise _Mismatch(f"expected a {cls.__name__} value, got {value!r}") from None

    _AS_IS[convert] = (cls,)
    return convert


def _literal(tp: Any, allowed: tuple[Any, ...]) -> Converter:
    name = describe(tp)

    def convert(value: Any) -> Any:
        for option in allowed:
            # ``True == 1``: the type must match too.
            if value == option and type(value) is type(option):
                return value
        raise _Mismatch(f"expected {name}, got {value!r}")

    return convert


def _custom(cls: type, decode: Callable[[Any], Any]) -> Converter:
    def convert(value: Any) -> Any:
        try:
            return decode(value)
        except (TypeError, ValueError) as error:
            raise _Mismatch(f"expected {cls.__name__}, got {_kind(value)} ({error})") from None

    return convert


# -- containers ------------------------------------------------------------------------------


def _union(tp: Any, args: tuple[Any, ...]) -> Converter:
    arms = [converter_for(arg) for arg in args]
    name = describe(tp)
    nullable = any(arg is None or arg is type(None) for arg in args)

    def convert(value: Any) -> Any:
        if nullable and (value is None or isinstance(value, NullDocument)):
            return None
        deepest: _Mismatch | None = None
        for arm in arms:
            try:
                return arm(value)
            except _Mismatch as mismatch:
                if deepest is None and mismatch.segments:
                    deepest = mismatch
        # An arm that got inside the value (Person | None given a Person with a bad age)
        # says more than "expected Person | None".
        if deepest is not None:
            raise deepest
        raise _expected(name, value)

    return convert


def _sequence(kind: Callable[[list[Any]], Any], item: Converter) -> Converter:
    name = getattr(kind, "__name__", "list")
    as_is = _AS_IS.get(item, ())
    models = _MODEL_LISTS.get(item) if kind is list else None

    def convert(value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _expected(name, value)
        if item is _identity:
            return kind(list(value))
        if models is not None:
            converted = models(value)
            if converted is not None:
                return converted
        items: list[Any] = []
        append = items.append
        try:
            if as_is:
                for element in value:
                    append(element if type(element) in as_is else item(element))
            else:
                each = item.compiled if type(item) is _LazyPlan else item
                for element in value:
                    append(each(element))
        except _Mismatch as mismatch:
            # Every element before the one that failed is in ``items``.
            raise mismatch.at(f"[{len(items)}]") from None
        return kind(items)

    return convert


def _fixed_tuple(tp: Any, items: list[Converter]) -> Converter:
    name = describe(tp)

    def convert(value: Any) -> Any:
        if not isinstance(value, (list, tuple)) or len(value) != len(items):
            raise _expected(name, value)
        converted = []
        for index, (element, item) in enumerate(zip(value, items, strict=True)):
            try:
                converted.append(item(element))
            except _Mismatch as mismatch:
                raise mismatch.at(f"[{index}]") from None
        return tuple(converted)

    return convert


def _page(item: Converter) -> Converter:
    items = _sequence(list, item)

    def convert(value: Any) -> Any:
        if not isinstance(value, Page):
            raise _Mismatch(f"expected Page, got {_kind(value)}")
        if value.data is None:
            return value
        try:
            return Page(data=items(value.data), after=value.after)
        except _Mismatch as mismatch:
            raise mismatch.at(".data") from None

    return convert


def _fields_of(value: Any, expected: str) -> dict[str, Any]:
    """The named fields ``value`` offers: an object's keys, or a document's metadata and data."""
    kind = type(value)
    if kind is dict:
        fields: dict[str, Any] = value
        return fields
    # The exact classes first: their fields are read straight from the store, not through
    # the Mapping protocol (a subclass may override that, so it goes the long way).
    if kind is Document:
        return {"id": value._id, "coll": value._coll, "ts": value._ts, **value._store}
    if kind is NamedDocument:
        return {"name": value._name, "coll": value._coll, "ts": value._ts, **value._store}
    if isinstance(value, Document):
        return {"id": value.id, "coll": value.coll, "ts": value.ts, **value}
    if isinstance(value, NamedDocument):
        return {"name": value.name, "coll": value.coll, "ts": value.ts, **value}
    if isinstance(value, typing.Mapping):
        return dict(value)
    raise _expected(expected, value)


def _mapping(key: Converter, item: Converter) -> Converter:
    def convert(value: Any) -> Any:
        fields = _fields_of(value, "object")
        if key is _identity and item is _identity:
            return dict(fields)
        converted = {}
        for name, element in fields.items():
            try:
                converted[key(name)] = item(element)
            except _Mismatch as mismatch:
                raise mismatch.at(_key_segment(name)) from None
        return converted

    return convert


class _Field(typing.NamedTuple):
    name: str
    convert: Converter
    required: bool


class _LazyPlan:
    """A class converter whose field converters are compiled on first use.

    Being lazy lets a class refer to itself (``children: list[Node]``) without recursing
    forever at compile time, and names that only exist once the module finished loading
    (forward references) resolve by then.
    """

    def __init__(
        self, cls: type, plan: Callable[[type], tuple[list[_Field], Callable[..., Any]]]
    ) -> None:
        self._cls = cls
        self._plan = plan
        self._convert: Converter | None = None

    def __call__(self, value: Any) -> Any:
        if self._convert is None:
            fields, build = self._plan(self._cls)
            self._convert = _field_plan_function(self._cls.__name__, fields, build)
        return self._convert(value)

    @property
    def compiled(self) -> Converter:
        """The generated converter once there is one, else this (which compiles it when called).

        A loop over many values calls this, saving a call per value.
        """
        return self._convert or self


def _field_plan_function(name: str, fields: list[_Field], build: Callable[..., Any]) -> Converter:
    """One function that fills ``build``'s arguments from a value's fields, in field order.

    Generated (as ``dataclasses`` generates ``__init__``) so that a page of a thousand
    documents pays no per-field loop, and no call at all for a field whose value already has
    the type it needs (a ``str`` for ``str``). What it does is ``_fields_of`` and then, field
    by field: read the field; a missing one is an error if required, else left to the class's
    default; convert it, adding the field to the path of a mismatch. Then ``build`` with the
    fields, a refusal of which (``TypeError``/``ValueError`` from the class) is a mismatch too.
    A ``Document`` or ``NamedDocument`` is read in place: its fields first, then its metadata,
    as ``_fields_of`` would have merged them.
    """
    namespace: dict[str, Any] = {
        "_Mismatch": _Mismatch,
        "_MISSING": _MISSING,
        "Document": Document,
        "NamedDocument": NamedDocument,
        "fields_of": _fields_of,
        "build": build,
        "name": name,
        "missing": f"missing required field of {name}",
    }
    lines = [
        "def convert(value):",
        "    kind = type(value)",
        "    if kind is dict:",
        "        source = value",
        "    elif kind is Document or kind is NamedDocument:",
        "        source = value._store",
        "    else:",
        "        source = fields_of(value, name)",
        "        kind = dict",
    ]
    metadata = {
        "id": "kind is Document",
        "name": "kind is NamedDocument",
        "coll": "kind is not dict",
        "ts": "kind is not dict",
    }
    direct = build is not dict and all(field.required for field in fields)
    # Keys go in field order: the leading required fields in the dict literal, the rest after.
    literal: list[str] = []
    later: list[str] = []
    for index, field in enumerate(fields):
        var, convert, segment = f"a{index}", f"c{index}", f"s{index}"
        namespace[convert] = field.convert
        namespace[segment] = _key_segment(field.name)
        lines.append(f"    {var} = source.get({field.name!r}, _MISSING)")
        if field.name in metadata:
            lines.append(f"    if {var} is _MISSING and {metadata[field.name]}:")
            lines.append(f"        {var} = value._{field.name}")
        conditions = []
        if field.required:
            lines.append(f"    if {var} is _MISSING:")
            lines.append(f"        raise _Mismatch(missing).at({segment})")
        else:
            conditions.append(f"{var} is not _MISSING")
        if field.convert is not _identity:
            as_is = _AS_IS.get(field.convert, ())
            if len(as_is) == 1:
                namespace[f"t{index}"] = as_is[0]
                conditions.append(f"type({var}) is not t{index}")
            elif as_is:
                namespace[f"t{index}"] = as_is
                conditions.append(f"type({var}) not in t{index}")
            indent = "    "
            if conditions:
                lines.append(f"    if {' and '.join(conditions)}:")
                indent = "        "
            lines.append(f"{indent}try:")
            lines.append(f"{indent}    {var} = {convert}({var})")
            lines.append(f"{indent}except _Mismatch as mismatch:")
            lines.append(f"{indent}    raise mismatch.at({segment}) from None")
        if direct:
            literal.append(f"{field.name}={var}")
        elif field.required and not later:
            literal.append(f"{field.name!r}: {var}")
        elif field.required:
            later.append(f"    arguments[{field.name!r}] = {var}")
        else:
            later.append(f"    if {var} is not _MISSING:")
            later.append(f"        arguments[{field.name!r}] = {var}")
    if direct:
        # Every field is there: keyword arguments, with no dict to build and unpack.
        call = "build(" + ", ".join(literal) + ")"
    else:
        lines.append("    arguments = {" + ", ".join(literal) + "}")
        lines.extend(later)
        call = "build(**arguments)"
    if build is dict:
        lines.append("    return arguments")
    else:
        lines.append("    try:")
        lines.append(f"        return {call}")
        lines.append("    except (TypeError, ValueError) as error:")
        lines.append('        raise _Mismatch(f"{name}(...) refused the value: {error}") from None')
    exec("\n".join(lines), namespace)
    function: Converter = namespace["convert"]
    return function


_MISSING: Any = object()


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except NameError as error:
        raise TypeError(f"cannot convert results into {cls.__name__}: {error}") from None


def _dataclass_plan(cls: type) -> tuple[list[_Field], Callable[..., Any]]:
    hints = _hints(cls)
    fields = [
        _Field(
            field.name,
            converter_for(hints.get(field.name, Any)),
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING,
        )
        for field in dataclasses.fields(cls)
        if field.init
    ]
    return fields, cls


def _typed_dict_plan(cls: type) -> tuple[list[_Field], Callable[..., Any]]:
    try:
        hints = typing.get_type_hints(cls)
    except NameError as error:
        raise TypeError(f"cannot convert results into {cls.__name__}: {error}") from None
    required: frozenset[str] = getattr(cls, "__required_keys__", frozenset(hints))
    fields = [_Field(name, converter_for(tp), name in required) for name, tp in hints.items()]
    return fields, dict


def _pydantic(cls: type) -> Converter:
    validate = typing.cast(Any, cls).model_validate

    def convert(value: Any) -> Any:
        pydantic = sys.modules["pydantic"]
        try:
            return validate(_plain_for_pydantic(value))
        except pydantic.ValidationError as error:
            raise _pydantic_mismatch(error) from None

    # Lists go to pydantic in one call, unless the model has a model_validate of its own.
    own = getattr(_registry.pydantic_base_model(), "model_validate", None)
    if getattr(validate, "__func__", None) is getattr(own, "__func__", _MISSING):
        _MODEL_LISTS[convert] = _pydantic_list(cls)
    return convert


def _pydantic_mismatch(error: Any) -> _Mismatch:
    first = error.errors()[0]
    mismatch = _Mismatch(f"{first['msg']}, got {_kind(first.get('input'))}")
    for part in reversed(first.get("loc", ())):
        mismatch.at(f"[{part}]" if isinstance(part, int) else _key_segment(part))
    return mismatch


def _pydantic_list(cls: type) -> Callable[[Any], list[Any] | None]:
    """A list of values into ``cls`` in one call to a ``TypeAdapter(list[cls])``.

    What ``_pydantic``'s converter does to each value (the same flattening, the same
    validation, the same path to the first error: pydantic's ``loc`` starts with the index),
    minus a call per value. ``None`` when pydantic cannot build the adapter; the caller then
    converts value by value.
    """
    adapters: list[Any] = []

    def convert(values: Any) -> list[Any] | None:
        pydantic = sys.modules["pydantic"]
        if not adapters:
            try:
                adapters.append(pydantic.TypeAdapter(list[cls]))  # type: ignore[valid-type]
            except Exception:
                adapters.append(None)
        adapter = adapters[0]
        if adapter is None:
            return None
        plain = _plain_list(values if type(values) is list else list(values))
        try:
            converted: list[Any] = adapter.validate_python(plain)
        except pydantic.ValidationError as error:
            raise _pydantic_mismatch(error) from None
        return converted

    return convert


# The converters of pydantic models whose lists ``_sequence`` hands to ``_pydantic_list``.
_MODEL_LISTS: weakref.WeakKeyDictionary[Converter, Callable[[Any], list[Any] | None]] = (
    weakref.WeakKeyDictionary()
)


def _plain_for_pydantic(value: Any) -> Any:
    """``value`` with documents as objects, modules as names and null documents as None."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    # The common exact types before the isinstance chain (documents are Mappings, and an
    # isinstance check against an ABC is slow); each gets what the chain would give it.
    if kind is Document:
        return _plain_document("id", value._id, value)
    if kind is NamedDocument:
        return _plain_document("name", value._name, value)
    if kind is Module:
        return value.name
    if kind is dict:
        return _plain_fields(dict(value))
    if kind is list:
        return _plain_list(value)
    if isinstance(value, (Document, NamedDocument)):
        return _plain_fields(_fields_of(value, "object"))
    if isinstance(value, Module):
        return value.name
    if isinstance(value, NullDocument):
        return None
    if isinstance(value, Page):
        return {"data": _plain_for_pydantic(value.data), "after": value.after}
    return value


def _plain_list(values: list[Any]) -> list[Any]:
    """A new list of ``values`` made plain; the check that all already are runs in C."""
    if _PLAIN.issuperset(map(type, values)):
        return values.copy()
    return [v if type(v) in _PLAIN else _plain_for_pydantic(v) for v in values]


def _plain_document(key_field: str, key: str, document: Any) -> dict[str, Any]:
    """What ``_plain_fields(_fields_of(document))`` gives for an exact ``Document`` or
    ``NamedDocument``: the metadata first, its fields after (a field of the same name wins).

    Read from the document's own slots into one dict literal, then one pass over the fields
    for the few that need flattening: on a page of a thousand documents this is most of the
    time ``into=Page[Model]`` spends outside pydantic.
    """
    coll = document._coll
    store: dict[str, Any] = document._store
    fields = {
        key_field: key,
        "coll": coll.name if type(coll) is Module else _plain_for_pydantic(coll),
        "ts": document._ts,
        **store,
    }
    for name, item in store.items():
        kind = type(item)
        if kind in _PLAIN or (kind is list and _PLAIN.issuperset(map(type, item))):
            # A list of plain values goes as it is: pydantic builds the model's own list from
            # it (as it does from any input), and one allocation less per document is fewer
            # collections of the garbage collector, which on a page is a good part of the cost.
            continue
        fields[name] = _plain_for_pydantic(item)
    return fields


def _plain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` (a new dict) with its values made plain, in place: most already are."""
    for key, item in fields.items():
        kind = type(item)
        if kind not in _PLAIN:
            fields[key] = item.name if kind is Module else _plain_for_pydantic(item)
    return fields


# Values ``_plain_for_pydantic`` gives back as they are: skipping the call for them is most of
# the work on a page of documents.
_PLAIN = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        datetime,
        FaunaTime,
        date,
        DocumentReference,
        # A document already decoded for pydantic, whose values are all plain.
        PlainDocument,
    }
)


# -- the public face -------------------------------------------------------------------------


class IntoType(Generic[T]):
    """``into`` compiled once: ``convert`` turns decoded values into it.

    Construction raises ``TypeError`` for a type the engine cannot handle, so a client can
    refuse a bad ``into`` before sending anything.
    """

    __slots__ = ("_convert", "for_models", "into", "name")

    def __init__(self, into: Any) -> None:
        self.into = into
        self.name = describe(into)
        self._convert = converter_for(into)
        self.for_models = _for_models(into)

    def convert(self, value: Any, raw: Any = None) -> T:
        """``value`` as a ``T``; ``ResultTypeError`` (carrying ``raw``, else ``value``) if not."""
        try:
            converted: T = self._convert(value)
        except _Mismatch as mismatch:
            # Imported here: fauna.errors imports fauna.encoding, which imports this module.
            from fauna.errors import ResultTypeError

            raise ResultTypeError(
                mismatch.path,
                f"{mismatch.problem} (converting into {self.name})",
                self.into,
                value if raw is None else raw,
            ) from None
        return converted


def _for_models(into: Any) -> bool:
    """Whether results for ``into`` go to pydantic as a whole: a model, or a list or ``Page``
    of one. A client then decodes them for pydantic as it parses them
    (``decoder.loads_for_models``), which spares the flattening walk; the result is the same.
    """
    pydantic_base = _registry.pydantic_base_model()
    if pydantic_base is None:
        return False
    origin = typing.get_origin(into)
    if origin is list or origin is Page:
        args = typing.get_args(into)
        into = args[0] if len(args) == 1 else None
    if not isinstance(into, type) or not issubclass(into, pydantic_base):
        return False
    # A codec registered for the model decodes it instead of pydantic: it gets documents.
    codec = _registry.registered_codec(into)
    return codec is None or codec.decode is None


def decode_into(value: Any, into: type[T]) -> T:
    """Convert an already decoded value (a ``Document``, a dict, a list, ...) into ``into``.

    The conversion ``client.query(q, into=T)`` applies to the result's data; see the module
    docstring for what ``into`` may be. Raises ``ResultTypeError`` when ``value`` does not fit.
    """
    return IntoType[T](into).convert(value)

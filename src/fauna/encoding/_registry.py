"""Codecs for user types, and the wire form of user classes the encoder knows by shape.

``register_codec(Money, encode=..., decode=...)`` teaches the driver a type it does not know:
``encode`` turns a value into something the encoder handles (a str, a dict, ...) whenever one
appears in an ``fql`` template or argument; ``decode`` builds the value back from the decoded
result when ``Money`` appears in an ``into`` type. Both directions use this one table.

Without a codec, the encoder also accepts dataclass instances and pydantic models (as objects of
their fields) and ``Enum`` members (as their value; see ``fauna.encoding.encoder``). pydantic is
never imported here: a model can only exist once the user imported pydantic.

Not here: the conversion of results into types (``fauna.encoding._typed``).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Codec", "register_codec", "registered_codec", "unregister_codec"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Codec(Generic[T]):
    """How values of ``cls`` go into queries (``encode``) and come out of results (``decode``)."""

    cls: type[T]
    encode: Callable[[T], Any] | None = None
    decode: Callable[[Any], T] | None = None


_codecs: dict[type, Codec[Any]] = {}
# Called after every change, so caches built from the table (compiled ``into`` converters)
# never serve a stale codec.
_listeners: list[Callable[[], None]] = []


def register_codec(
    cls: type[T],
    *,
    encode: Callable[[T], Any] | None = None,
    decode: Callable[[Any], T] | None = None,
) -> Codec[T]:
    """Teach the driver ``cls``: ``encode`` for queries, ``decode`` for ``into`` results.

    ``encode(value)`` must return something the encoder already handles (str, int, dict, list,
    another registered type, ...). ``decode(decoded)`` gets the value as FaunaDB's decoder made
    it (a str, a dict, a ``Document``, ...) and returns a ``cls``; a ``TypeError`` or
    ``ValueError`` it raises becomes a ``ResultTypeError`` naming the path. Encoding also
    applies to subclasses of ``cls``; decoding applies where ``into`` names ``cls`` itself.
    Registering ``cls`` again replaces its codec. Types the driver handles itself (str, int,
    float, bool, None, list, tuple, dict, datetime, date, bytes, UUID and the ``fauna.query``
    models) keep their own wire form.

    Example::

        register_codec(Decimal, encode=str, decode=Decimal)
    """
    if not isinstance(cls, type):
        raise TypeError(f"register_codec() needs a class, not {cls!r}")
    if encode is None and decode is None:
        raise TypeError("register_codec() needs 'encode', 'decode' or both")
    codec = Codec(cls, encode, decode)
    _codecs[cls] = codec
    _changed()
    return codec


def unregister_codec(cls: type) -> None:
    """Forget the codec of ``cls`` (no error if it had none)."""
    _codecs.pop(cls, None)
    _changed()


def registered_codec(cls: type) -> Codec[Any] | None:
    """The codec registered for exactly ``cls``, if any."""
    return _codecs.get(cls)


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever a codec is registered or removed."""
    _listeners.append(listener)


def _changed() -> None:
    for listener in _listeners:
        listener()


NOT_A_USER_VALUE: Any = object()
"""What ``user_value_form`` returns for a value it does not know."""


def user_value_form(value: Any) -> Any:
    """The form the encoder should encode instead of ``value``, or ``NOT_A_USER_VALUE``.

    A registered codec (looked up along the class's MRO) comes first, then dataclass instances
    (an object of their init fields, left shallow so the encoder sees nested values as they
    are) and pydantic models (``model_dump(by_alias=True)``, the shape ``model_validate``
    reads back).
    """
    kind = type(value)
    if _codecs:
        for base in kind.__mro__:
            codec = _codecs.get(base)
            if codec is not None and codec.encode is not None:
                return codec.encode(value)
    if dataclasses.is_dataclass(kind):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if _is_pydantic_model(value):
        return value.model_dump(by_alias=True)
    return NOT_A_USER_VALUE


def pydantic_base_model() -> type | None:
    """``pydantic.BaseModel`` if the user has imported pydantic, else ``None`` (never imports)."""
    module = sys.modules.get("pydantic")
    base = getattr(module, "BaseModel", None) if module is not None else None
    return base if isinstance(base, type) else None


def _is_pydantic_model(value: Any) -> bool:
    base = pydantic_base_model()
    return base is not None and isinstance(value, base)

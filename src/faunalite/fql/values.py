"""FQL runtime values, as the interpreter and the standard library see them.

Where a Python type means exactly one FQL type, the Python type is used directly, so the hot
paths stay cheap:

=================  ======================================================================
FQL                Python
=================  ======================================================================
Boolean            ``bool``
Int / Long         ``int`` (Int if it fits 32 bits, else Long; see ``number_kind``), or
                   ``Long`` for a Long whose value would fit an Int (``"5".parseLong()``).
                   Arithmetic normalises, as FaunaDB's ``Value.Number`` does. An integer
                   result that does not fit 64 bits becomes a ``float`` (no big integers).
Double             ``float``
String             ``str``
Bytes              ``bytes``
Array              ``list`` (never mutated once built: FQL arrays are immutable)
Object / Struct    ``dict[str, Value]`` (insertion ordered, never mutated once built)
=================  ======================================================================

Every other FQL type has a small class here. Types that need storage (documents, sets,
cursors, event sources) subclass the bases declared at the end, in their own modules.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeGuard

if TYPE_CHECKING:
    from faunalite.fql.span import Span

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

Value: TypeAlias = Any
"""Any FQL value (see the module docstring for the mapping)."""


@dataclass(frozen=True, slots=True)
class Null:
    """FQL ``null``. ``cause`` explains why it is null and only changes error messages.

    ``origin`` is where the null was created, for the ``Null value created here`` hint.
    All nulls are equal to each other whatever their cause.
    """

    cause: str | None = None
    origin: Span | None = field(default=None, compare=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Null)

    def __hash__(self) -> int:
        return hash(Null)

    def __bool__(self) -> bool:
        return False


NULL = Null()


@dataclass(frozen=True, slots=True, order=True)
class Time:
    """An instant with nanosecond precision, stored as nanoseconds since the Unix epoch (UTC)."""

    epoch_ns: int


@dataclass(frozen=True, slots=True, order=True)
class Date:
    """A calendar date, stored as days since 1970-01-01."""

    epoch_days: int


class TransactionTime:
    """Placeholder for the commit time of the running transaction (``TransactionTime()``)."""

    __slots__ = ()
    _instance: ClassVar[TransactionTime | None] = None

    def __new__(cls) -> TransactionTime:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "TransactionTime()"


TRANSACTION_TIME = TransactionTime()


@dataclass(frozen=True, slots=True, order=True)
class ID:
    """A 64-bit document id. Renders as a string of digits."""

    value: int


@dataclass(frozen=True, slots=True, order=True)
class UUIDValue:
    """A UUID (no FQL constructor; appears in v4-interop data)."""

    value: uuid.UUID


@dataclass(frozen=True, slots=True)
class Module:
    """A named singleton: a stdlib module (``Math``, ``Time``) or a collection (``Book``).

    Modules compare by name. Members are resolved by the interpreter from the stdlib tables
    (or, for collections, from the database schema), not stored here.
    """

    name: str


class Function:
    """Base of callable values: lambdas, native functions and user-defined functions."""

    __slots__ = ()

    @property
    def display_name(self) -> str:
        raise NotImplementedError


@dataclass(eq=False, slots=True)
class Lambda(Function):
    """A user-written function ``(a, b) => body`` with the variables it closed over.

    ``params`` are the parameter names (``None`` for an ignored ``_``); ``variadic`` is the
    name of the ``...rest`` parameter if any. ``body`` is an AST node and ``closure`` the
    interpreter's environment at creation; both are opaque to the stdlib.
    """

    params: list[str | None]
    variadic: str | None
    body: Any
    closure: Any
    span: Span | None = None

    @property
    def arity(self) -> int:
        return len(self.params)

    @property
    def display_name(self) -> str:
        return "<lambda>"


@dataclass(eq=False, slots=True)
class NativeFunction(Function):
    """A built-in function or a method bound to its receiver (``[1,2].map``).

    ``impl(ctx, *args)`` does the work; ``ctx`` is the interpreter's ``CallContext``.
    ``arity`` is ``None`` for variadic functions; otherwise the allowed argument counts.
    """

    name: str
    impl: Callable[..., Value]
    arity: tuple[int, ...] | None = None

    @property
    def display_name(self) -> str:
        return f"{self.name}()"


class StorageValue:
    """Base of values backed by storage: documents, sets, cursors, event sources.

    They are defined by the data-model layer; the core language only needs to know their
    FQL type name for errors and their rank in the total order.
    """

    __slots__ = ()
    fql_type_name: ClassVar[str] = "Any"
    order_rank: ClassVar[int] = 18


class Long(int):
    """An FQL Long whose value would also fit an Int.

    FaunaDB keeps the representation a number was made with: ``"5".parseLong()`` is a Long
    (``{"@long": "5"}`` on the wire, ``isa Long``) although 5 fits 32 bits. Python arithmetic on
    it gives a plain ``int``, which is FaunaDB's normalisation (``Value.Number``) for free, and
    it is stored as a plain integer, as FaunaDB's storage (``LongV``) reads back normalised.
    Integers beyond 32 bits need no wrapper: a plain ``int`` there is already a Long.
    """

    __slots__ = ()


def is_int(value: Value) -> TypeGuard[int]:
    """True for FQL Int and Long (a Python ``int`` that is not a ``bool``)."""
    t = type(value)
    return t is int or t is Long


def is_number(value: Value) -> bool:
    t = type(value)
    return t is int or t is float or t is Long


def number_kind(value: int) -> str:
    """``"Int"`` if the integer is an Int (fits 32 bits and is not a ``Long``), else ``"Long"``."""
    if type(value) is Long:
        return "Long"
    return "Int" if INT32_MIN <= value <= INT32_MAX else "Long"


def normalize_int(value: int) -> int | float:
    """An integer result as FaunaDB keeps it: itself within 64 bits, else a Double."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return float(value)


def type_name(value: Value) -> str:
    """The type name FaunaDB shows in error messages (``Int``, ``String``, ``Array<Any>``...)."""
    t = type(value)
    if t is bool:
        return "Boolean"
    if t is int or t is Long:
        return number_kind(value)
    if t is float:
        return "Double"
    if t is str:
        return "String"
    if t is list:
        return "Array<Any>"
    if t is dict:
        return "{ *: Any }"
    if t is bytes:
        return "Bytes"
    if isinstance(value, Null):
        return "Null"
    if t is Time:
        return "Time"
    if t is Date:
        return "Date"
    if t is TransactionTime:
        return "TransactionTime"
    if t is ID:
        return "ID"
    if t is UUIDValue:
        return "UUID"
    if t is Module:
        return str(value.name)
    if t is Lambda:
        return "Lambda"
    if isinstance(value, Function):
        return "Function"
    if isinstance(value, StorageValue):
        return value.fql_type_name
    return "Any"

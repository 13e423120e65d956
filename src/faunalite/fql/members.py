"""Finding the members of a value: fields, methods, ``[]`` access and ``isa`` membership.

This is the lookup half of method-chain evaluation, kept apart from the interpreter so the
rules are in one place:

* Objects have no methods: ``obj.x`` is always the key ``x``.
* Modules (``Math``, ``Array``, a collection) answer from their static table in ``MODULES``
  or, for storage modules, from the table the storage hooks give. ``FQL.X`` is the built-in
  global ``X``.
* Every other value answers from ``PROTOTYPES[type(value)]``: a field runs its resolver, a
  method becomes a function value bound to the receiver. Storage values may add dynamic
  fields with ``fql_get_field(name) -> Value | None``.

Nothing here raises for a missing member: callers get ``MISSING`` and decide (a missing field
is a null, a missing method an error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from faunalite.fql.errors import Hint, QueryError
from faunalite.fql.span import Span
from faunalite.fql.stdlib.args import expect_int, expect_string
from faunalite.fql.stdlib.registry import (
    GLOBAL_FUNCTIONS,
    MODULES,
    PROTOTYPES,
    CallContext,
    NativeMethod,
    TypeTable,
)
from faunalite.fql.values import (
    ID,
    Date,
    Function,
    Module,
    NativeFunction,
    Null,
    StorageValue,
    Time,
    TransactionTime,
    UUIDValue,
    Value,
    is_int,
    is_number,
    number_kind,
)


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Marker for "this value has no such member"."""

ModuleTables = Callable[[str], "TypeTable | None"]


@dataclass(eq=False, slots=True)
class BoundMethod(NativeFunction):
    """A native method taken as a value (``"ab".toUpperCase``): remembers its receiver."""

    receiver: Value = None
    method: NativeMethod | None = None


def bind_method(method: NativeMethod, receiver: Value) -> BoundMethod:
    def call(ctx: object, *args: Value) -> Value:
        return method.impl(ctx, receiver, *args)

    return BoundMethod(method.name, call, method.arity, receiver, method)


def global_function(name: str) -> NativeFunction | None:
    """The global function ``name`` (``abort``, ``log``...) as a function value."""
    method = GLOBAL_FUNCTIONS.get(name)
    if method is None:
        return None
    return bind_method(method, Null())


def builtin_global(name: str) -> Value:
    """A built-in global by name (function or stdlib module), or ``MISSING``."""
    function = global_function(name)
    if function is not None:
        return function
    if name in MODULES:
        return Module(name)
    return MISSING


def module_table(module: Module, storage_tables: ModuleTables | None) -> TypeTable | None:
    table = MODULES.get(module.name)
    if table is None and storage_tables is not None:
        table = storage_tables(module.name)
    return table


def find_method(
    value: Value, name: str, storage_tables: ModuleTables | None
) -> NativeMethod | None:
    """The native method ``name`` of ``value``'s type (never for plain objects)."""
    kind = type(value)
    if kind is dict:
        return None
    table = module_table(value, storage_tables) if kind is Module else PROTOTYPES.get(kind)
    if table is None:
        return None
    return table.methods.get(name)


def read_member(value: Value, name: str, storage_tables: ModuleTables | None) -> Value:
    """``value.name`` as FaunaDB resolves it, or ``MISSING`` if ``value`` has no such member.
    ``value`` must not be null (null access is the caller's error)."""
    kind = type(value)
    if kind is dict:
        return value.get(name, MISSING)
    if kind is Module:
        if value.name == "FQL":
            return builtin_global(name)
        table = module_table(value, storage_tables)
    else:
        table = PROTOTYPES.get(kind)
    if table is not None:
        resolver = table.fields.get(name)
        if resolver is not None:
            return resolver(value)
        method = table.methods.get(name)
        if method is not None:
            return bind_method(method, value)
    dynamic = getattr(value, "fql_get_field", None)
    if dynamic is not None:
        result = dynamic(name)
        return MISSING if result is None else result
    return MISSING


def callable_module(value: Value, storage_tables: ModuleTables | None) -> NativeMethod | None:
    """What calling ``value`` does if it is a callable module (``Time("...")``)."""
    if type(value) is not Module:
        return None
    table = module_table(value, storage_tables)
    return table.apply if table is not None else None


# -- isa --------------------------------------------------------------------------------------


_CORE_MEMBERSHIP: dict[str, Callable[[Value], bool]] = {
    "Number": is_number,
    "Int": lambda v: is_int(v) and number_kind(v) == "Int",
    "Long": lambda v: is_int(v) and number_kind(v) == "Long",
    "Double": lambda v: type(v) is float,
    "Float": lambda v: type(v) is float,
    "String": lambda v: type(v) is str,
    "Boolean": lambda v: type(v) is bool,
    "Null": lambda v: isinstance(v, Null),
    "Bytes": lambda v: type(v) is bytes,
    "Time": lambda v: type(v) is Time,
    "Date": lambda v: type(v) is Date,
    "TransactionTime": lambda v: type(v) is TransactionTime,
    "UUID": lambda v: type(v) is UUIDValue,
    "ID": lambda v: type(v) is ID,
    "Array": lambda v: type(v) is list,
    "Struct": lambda v: type(v) is dict,
    "Object": lambda v: type(v) is dict,
    "Function": lambda v: isinstance(v, Function),
    # Sets are defined by the data model; rank 13 in the total order is exactly the Set kind.
    "Set": lambda v: isinstance(v, StorageValue) and v.order_rank == 13,
}


def core_membership(value: Value, module_name: str) -> bool | None:
    """``value isa <module_name>`` for the modules the core language defines, else ``None``."""
    test = _CORE_MEMBERSHIP.get(module_name)
    return None if test is None else test(value)


def missing_field(name: str, origin: Span | None) -> Null:
    """The null of reading a field that does not exist (``Null value, due to missing field``)."""
    return Null(f"missing field `{name}`", origin)


def null_origin_hint(value: Null) -> list[Hint]:
    return [Hint("hint", "Null value created here", value.origin)] if value.origin else []


def invalid_null_access(name: str, value: Null, span: Span) -> QueryError:
    """``Cannot access `name` on null.`` with the hint pointing where the null came from."""
    return QueryError(
        "invalid_null_access",
        f"Cannot access `{name}` on null.",
        span,
        hints=null_origin_hint(value),
    )


# -- [] access ----------------------------------------------------------------------------------


def _access_array(ctx: CallContext, receiver: list[Value], index: Value) -> Value:
    position = expect_int(index, "index")
    if position < 0 or position >= len(receiver):
        raise QueryError(
            "index_out_of_bounds", f"index {position} out of bounds for length {len(receiver)}"
        )
    return receiver[position]


def _access_object(ctx: CallContext, receiver: dict[str, Value], key: Value) -> Value:
    name = expect_string(key, "key")
    if name in receiver:
        return receiver[name]
    return missing_field(name, getattr(ctx, "current_span", None))


# The signatures are FaunaDB's `access` types of arrays, objects and strings.
_ACCESS_BY_TYPE: dict[type, NativeMethod] = {
    list: NativeMethod("[]", _access_array, (1,), "<A> Number => A"),
    dict: NativeMethod("[]", _access_object, (1,), "String => Any"),
}
_STRING_ACCESS_SIGNATURE = "Number => String"


def access_method(value: Value) -> NativeMethod | None:
    """What ``value[...]`` does: a ``"[]"`` entry in the type's table, else the built-ins
    for arrays and objects, else the type's ``at`` method (strings)."""
    table = PROTOTYPES.get(type(value))
    if table is not None and "[]" in table.methods:
        return table.methods["[]"]
    builtin = _ACCESS_BY_TYPE.get(type(value))
    if builtin is not None:
        return builtin
    if table is not None and type(value) is str:
        at = table.methods.get("at")
        if at is not None:
            return NativeMethod("[]", at.impl, (1,), _STRING_ACCESS_SIGNATURE)
    return None

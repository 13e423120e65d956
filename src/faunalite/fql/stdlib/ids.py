"""``ID(…)`` and the ID and UUID prototypes.

An ID is a 64-bit document id; ``ID("123")`` and ``ID(123)`` build one. UUIDs have no FQL
constructor (they only arrive from stored data), so the ``UUID`` module exists for ``isa``.
``newId()`` belongs with the global functions.
"""

from __future__ import annotations

from faunalite.fql.display import debug, display
from faunalite.fql.errors import QueryError
from faunalite.fql.javanumbers import parse_java_integer
from faunalite.fql.stdlib.args import wrong_overload
from faunalite.fql.stdlib.registry import CallContext, module, prototype
from faunalite.fql.values import ID, INT64_MAX, INT64_MIN, Long, Module, UUIDValue, Value

ID_PROTOTYPE = prototype(ID, "ID")
UUID_PROTOTYPE = prototype(UUIDValue, "UUID")
module("UUID")  # exists for `isa UUID`; it has no static members


def to_id(value: Value) -> ID | None:
    """``value`` as an ID if it is one, or a String or integer naming one, else ``None``."""
    t = type(value)
    if t is ID:
        return value  # type: ignore[no-any-return]
    if t is str:
        number = parse_java_integer(value, 10)
        if number is not None and INT64_MIN <= number <= INT64_MAX:
            return ID(number)
        return None
    if t is int or t is Long:
        return ID(int(value))
    return None


@module("ID").callable(1, signature="((id: String) => ID) & ((id: Number) => ID)")
def id_apply(ctx: CallContext, receiver: Module, id: Value) -> ID:
    if type(id) not in (str, int, float):
        raise wrong_overload("ID", ["(String)", "(Number)"], [id])
    result = to_id(id)
    if result is None:
        raise QueryError("invalid_id", f"`{debug(id)}` is not a valid ID.")
    return result


@ID_PROTOTYPE.method("toString", 0, signature="() => String")
def id_to_string(ctx: CallContext, receiver: ID) -> str:
    return display(receiver)


@UUID_PROTOTYPE.method("toString", 0, signature="() => String")
def uuid_to_string(ctx: CallContext, receiver: UUIDValue) -> str:
    return display(receiver)

"""Stdlib member types for the checker, read from the signatures declared in the stdlib tables.

Each ``NativeMethod`` (and each field) of ``faunalite.fql.stdlib.registry`` may carry a
``signature``: its FaunaDB type in FQL type syntax (``"(separator: String) => Array<String>"``).
This module parses those strings once (with the FSL type parser) and answers, for a receiver
type and a member name, the member's parameter and result types, when they are *monomorphic*
(no type variables). A member without a signature, or with a generic one, answers ``None``:
the checker then treats the call as unknown, never as an error.

It does not decide whether a member exists; ``member_exists`` asks the tables directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from faunalite.fql.typer import types as t
from faunalite.schema import fsl_ast as f

_PRIMITIVE_NAMES = frozenset(
    {
        "Int",
        "Long",
        "Double",
        "Number",
        "String",
        "Boolean",
        "Null",
        "Time",
        "Date",
        "Bytes",
        "ID",
        "Any",
        "Never",
    }
)
_APPLIED_NAMES = frozenset({"Array", "Set", "Page"})

_PYTHON_TYPE_OF_PRIMITIVE: dict[str, type] = {"Int": int, "String": str, "Boolean": bool}
"""Receiver primitives whose members the checker looks up, by the Python type of their values."""


@dataclass(frozen=True, slots=True)
class MemberSignature:
    """A monomorphic member: ``params`` is ``None`` for a field, else the parameter types."""

    params: tuple[t.Type, ...] | None
    result: t.Type


def receiver_table_type(receiver: t.Type) -> type | None:
    """The Python type whose stdlib table holds ``receiver``'s members (``3`` → ``int``)."""
    widened = t.widen(receiver)
    if isinstance(widened, t.Primitive):
        return _PYTHON_TYPE_OF_PRIMITIVE.get(widened.name)
    return None


def member_exists(python_type: type, name: str) -> bool:
    """Whether the stdlib defines a field or method ``name`` on values of ``python_type``."""
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib.registry import PROTOTYPES

    table = PROTOTYPES.get(python_type)
    return table is not None and table.has_member(name)


def member_signature(python_type: type, name: str) -> MemberSignature | None:
    """The monomorphic type of member ``name`` of ``python_type`` values, if declared."""
    from faunalite.fql.stdlib.registry import PROTOTYPES

    table = PROTOTYPES.get(python_type)
    if table is None:
        return None
    method = table.methods.get(name)
    if method is not None:
        text = getattr(method, "signature", None)
    else:
        text = getattr(table, "field_signatures", {}).get(name)
    if not isinstance(text, str):
        return None
    return parse_signature(text, is_method=method is not None)


@lru_cache(maxsize=1024)
def parse_signature(text: str, *, is_method: bool) -> MemberSignature | None:
    """``text`` as a ``MemberSignature``, or ``None`` if it is generic or not understood."""
    from faunalite.schema.fsl_convert import parse_type
    from faunalite.schema.fsl_errors import SchemaError

    try:
        expr = parse_type(text)
    except SchemaError:
        return None
    if not is_method:
        result = type_of_expr(expr)
        return None if result is None else MemberSignature(None, result)
    if not isinstance(expr, f.FunctionType) or expr.variadic is not None:
        return None
    params: list[t.Type] = []
    for _, param in expr.params:
        param_type = type_of_expr(param)
        if param_type is None:
            return None
        params.append(param_type)
    result = type_of_expr(expr.result)
    return None if result is None else MemberSignature(tuple(params), result)


def type_of_expr(expr: f.TypeExpr) -> t.Type | None:
    """A type expression as a checker type; ``None`` for what the checker does not model
    (type variables, functions, intersections, schema types)."""
    if isinstance(expr, f.NamedType):
        return t.Primitive(expr.name) if expr.name in _PRIMITIVE_NAMES else None
    if isinstance(expr, f.AppliedType):
        args = [type_of_expr(arg) for arg in expr.args]
        if expr.name not in _APPLIED_NAMES or any(arg is None for arg in args):
            return None
        return t.Applied(expr.name, tuple(arg for arg in args if arg is not None))
    if isinstance(expr, f.LiteralType):
        value = expr.value
        if value is None:
            return t.NULL
        return t.Singleton(value) if isinstance(value, (bool, int, str)) else None
    if isinstance(expr, f.NullableType):
        base = type_of_expr(expr.base)
        return None if base is None else t.union(base, t.NULL)
    if isinstance(expr, f.UnionType):
        member_types = [type_of_expr(member) for member in expr.members]
        if any(member is None for member in member_types):
            return None
        return t.union(*(member for member in member_types if member is not None))
    if isinstance(expr, f.TupleType):
        elements = [type_of_expr(element) for element in expr.elements]
        if any(element is None for element in elements):
            return None
        return t.TupleType(tuple(element for element in elements if element is not None))
    return None

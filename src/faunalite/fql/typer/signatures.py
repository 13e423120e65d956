"""Stdlib member types for the checker, read from the signatures declared in the stdlib tables.

Each member of ``faunalite.fql.stdlib.registry`` carries a ``signature``: its FaunaDB type in
FQL type syntax (``"(separator: String) => Array<String>"``), parsed by
``faunalite.fql.stdlib.signatures``. This module answers, for a receiver and a member name,
the member's parameter and result types as checker types when they are *monomorphic* (no type
variables, and for an overloaded method exactly one overload of the call's arity). A generic,
ambiguous or unmodelled signature answers ``None``: the checker then treats the call as
unknown, never as an error. (Generic instantiation, e.g. ``Array<A>.map``, is not done yet.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from faunalite.fql.stdlib.registry import TypeTable
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

_TABLE_OF_PRIMITIVE = {
    "Int": "Number",
    "Number": "Number",
    "String": "String",
    "Boolean": "Boolean",
}
"""Receiver primitives whose members the checker looks up, by their stdlib table's type name."""


@dataclass(frozen=True, slots=True)
class MemberSignature:
    """A monomorphic member: ``params`` is ``None`` for a field, else the parameter types."""

    params: tuple[t.Type, ...] | None
    result: t.Type


def receiver_table(receiver: t.Type) -> TypeTable | None:
    """The stdlib table holding the members of values of ``receiver`` (``3`` → Number's)."""
    widened = t.widen(receiver)
    if not isinstance(widened, t.Primitive) or widened.name not in _TABLE_OF_PRIMITIVE:
        return None
    return _tables().get(_TABLE_OF_PRIMITIVE[widened.name])


def module_table(name: str) -> TypeTable | None:
    """The static members of the global module ``name`` (``Math``), if there is one."""
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib.registry import MODULES

    return MODULES.get(name)


def member_exists(table: TypeTable, name: str) -> bool:
    """Whether ``table`` has a field or method ``name``."""
    return table.has_member(name)


def member_signature(table: TypeTable, name: str, arg_count: int | None) -> MemberSignature | None:
    """The monomorphic type of member ``name`` of ``table`` (for a call, the one overload
    taking ``arg_count`` arguments), ``None`` if generic, ambiguous or not modelled."""
    from faunalite.fql.stdlib import signatures as declared

    if declared.self_type(table).params:
        return None
    scheme = declared.member_signature(table, name)
    if scheme is None or scheme.params:
        return None
    return _monomorphic(scheme.body, arg_count)


def global_function_signature(name: str, arg_count: int) -> MemberSignature | None:
    """The monomorphic type of the global function ``name`` called with ``arg_count`` args."""
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib import signatures as declared

    scheme = declared.global_function_signature(name)
    if scheme is None or scheme.params:
        return None
    return _monomorphic(scheme.body, arg_count)


def is_global_function(name: str) -> bool:
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib.registry import GLOBAL_FUNCTIONS

    return name in GLOBAL_FUNCTIONS


def _monomorphic(body: f.TypeExpr, arg_count: int | None) -> MemberSignature | None:
    if arg_count is None:
        result = type_of_expr(body)
        return None if result is None else MemberSignature(None, result)
    candidates = body.members if isinstance(body, f.IntersectionType) else (body,)
    matching = [
        candidate
        for candidate in candidates
        if isinstance(candidate, f.FunctionType)
        and candidate.variadic is None
        and len(candidate.params) == arg_count
    ]
    if len(matching) != 1 or len(candidates) != len(
        [c for c in candidates if isinstance(c, f.FunctionType) and c.variadic is None]
    ):
        return None
    function = matching[0]
    assert isinstance(function, f.FunctionType)
    params: list[t.Type] = []
    for _, param in function.params:
        param_type = type_of_expr(param)
        if param_type is None:
            return None
        params.append(param_type)
    result = type_of_expr(function.result)
    return None if result is None else MemberSignature(tuple(params), result)


@lru_cache(maxsize=1)
def _tables() -> dict[str, TypeTable]:
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib.signatures import tables_by_type_name

    return tables_by_type_name()


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

"""Stdlib member types for the checker, read from the signatures declared in the stdlib tables.

Each member of ``faunalite.fql.stdlib.registry`` carries a ``signature``: its FaunaDB type in
FQL type syntax (``"<A, B> (mapper: (A => B)) => Array<B>"``), parsed by
``faunalite.fql.stdlib.signatures``. This module finds, for a receiver type and a member name,
the ``Overload`` a call of a given arity uses: exactly one function type of that arity (an
overloaded method whose overloads share an arity is ambiguous: ``None``), with the receiver's
own type parameters (``A`` of ``<A> Array<A>``) bound from the receiver (a tuple ``[1, 2]`` is
an ``Array<1 | 2>``). ``convert`` turns the signature's type expressions into checker types
under those bindings. A signature the checker cannot model answers ``None`` and the checker
treats the member as unknown, never as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
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
_APPLIED_NAMES = frozenset({"Array", "Set", "Ref"})

_TABLE_OF_PRIMITIVE = {
    "Int": "Number",
    "Number": "Number",
    "String": "String",
    "Boolean": "Boolean",
    "Time": "Time",
    "Date": "Date",
    "ID": "ID",
    "Bytes": "Bytes",
}
"""Receiver primitives whose members the checker looks up, by their stdlib table's type name."""


@dataclass(frozen=True, slots=True)
class Overload:
    """The signature one access uses: ``params`` is ``None`` for a field. ``variables`` are
    the type variables in scope; ``bindings`` those already bound (from the receiver)."""

    params: tuple[f.TypeExpr, ...] | None
    result: f.TypeExpr
    variables: frozenset[str]
    bindings: Mapping[str, t.Type]


def receiver_table(receiver: t.Type) -> TypeTable | None:
    """The stdlib table holding the members of values of ``receiver`` (``3`` → Number's)."""
    if isinstance(receiver, t.TupleType):
        return _tables().get("Array")
    if isinstance(receiver, t.Applied):
        return _tables().get(receiver.name)
    # A union of one primitive's singletons (`"a" | "b"`) has that primitive's members.
    widened = {t.widen(member) for member in t.members(receiver)}
    if len(widened) != 1:
        return None
    primitive = widened.pop()
    if not isinstance(primitive, t.Primitive) or primitive.name not in _TABLE_OF_PRIMITIVE:
        return None
    return _tables().get(_TABLE_OF_PRIMITIVE[primitive.name])


def module_table(name: str) -> TypeTable | None:
    """The static members of the global module ``name`` (``Math``), if there is one."""
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib.registry import MODULES

    return MODULES.get(name)


def member_exists(table: TypeTable, name: str) -> bool:
    """Whether ``table`` has a field or method ``name``."""
    return table.has_member(name)


def member_overload(
    table: TypeTable,
    receiver: t.Type | None,
    name: str,
    arg_count: int | None,
    module_bindings: Mapping[str, t.Type] | None = None,
) -> Overload | None:
    """What accessing member ``name`` of ``table`` (with ``arg_count`` arguments, ``None``
    for a field) uses, for a receiver of type ``receiver`` (``None`` for a module, whose
    own type parameters, a user collection's ``Doc`` and ``NullDoc``, are
    ``module_bindings``)."""
    from faunalite.fql.stdlib import signatures as declared

    receiver_scheme = declared.self_type(table)
    bindings: dict[str, t.Type] = {}
    if module_bindings is not None:
        if set(receiver_scheme.params) != set(module_bindings):
            return None
        bindings = dict(module_bindings)
    elif receiver_scheme.params:
        if receiver is None:
            return None
        found = _bind_receiver(receiver_scheme, receiver)
        if found is None:
            return None
        bindings = found
    scheme = declared.member_signature(table, name)
    if scheme is None:
        return None
    variables = frozenset(scheme.params) | frozenset(receiver_scheme.params)
    return _overload(scheme.body, arg_count, variables, bindings)


def fixed_arity(signature: f.TypeScheme | None) -> int | None:
    """How many arguments a function of this signature takes, when it has exactly one
    overload and no rest parameter (an arity mismatch is then certain); else ``None``."""
    if signature is None or not isinstance(signature.body, f.FunctionType):
        return None
    if signature.body.variadic is not None:
        return None
    return len(signature.body.params)


def method_arity(table: TypeTable, name: str) -> int | None:
    """``fixed_arity`` of the method ``name`` of ``table`` (``None`` for a field)."""
    from faunalite.fql.stdlib import signatures as declared

    method = table.methods.get(name)
    if method is None or name in table.field_signatures:
        return None
    return fixed_arity(declared.function_signature(method))


def global_function_arity(name: str) -> int | None:
    """``fixed_arity`` of the global function ``name``."""
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib import signatures as declared

    return fixed_arity(declared.global_function_signature(name))


def module_apply_arity(table: TypeTable) -> int | None:
    """``fixed_arity`` of calling the module itself (``Time("...")``)."""
    from faunalite.fql.stdlib import signatures as declared

    return fixed_arity(declared.apply_signature(table))


def global_function_overload(name: str, arg_count: int) -> Overload | None:
    """What calling the global function ``name`` with ``arg_count`` arguments uses."""
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib import signatures as declared

    scheme = declared.global_function_signature(name)
    if scheme is None:
        return None
    return _overload(scheme.body, arg_count, frozenset(scheme.params), {})


def module_apply_overload(table: TypeTable, arg_count: int) -> Overload | None:
    """What calling a module itself (``Time("...")``) with ``arg_count`` arguments uses."""
    from faunalite.fql.stdlib import signatures as declared

    scheme = declared.apply_signature(table)
    if scheme is None:
        return None
    return _overload(scheme.body, arg_count, frozenset(scheme.params), {})


def is_global_function(name: str) -> bool:
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib.registry import GLOBAL_FUNCTIONS

    return name in GLOBAL_FUNCTIONS


def _bind_receiver(scheme: f.TypeScheme, receiver: t.Type) -> dict[str, t.Type] | None:
    body = scheme.body
    if not isinstance(body, f.AppliedType) or len(body.args) != 1:
        return None
    parameter = body.args[0]
    if not isinstance(parameter, f.NamedType) or parameter.name not in scheme.params:
        return None
    if isinstance(receiver, t.TupleType) and body.name == "Array":
        return {parameter.name: t.union(*receiver.elements)}
    if isinstance(receiver, t.Applied) and receiver.name == body.name and len(receiver.args) == 1:
        return {parameter.name: receiver.args[0]}
    return None


def _overload(
    body: f.TypeExpr,
    arg_count: int | None,
    variables: frozenset[str],
    bindings: Mapping[str, t.Type],
) -> Overload | None:
    if arg_count is None:
        if isinstance(body, (f.FunctionType, f.IntersectionType)):
            return None  # a method read as a field: a function value, not modelled
        return Overload(None, body, variables, bindings)
    candidates = body.members if isinstance(body, f.IntersectionType) else (body,)
    functions = [c for c in candidates if isinstance(c, f.FunctionType) and c.variadic is None]
    if len(functions) != len(candidates):
        return None
    matching = [function for function in functions if len(function.params) == arg_count]
    if len(matching) != 1:
        return None
    chosen = matching[0]
    return Overload(tuple(param for _, param in chosen.params), chosen.result, variables, bindings)


def convert(
    expr: f.TypeExpr,
    variables: frozenset[str] = frozenset(),
    bindings: Mapping[str, t.Type] | None = None,
) -> t.Type | None:
    """A type expression as a checker type, type variables replaced by their ``bindings``;
    ``None`` for an unbound variable or what the checker does not model (functions,
    intersections, schema types)."""
    bound = bindings or {}
    if isinstance(expr, f.NamedType):
        if expr.name in variables:
            return bound.get(expr.name)
        return t.Primitive(expr.name) if expr.name in _PRIMITIVE_NAMES else None
    if isinstance(expr, f.AppliedType):
        args = [convert(arg, variables, bound) for arg in expr.args]
        if expr.name not in _APPLIED_NAMES or len(args) != 1 or args[0] is None:
            return None
        return t.Applied(expr.name, (args[0],))
    if isinstance(expr, f.LiteralType):
        value = expr.value
        if value is None:
            return t.NULL
        return t.Singleton(value) if isinstance(value, (bool, int, str)) else None
    if isinstance(expr, f.NullableType):
        base = convert(expr.base, variables, bound)
        return None if base is None else t.union(base, t.NULL)
    if isinstance(expr, (f.UnionType, f.TupleType)):
        parts = [
            convert(part, variables, bound)
            for part in (expr.members if isinstance(expr, f.UnionType) else expr.elements)
        ]
        if any(part is None for part in parts):
            return None
        known = [part for part in parts if part is not None]
        return t.union(*known) if isinstance(expr, f.UnionType) else t.TupleType(tuple(known))
    return None


@lru_cache(maxsize=1)
def _tables() -> dict[str, TypeTable]:
    import faunalite.fql.stdlib  # noqa: F401  (registers every table)
    from faunalite.fql.stdlib.signatures import tables_by_type_name

    return tables_by_type_name()

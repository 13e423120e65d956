"""Subtyping as far as the checker needs it: which plain types an operator or a stdlib
parameter accepts, and binding a signature's type variables to what an argument supplies.

``is_subtype`` only answers ``True`` when it can show it; ``False`` means "not shown", and the
checker then treats the expression as unknown rather than report an error. Not here: error
messages (``faunalite.fql.typer.infer``) and signatures (``faunalite.fql.typer.signatures``).
"""

from __future__ import annotations

from faunalite.fql.typer import signatures
from faunalite.fql.typer import types as t
from faunalite.fql.values import INT32_MAX, INT32_MIN
from faunalite.schema import fsl_ast as f


def is_number_like(inferred: object) -> bool:
    """An Int literal (within 32 bits), ``Int`` or ``Number``: what the number operators take."""
    if not isinstance(inferred, (t.Primitive, t.Singleton, t.Union)):
        return False
    return all(
        member in (t.INT, t.NUMBER)
        or (
            isinstance(member, t.Singleton)
            and type(member.value) is int
            and INT32_MIN <= member.value <= INT32_MAX
        )
        for member in t.members(inferred)
    )


def is_string_like(inferred: object) -> bool:
    if not isinstance(inferred, (t.Primitive, t.Singleton, t.Union)):
        return False
    return all(
        member == t.STRING or (isinstance(member, t.Singleton) and isinstance(member.value, str))
        for member in t.members(inferred)
    )


def is_boolean_like(inferred: object) -> bool:
    if not isinstance(inferred, (t.Primitive, t.Singleton, t.Union)):
        return False
    return all(
        member == t.BOOLEAN or (isinstance(member, t.Singleton) and isinstance(member.value, bool))
        for member in t.members(inferred)
    )


def is_subtype(actual: t.Type, expected: t.Type) -> bool:
    """Whether every value of ``actual`` is one of ``expected`` (only the cases the checker
    needs to accept an argument; ``False`` means "not shown", not "not a subtype")."""
    return all(
        any(member_subtype(member, option) for option in t.members(expected))
        for member in t.members(actual)
    )


def member_subtype(actual: t.Type, expected: t.Type) -> bool:
    if expected == t.ANY or actual == expected or actual == t.NEVER:
        return True
    if isinstance(actual, t.Singleton) and isinstance(expected, t.Primitive):
        return t.widen(actual) == expected or (
            expected == t.NUMBER and isinstance(actual.value, int)
        )
    if actual == t.INT and expected == t.NUMBER:
        return True
    if isinstance(actual, t.Applied) and isinstance(expected, t.Applied):
        # Arrays and sets are immutable, so covariant in their element type.
        return (
            actual.name == expected.name
            and len(actual.args) == len(expected.args)
            and all(is_subtype(a, e) for a, e in zip(actual.args, expected.args, strict=True))
        )
    if isinstance(actual, t.TupleType):
        if isinstance(expected, t.TupleType):
            return len(actual.elements) == len(expected.elements) and all(
                is_subtype(a, e) for a, e in zip(actual.elements, expected.elements, strict=True)
            )
        if isinstance(expected, t.Applied) and expected.name == "Array":
            return all(is_subtype(element, expected.args[0]) for element in actual.elements)
    return False


def match_pattern(
    pattern: f.TypeExpr, actual: t.Type, variables: frozenset[str], bindings: dict[str, t.Type]
) -> bool:
    """Whether ``actual`` fits ``pattern``, binding an unbound variable ``pattern`` (or the
    ``B`` of ``Array<B>`` against an array or tuple) to it."""
    if (
        isinstance(pattern, f.NamedType)
        and pattern.name in variables
        and pattern.name not in bindings
    ):
        bindings[pattern.name] = actual
        return True
    if (
        isinstance(pattern, f.AppliedType)
        and pattern.name == "Array"
        and len(pattern.args) == 1
        and isinstance(pattern.args[0], f.NamedType)
        and pattern.args[0].name in variables
        and pattern.args[0].name not in bindings
    ):
        if isinstance(actual, t.TupleType):
            bindings[pattern.args[0].name] = t.union(*actual.elements)
            return True
        if isinstance(actual, t.Applied) and actual.name == "Array":
            bindings[pattern.args[0].name] = actual.args[0]
            return True
        return False
    expected = signatures.convert(pattern, variables, bindings)
    return expected is not None and is_subtype(actual, expected)

"""The parsed static types of the standard library's members, for the typechecker.

The stdlib tables (``faunalite.fql.stdlib.registry``) keep each member's type as FQL text, as
FaunaDB declares it; this module reads that text once with the FSL type parser and caches the
``TypeScheme`` (generic parameters and type). It only parses: checking a call against a
signature is the typechecker's work.

``tables_by_type_name`` finds a table from the name of an inferred type (``Array``,
``MathModule``); ``operator_signature`` gives an operator's type for a receiver.

``accepts`` says whether a signature takes a given number of arguments, from its function
types (an intersection accepts what any of its members accepts); the stdlib's tests use it to
hold each member's declared arity to its signature.
"""

from __future__ import annotations

from functools import cache

from faunalite.fql.errors import QueryCheckError
from faunalite.fql.lexer import ParseFailure
from faunalite.fql.parser import EmbeddedExpressions
from faunalite.fql.span import Source
from faunalite.fql.stdlib.registry import (
    GLOBAL_FUNCTIONS,
    MODULES,
    OPERATOR_SIGNATURES,
    PROTOTYPES,
    NativeMethod,
    TypeTable,
)
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_types import TypeParser


class SignatureError(ValueError):
    """A stdlib signature that is not a well-formed FQL type (a bug in a stdlib table)."""


@cache
def parse_signature(text: str) -> f.TypeScheme:
    """The ``TypeScheme`` a signature's text denotes (cached by text)."""
    expressions = EmbeddedExpressions(Source("*stdlib signature*", text))
    scanner = expressions.scanner
    try:
        scheme, end = TypeParser(expressions).type_scheme(scanner.skip_nl(0))
        end = scanner.skip_nl(end)
        if end < scanner.length:
            raise scanner.fail_expecting(end, "end-of-input")
    except (ParseFailure, QueryCheckError) as error:
        raise SignatureError(f"invalid stdlib signature {text!r}: {error}") from None
    return scheme


def self_type(table: TypeTable) -> f.TypeScheme:
    """The type of a table's receiver with its generic parameters: ``<A> Array<A>``."""
    return parse_signature(table.self_type)


def type_name(table: TypeTable) -> str:
    """The name of a table's type without its parameters: ``Array`` for ``<A> Array<A>``."""
    body = self_type(table).body
    if isinstance(body, (f.NamedType, f.AppliedType)):
        return body.name
    raise SignatureError(f"the type of table {table.name!r} is not a named type")


def tables_by_type_name() -> dict[str, TypeTable]:
    """Every stdlib table by its type's name (``Array``, ``Number``, ``MathModule``,
    ``CollectionCollection``, ``UserDoc``...): where the checker finds the members of a type
    it has inferred. Built from the registry as it is now (after ``faunalite.fql.stdlib`` and
    the model are imported); a user collection's own table is not among them (its members
    are ``UserCollection``'s)."""
    found: dict[str, TypeTable] = {}
    for table in [*PROTOTYPES.values(), *MODULES.values()]:
        name = type_name(table)
        if found.setdefault(name, table) is not table:
            raise SignatureError(f"two stdlib tables declare the type {name!r}")
    return found


def member_signature(table: TypeTable, name: str) -> f.TypeScheme | None:
    """The type of the field or method ``name`` of ``table``, ``None`` if it has no such
    member."""
    field_signature = table.field_signatures.get(name)
    if field_signature is not None:
        return parse_signature(field_signature)
    method = table.methods.get(name)
    return None if method is None else parse_signature(method.signature)


def apply_signature(table: TypeTable) -> f.TypeScheme | None:
    """The type of calling a module itself (``Time("...")``), ``None`` if it is not callable."""
    return None if table.apply is None else parse_signature(table.apply.signature)


def function_signature(method: NativeMethod) -> f.TypeScheme:
    """The type of a native method, callable module or global function."""
    return parse_signature(method.signature)


def operator_signature(table: TypeTable | None, symbol: str) -> f.TypeScheme | None:
    """The type of the operator ``symbol``: the receiver type's own (``table``, typed as a
    method of the left operand) or, failing that, the one every type has (``==``, ``+``:
    both operands as parameters). ``None`` if neither declares it."""
    if table is not None:
        text = table.operator_signatures.get(symbol)
        if text is not None:
            return parse_signature(text)
    text = OPERATOR_SIGNATURES.get(symbol)
    return None if text is None else parse_signature(text)


def global_function_signature(name: str) -> f.TypeScheme | None:
    """The type of the global function ``name`` (``abort``, ``log``...)."""
    method = GLOBAL_FUNCTIONS.get(name)
    return None if method is None else parse_signature(method.signature)


def accepts(type_expr: f.TypeExpr, count: int) -> bool:
    """Whether a value of this function type (or intersection of overloads) can be called
    with ``count`` arguments."""
    if isinstance(type_expr, f.IntersectionType):
        return any(accepts(member, count) for member in type_expr.members)
    if isinstance(type_expr, f.FunctionType):
        fixed = len(type_expr.params)
        return count == fixed or (type_expr.variadic is not None and count >= fixed)
    return False

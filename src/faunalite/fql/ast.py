"""The FQL v10 syntax tree: what the parser produces and the interpreter walks.

Nodes are plain slotted dataclasses with identity equality (they are hashable, so the
interpreter may key caches on them). Every node has a ``span`` covering its whole source text;
nodes that FaunaDB reports errors at a *part* of also carry that part's span (``name_span``,
``args_span``, ``bracket_span``, ``op_span``, ``report_span``). Nothing here evaluates.

Conventions the interpreter relies on:

* **Literals** hold Python values: ``None`` (null), ``bool``, ``int`` (an integer literal that
  does not fit 64 bits is already a ``float``, as FaunaDB turns it into a Double), ``float``,
  ``str``.
* **Postfix chains** (``a.b?.c(1)[0]!``) are nested nodes, innermost receiver first. A ``?.``
  that meets null (or a missing document) yields null and skips the *rest of the chain*: every
  enclosing ``FieldAccess``/``MethodCall``/``Call``/``Index`` whose receiver chain contains it,
  up to the first node that is not one of those. ``NonNull`` still runs. A ``Tuple``
  (parentheses) ends a chain, so ``(a?.b).c`` does not skip ``.c``.
* **Method calls**: ``x.name(args)`` is one ``MethodCall`` node, never ``Call(FieldAccess)``;
  a plain ``Call`` has a callee that is not a field selection (``f(1)``, ``(x.f)(1)``).
* **Short lambdas** (``.foo``, ``.[0]``, ``.a + .b``) are desugared to a ``Lambda`` with
  ``short=True`` and the single parameter ``IMPLICIT_PARAM`` (``"$this"``); the body refers
  to it through ``Identifier("$this")``. Users cannot write that name (the lexer only takes
  ``$`` followed by digits, for template placeholders).
* **Projection alias values** (``x { total: .a + .b }``) are *not* wrapped in a lambda: their
  ``$this`` is the value being projected, which the interpreter binds per projected value.
* **Operators**: ``Binary.op`` is the operator text; ``&&``, ``||``, ``??`` and ``isa`` are
  special forms the interpreter evaluates itself, every other operator dispatches on the left
  operand's type. ``Unary.op`` is ``-``, ``~`` or ``!``.
* **Blocks** always end in an expression statement (the parser rejects a trailing ``let``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple, TypeAlias

from faunalite.fql.span import Source, Span

IMPLICIT_PARAM = "$this"
"""Parameter name of a desugared short lambda and of a projection's current value."""


@dataclass(slots=True, eq=False)
class Literal:
    """``null``, ``true``/``false``, a number or a string without interpolation."""

    value: bool | int | float | str | None
    span: Span


@dataclass(slots=True, eq=False)
class StringTemplate:
    """A string with ``#{expr}`` interpolations: text parts and expressions, in order."""

    parts: list[str | Expr]
    span: Span


@dataclass(slots=True, eq=False)
class Identifier:
    """A variable or global name, including template placeholders such as ``$0``."""

    name: str
    span: Span


@dataclass(slots=True, eq=False)
class ArrayExpr:
    """``[a, b, c]``."""

    elements: list[Expr]
    span: Span


class ObjectField(NamedTuple):
    """One ``key: value`` entry of an object literal."""

    key: str
    value: Expr
    key_span: Span


@dataclass(slots=True, eq=False)
class ObjectExpr:
    """``{ key: value, ... }`` (keys are unique: duplicates are a parse error)."""

    fields: list[ObjectField]
    span: Span


@dataclass(slots=True, eq=False)
class Tuple:
    """A parenthesised list. One element evaluates to that element; 0 or 2+ to an array."""

    elements: list[Expr]
    span: Span


@dataclass(slots=True, eq=False)
class Let:
    """``let name = value`` (a type annotation, if any, is parsed and dropped)."""

    name: str
    value: Expr
    name_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class Block:
    """A statement list: ``{ ... }`` or the query itself. The last statement is an Expr."""

    statements: list[Statement]
    span: Span


@dataclass(slots=True, eq=False)
class If:
    """``if (cond) then [else else_]``; ``else_`` is None when there is no else branch."""

    cond: Expr
    then: Expr
    else_: Expr | None
    span: Span


@dataclass(slots=True, eq=False)
class At:
    """``at (ts) body``: evaluate ``body`` reading the snapshot at time ``ts``."""

    ts: Expr
    body: Expr
    span: Span


@dataclass(slots=True, eq=False)
class Lambda:
    """An anonymous function. ``None`` in ``params`` is a ``_`` placeholder parameter.

    ``variadic`` names the ``...rest`` parameter, if any, which binds an array of the extra
    arguments; it is ``"_"`` for ``..._`` (extra arguments accepted and ignored). ``short`` marks a desugared short lambda (``.foo``): its only parameter is
    ``IMPLICIT_PARAM``.
    """

    params: list[str | None]
    variadic: str | None
    body: Expr
    short: bool
    span: Span


@dataclass(slots=True, eq=False)
class FieldAccess:
    """``receiver.name`` or, with ``optional``, ``receiver?.name``."""

    receiver: Expr
    name: str
    optional: bool
    name_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class MethodCall:
    """``receiver.name(args)``; ``optional`` for ``?.name(``, ``apply_optional`` for ``.name?.(``.

    Evaluation: a native method ``name`` of the receiver's type if there is one, otherwise
    the field ``name`` applied to ``args``. ``args_span`` covers the parentheses.
    """

    receiver: Expr
    name: str
    args: list[Expr]
    optional: bool
    apply_optional: bool
    name_span: Span
    args_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class Call:
    """``callee(args)`` or ``callee?.(args)``; ``args_span`` covers the parentheses."""

    callee: Expr
    args: list[Expr]
    optional: bool
    args_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class Index:
    """``receiver[args]`` or ``receiver?.[args]``; ``bracket_span`` covers the brackets.

    The grammar accepts any number of arguments; FaunaDB rejects all but one at run time.
    """

    receiver: Expr
    args: list[Expr]
    optional: bool
    bracket_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class NonNull:
    """Postfix ``expr!``. ``report_span`` is what FaunaDB points at when it fails: from the
    start of the last chain element (or the base expression) through the ``!``."""

    expr: Expr
    report_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class Unary:
    """Prefix ``-x``, ``~x`` or ``!x`` (a signed number literal is a ``Literal`` instead)."""

    op: str
    operand: Expr
    op_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class Binary:
    """``left op right`` for every infix operator, ``isa`` and the special forms included."""

    op: str
    left: Expr
    right: Expr
    op_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class ProjectionBody:
    """The ``{ ... }`` of a projection: its items, or ``star`` for ``{ * }``."""

    items: list[ProjectItem]
    star: bool
    span: Span


@dataclass(slots=True, eq=False)
class ProjectField:
    """``name`` or ``name { ... }`` in a projection: copy (and maybe project) a field."""

    name: str
    sub: ProjectionBody | None
    name_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class ProjectAlias:
    """``name: value`` in a projection; ``value`` sees the projected value as ``$this``."""

    name: str
    value: Expr
    name_span: Span
    span: Span


@dataclass(slots=True, eq=False)
class Projection:
    """``receiver { ... }``: build an object from the receiver (mapped over arrays/sets)."""

    receiver: Expr
    body: ProjectionBody
    span: Span


@dataclass(slots=True, eq=False)
class MatchCase:
    """``case pattern => body``; patterns are only checked for syntax, not represented."""

    pattern_span: Span
    body: Expr
    span: Span


@dataclass(slots=True, eq=False)
class Match:
    """``match subject { case ... }``: parsed only; FaunaDB refuses to evaluate it."""

    subject: Expr
    cases: list[MatchCase]
    span: Span


Expr: TypeAlias = (
    Literal
    | StringTemplate
    | Identifier
    | ArrayExpr
    | ObjectExpr
    | Tuple
    | Block
    | If
    | At
    | Lambda
    | FieldAccess
    | MethodCall
    | Call
    | Index
    | NonNull
    | Unary
    | Binary
    | Projection
    | Match
)
Statement: TypeAlias = "Let | Expr"
ProjectItem: TypeAlias = "ProjectField | ProjectAlias"
Node: TypeAlias = "Expr | Let | ProjectionBody | ProjectField | ProjectAlias | MatchCase"


@dataclass(slots=True, eq=False)
class QueryTree:
    """A parsed query: the top-level statements as a block, and the source they came from."""

    body: Block
    source: Source


def dump(node: Node | QueryTree) -> str:
    """A compact one-line s-expression of a tree, for tests and debugging (spans omitted).

    ``dump(parse_query("a.b(1) + 2").body)`` is
    ``(Block [(Binary + (MethodCall (Identifier a) b [(Literal 1)] False False) (Literal 2))])``.
    """
    if isinstance(node, QueryTree):
        return dump(node.body)
    if isinstance(node, Literal):
        return f"(Literal {node.value!r})"
    if isinstance(node, StringTemplate):
        rendered = (repr(part) if isinstance(part, str) else dump(part) for part in node.parts)
        return "(StringTemplate [" + " ".join(rendered) + "])"
    parts = [type(node).__name__]
    for field_info in fields(node):
        if field_info.name == "span" or field_info.name.endswith("_span"):
            continue
        parts.append(_dump_value(getattr(node, field_info.name)))
    return "(" + " ".join(parts) + ")"


def _dump_value(value: object) -> str:
    if isinstance(value, ObjectField):
        return f"({value.key!r}: {_dump_value(value.value)})"
    if isinstance(value, list):
        return "[" + " ".join(_dump_value(item) for item in value) + "]"
    if isinstance(value, str):
        # Bare words read better for names/operators; quote only when ambiguous.
        return value if value and value.isprintable() and " " not in value else repr(value)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return dump(value)  # type: ignore[arg-type]

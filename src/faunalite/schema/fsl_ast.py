"""The FSL syntax tree: what a schema file declares, as plain frozen dataclasses.

One class per construct of FaunaDB's schema language (``collection``, ``function``,
``role``, ``access provider`` and their members), and a small type AST (``String``,
``Int?``, ``Array<Ref<User>>``, unions, object types, literal types).

FQL inside FSL (field defaults, computed fields, check and role predicates, function
bodies, backfill values) is an ``FQLExpr``: its source text, as written, plus the parsed
FQL tree. Two trees compare equal when their declarations and expression texts are equal;
spans and parsed FQL trees take no part in comparisons, so ``parse(print(x)) == x`` can hold.

This module only describes schemas; ``fsl_parser`` builds these trees and ``fsl_printer``
prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from faunalite.fql.span import Span

# -- FQL expressions and names ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FQLExpr:
    """An FQL expression inside FSL: its ``text`` (what is printed back) and parsed ``node``.

    ``node`` is ``None`` for an expression made from text rather than parsed from a file.
    """

    text: str
    node: Any = field(default=None, compare=False, repr=False)
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A declared name (identifier, or a quoted legacy name) and where it was written."""

    text: str
    span: Span | None = field(default=None, compare=False, repr=False)


# -- types -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamedType:
    """A type by name: ``String``, ``Any``, ``Never``, ``User``, or ``_`` (a hole)."""

    name: str
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AppliedType:
    """A type constructor applied to arguments: ``Array<String>``, ``Ref<User>``."""

    name: str
    args: tuple[TypeExpr, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LiteralType:
    """A singleton type: a string, number, ``true``, ``false`` or ``null`` literal."""

    value: str | int | float | bool | None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ObjectTypeField:
    """One ``name: Type`` of an object type; in a field's type it may have ``= default``."""

    name: str
    type: TypeExpr
    default: FQLExpr | None = None


@dataclass(frozen=True, slots=True)
class ObjectType:
    """``{ a: Int, *: Any }``; with ``interface`` set, the open ``{ a: Int, ... }``."""

    fields: tuple[ObjectTypeField, ...]
    wildcard: TypeExpr | None = None
    interface: bool = False
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TupleType:
    """``[Int, String]``."""

    elements: tuple[TypeExpr, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class UnionType:
    """``A | B | C`` (two or more members)."""

    members: tuple[TypeExpr, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IntersectionType:
    """``A & B`` (two or more members)."""

    members: tuple[TypeExpr, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NullableType:
    """``T?``: ``T`` or ``Null``."""

    base: TypeExpr
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FunctionType:
    """``(a: Int, ...rest: String) => Int`` or ``Int => Int``. Parameter names are optional."""

    params: tuple[tuple[str | None, TypeExpr], ...]
    variadic: tuple[str | None, TypeExpr] | None
    result: TypeExpr
    span: Span | None = field(default=None, compare=False, repr=False)


TypeExpr: TypeAlias = (
    NamedType
    | AppliedType
    | LiteralType
    | ObjectType
    | TupleType
    | UnionType
    | IntersectionType
    | NullableType
    | FunctionType
)


@dataclass(frozen=True, slots=True)
class TypeScheme:
    """A type with the generic parameters it binds: ``<A, B> (mapper: (A => B)) => Array<B>``
    (FaunaDB's form for polymorphic stdlib signatures). ``params`` is empty for a plain type.
    Not a ``TypeExpr``: a scheme only stands at the top of a signature."""

    params: tuple[str, ...]
    body: TypeExpr
    span: Span | None = field(default=None, compare=False, repr=False)


# -- field paths (index terms and values, migrations) --------------------------------------------

PathStep: TypeAlias = "str | int"


@dataclass(frozen=True, slots=True)
class FieldPath:
    """``.a.b``, ``.["a b"]``, ``.a[0]``: the steps from the document to a field."""

    steps: tuple[PathStep, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


# -- collections ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Annotation:
    """``@alias(name)`` or ``@role(name)`` before a declaration."""

    keyword: Literal["alias", "role"]
    value: Name
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DefinedField:
    """``name: Type`` or ``name: Type = default``."""

    name: Name
    type: TypeExpr
    default: FQLExpr | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ComputedField:
    """``compute name: Type = (doc => ...)``; ``body`` is the lambda (without the brackets)."""

    name: Name
    type: TypeExpr | None
    body: FQLExpr
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class WildcardField:
    """``*: Type``: the type of fields not declared."""

    type: TypeExpr
    span: Span | None = field(default=None, compare=False, repr=False)


Field: TypeAlias = DefinedField | ComputedField | WildcardField


@dataclass(frozen=True, slots=True)
class IndexTerm:
    """A term of an index or unique constraint: ``.a`` or ``mva(.a)``."""

    path: FieldPath
    mva: bool = False
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IndexValue:
    """A value of an index: ``.a``, ``desc(.a)``, ``asc(mva(.a))``."""

    path: FieldPath
    mva: bool = False
    ascending: bool = True
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Index:
    """``index name { terms [...] values [...] }``; ``None`` when a part is left out."""

    name: Name
    terms: tuple[IndexTerm, ...] | None = None
    values: tuple[IndexValue, ...] | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Unique:
    """``unique [.a, mva(.b)]``."""

    terms: tuple[IndexTerm, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Check:
    """``check name (doc => ...)``; ``predicate`` is the lambda (without the brackets)."""

    name: Name
    predicate: FQLExpr
    span: Span | None = field(default=None, compare=False, repr=False)


MigrationKind: TypeAlias = Literal[
    "add", "drop", "backfill", "split", "move", "move_conflicts", "move_wildcard", "add_wildcard"
]


@dataclass(frozen=True, slots=True)
class Migration:
    """One statement of a ``migrations`` block.

    ``add .f``, ``drop .f``, ``backfill .f = value``, ``split .f -> .a, .b``, ``move .f -> .g``,
    ``move_conflicts .f``, ``move_wildcard .f``, ``add_wildcard``: ``path`` is the first path
    (``None`` for ``add_wildcard``), ``targets`` what ``split``/``move`` go to.
    """

    kind: MigrationKind
    path: FieldPath | None = None
    targets: tuple[FieldPath, ...] = ()
    value: FQLExpr | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Collection:
    """A ``collection`` declaration (members in the order FaunaDB prints them)."""

    name: Name
    alias: Name | None = None
    fields: tuple[Field, ...] = ()
    indexes: tuple[Index, ...] = ()
    uniques: tuple[Unique, ...] = ()
    checks: tuple[Check, ...] = ()
    history_days: int | None = None
    ttl_days: int | None = None
    document_ttls: bool | None = None
    migrations: tuple[Migration, ...] | None = None
    span: Span | None = field(default=None, compare=False, repr=False)
    doc: str | None = field(default=None, compare=False, repr=False)


# -- functions ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument of a function: ``x``, ``x: Int`` or the variadic ``...rest: Array<Int>``."""

    name: Name
    type: TypeExpr | None = None
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Function:
    """``function name(args): Ret { body }``; ``body`` is the ``{ ... }`` block."""

    name: Name
    arguments: tuple[Argument, ...]
    body: FQLExpr
    result: TypeExpr | None = None
    alias: Name | None = None
    role: Name | None = None
    span: Span | None = field(default=None, compare=False, repr=False)
    doc: str | None = field(default=None, compare=False, repr=False)


# -- roles and access providers -------------------------------------------------------------------

Action: TypeAlias = Literal[
    "create",
    "create_with_id",
    "delete",
    "read",
    "write",
    "history_read",
    "history_write",
    "unrestricted_read",
    "call",
]


@dataclass(frozen=True, slots=True)
class Privilege:
    """One action of a ``privileges`` block, with an optional ``predicate (...)``."""

    action: Action
    predicate: FQLExpr | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Privileges:
    """``privileges Resource { read; write { predicate (...) } }``."""

    resource: Name
    actions: tuple[Privilege, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Membership:
    """``membership Collection`` with an optional ``{ predicate (...) }``."""

    collection: Name
    predicate: FQLExpr | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Role:
    """A ``role`` declaration."""

    name: Name
    privileges: tuple[Privileges, ...] = ()
    memberships: tuple[Membership, ...] = ()
    span: Span | None = field(default=None, compare=False, repr=False)
    doc: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ProviderRole:
    """``role name`` inside an access provider, with an optional ``{ predicate (...) }``."""

    name: Name
    predicate: FQLExpr | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AccessProvider:
    """An ``access provider`` declaration."""

    name: Name
    issuer: str
    jwks_uri: str
    roles: tuple[ProviderRole, ...] = ()
    span: Span | None = field(default=None, compare=False, repr=False)
    doc: str | None = field(default=None, compare=False, repr=False)


Item: TypeAlias = Collection | Function | Role | AccessProvider


@dataclass(frozen=True, slots=True)
class SchemaFile:
    """The declarations of one schema file, in file order."""

    filename: str
    items: tuple[Item, ...]

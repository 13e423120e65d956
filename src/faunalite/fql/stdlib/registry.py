"""The tables the standard library is made of, and the contract between it and the interpreter.

Each FQL type has a ``TypeTable`` of instance members (``"abc".length``, ``[1].map(f)``), found
through ``PROTOTYPES`` by the receiver's Python type. Each global module (``Math``, ``Time``,
``String``...) has a ``TypeTable`` of static members in ``MODULES``, by name; a module that can
be called like a function (``Time("...")``, ``ID(1)``) sets ``TypeTable.apply``. Global
functions (``abort``, ``log``, ``newId``...) live in ``GLOBAL_FUNCTIONS``.

Stdlib modules fill the tables with the ``field`` and ``method`` decorators when imported;
``faunalite.fql.stdlib`` imports them all. A method implementation is a plain function
``impl(ctx, receiver, *args) -> Value``: it checks its own argument types with the helpers in
``faunalite.fql.stdlib.args``, raises ``QueryError`` (without a span: the interpreter adds the
call's position) and calls back into FQL through ``ctx``. Arity is checked by the interpreter
from ``NativeMethod.arity`` before ``impl`` runs.

Every member also carries its static type, the ``signature``, which the decorators require so
a member cannot be added without one. A signature is a type in FQL's own syntax, exactly as
FaunaDB declares the member (``ext/api/src/test/resources/static_environment_response_v1.json``
in FaunaDB's sources, which dumps its typer's environment), parsed by
``faunalite.fql.stdlib.signatures``:

* a method or callable module is a function type with named parameters,
  ``(pattern: String, start: Number) => Number | Null``; a field is the field's type
  (``Number``); a variadic parameter is written ``name: ...T`` (``(args: ...Any) => Null``);
* generic type parameters are bound by a leading ``<A, B>``, FaunaDB's ``TypeScheme`` form:
  ``<A, B> (mapper: (A => B)) => Array<B>``. Parameters the receiver's type declares
  (``TypeTable.self_type``, ``<A> Array<A>``) are the same ``A`` in its members' signatures:
  the checker instantiates them from the receiver;
* overloads are FaunaDB's intersection of function types, one per accepted argument list:
  ``((pattern: String) => Number | Null) & ((pattern: String, start: Number) => Number | Null)``.
  There is no separate optional-parameter form, as in FaunaDB.
* ``[]`` access carries FaunaDB's ``access`` type (``<A> Number => A`` on arrays), and
  operators their ``ops`` types (``TypeTable.operator_signatures``, ``OPERATOR_SIGNATURES``).

Tables shared by several FaunaDB types (the members every user collection module has, the
methods of user documents and of named schema documents) are generic in the document type
``Doc`` and its null-document type ``NullDoc`` (FaunaDB's ``User`` and ``NullUser`` for a
collection ``User``), declared by their ``self_type``; the checker binds them from the schema.
Where faunalite has a member FaunaDB's environment does not list, its signature is written
here from the member's behaviour and marked ``# not in FaunaDB's sources``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from faunalite.fql.values import Function, Time, Value


class CallContext(Protocol):
    """What a native function may ask of the running query."""

    @property
    def snapshot_time(self) -> Time:
        """The transaction's snapshot time (``Time.now()``, ``Date.today()``)."""
        ...

    def call(self, function: Function, args: list[Value]) -> Value:
        """Call an FQL function value (lambda, native or UDF) with ``args``."""
        ...

    def function_arity(self, function: Function) -> tuple[int, ...] | None:
        """Argument counts ``function`` accepts, ``None`` if any (variadic)."""
        ...

    def log(self, message: str) -> None:
        """Record a ``log()`` line for the response summary."""
        ...

    def debug(self, message: str) -> None:
        """Record a ``dbg()`` diagnostic for the response summary."""
        ...

    def new_id(self) -> int:
        """A fresh unique document id."""
        ...

    def check_deadline(self) -> None:
        """Raise ``QueryTimedOut`` if the query is past its deadline: for a native whose loop
        may outlast it (the interpreter only checks between function applications)."""
        ...


MethodImpl = Callable[..., Value]
FieldImpl = Callable[[Value], Value]


@dataclass(slots=True)
class NativeMethod:
    """A method as the stdlib defines it: its FQL name, its implementation
    ``impl(ctx, receiver, *args)``, the argument counts it takes (``None`` = any number) and
    its FQL type (see the module docstring)."""

    name: str
    impl: MethodImpl
    arity: tuple[int, ...] | None
    signature: str


@dataclass(slots=True)
class TypeTable:
    """The members of one FQL type (instance members) or one module (static members).

    ``self_type`` is the type itself as FaunaDB's typer names it, with the type parameters
    its members' signatures share: ``<A> Array<A>``, ``String``, ``ArrayModule``,
    ``CollectionCollection``. It defaults to ``name``.
    """

    name: str
    fields: dict[str, FieldImpl] = field(default_factory=dict)
    methods: dict[str, NativeMethod] = field(default_factory=dict)
    apply: NativeMethod | None = None
    self_type: str = ""
    field_signatures: dict[str, str] = field(default_factory=dict)
    """The FQL type of each field in ``fields``, by name."""
    operator_signatures: dict[str, str] = field(default_factory=dict)
    """FaunaDB's types of the operators the type declares (its ``ops``), by symbol, typed as
    methods of the left operand: ``"-": "((other: Number) => Number) & (() => Number)"``.
    The operators themselves are in ``faunalite.fql.operators``."""

    def __post_init__(self) -> None:
        if not self.self_type:
            self.self_type = self.name

    def field(self, name: str, *, signature: str) -> Callable[[FieldImpl], FieldImpl]:
        """Register ``impl(receiver) -> Value`` as the field ``name`` of type ``signature``."""

        def register(impl: FieldImpl) -> FieldImpl:
            self.fields[name] = impl
            self.field_signatures[name] = signature
            return impl

        return register

    def method(
        self, name: str, arity: tuple[int, ...] | int | None, *, signature: str
    ) -> Callable[[MethodImpl], MethodImpl]:
        """Register ``impl(ctx, receiver, *args)`` as the method ``name``.

        ``arity`` is the accepted argument count, a tuple of accepted counts, or ``None``
        for a variadic method; ``signature`` is the method's FQL type.
        """
        counts = (arity,) if isinstance(arity, int) else arity

        def register(impl: MethodImpl) -> MethodImpl:
            self.methods[name] = NativeMethod(name, impl, counts, signature)
            return impl

        return register

    def callable(
        self, arity: tuple[int, ...] | int | None, *, signature: str
    ) -> Callable[[MethodImpl], MethodImpl]:
        """Register ``impl(ctx, module, *args)`` as what calling the module itself does."""
        counts = (arity,) if isinstance(arity, int) else arity

        def register(impl: MethodImpl) -> MethodImpl:
            self.apply = NativeMethod(self.name, impl, counts, signature)
            return impl

        return register

    def has_member(self, name: str) -> bool:
        return name in self.fields or name in self.methods


OPERATOR_SIGNATURES: dict[str, str] = {
    **{op: "(Any, Any) => Boolean" for op in ("==", "!=", ">", "<", ">=", "<=")},
    "+": "((Number, Number) => Number) & ((String, String) => String)",
}
"""The operators FaunaDB's typer knows for every type (its ``HardcodedOps``), both operands
as parameters."""

PROTOTYPES: dict[type, TypeTable] = {}
"""Instance members by the receiver's Python type (``str``, ``list``, ``Time``...)."""

MODULES: dict[str, TypeTable] = {}
"""Static members of the global modules, by module name."""

GLOBAL_FUNCTIONS: dict[str, NativeMethod] = {}
"""Global functions by name; their ``impl`` is called as ``impl(ctx, None, *args)``."""


def prototype(python_type: type, fql_name: str, self_type: str = "") -> TypeTable:
    """The instance-member table for ``python_type``, created on first use; ``self_type`` as
    in ``TypeTable`` (``fql_name`` if not given)."""
    table = PROTOTYPES.get(python_type)
    if table is None:
        table = PROTOTYPES[python_type] = TypeTable(fql_name, self_type=self_type)
    return table


def module(name: str, self_type: str = "") -> TypeTable:
    """The static-member table of the global module ``name``, created on first use; its
    ``self_type`` is FaunaDB's name for the module's type, ``<name>Module`` if not given."""
    table = MODULES.get(name)
    if table is None:
        table = MODULES[name] = TypeTable(name, self_type=self_type or f"{name}Module")
    return table


def global_function(
    name: str, arity: tuple[int, ...] | int | None, *, signature: str
) -> Callable[[MethodImpl], MethodImpl]:
    """Register ``impl(ctx, None, *args)`` as the global function ``name`` of FQL type
    ``signature``."""
    counts = (arity,) if isinstance(arity, int) else arity

    def register(impl: MethodImpl) -> MethodImpl:
        GLOBAL_FUNCTIONS[name] = NativeMethod(name, impl, counts, signature)
        return impl

    return register

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

    def seconds_left(self) -> float | None:
        """Seconds until the query's deadline (``None`` if it has none): for a native that
        hands a time limit to a library call it cannot interrupt (regex matching)."""
        ...


MethodImpl = Callable[..., Value]
FieldImpl = Callable[[Value], Value]


@dataclass(slots=True)
class NativeMethod:
    """A method as the stdlib defines it: its FQL name, the argument counts it takes
    (``None`` = any number), and its implementation ``impl(ctx, receiver, *args)``."""

    name: str
    impl: MethodImpl
    arity: tuple[int, ...] | None


@dataclass(slots=True)
class TypeTable:
    """The members of one FQL type (instance members) or one module (static members)."""

    name: str
    fields: dict[str, FieldImpl] = field(default_factory=dict)
    methods: dict[str, NativeMethod] = field(default_factory=dict)
    apply: NativeMethod | None = None

    def field(self, name: str) -> Callable[[FieldImpl], FieldImpl]:
        """Register ``impl(receiver) -> Value`` as the field ``name``."""

        def register(impl: FieldImpl) -> FieldImpl:
            self.fields[name] = impl
            return impl

        return register

    def method(
        self, name: str, arity: tuple[int, ...] | int | None
    ) -> Callable[[MethodImpl], MethodImpl]:
        """Register ``impl(ctx, receiver, *args)`` as the method ``name``.

        ``arity`` is the accepted argument count, a tuple of accepted counts, or ``None``
        for a variadic method.
        """
        counts = (arity,) if isinstance(arity, int) else arity

        def register(impl: MethodImpl) -> MethodImpl:
            self.methods[name] = NativeMethod(name, impl, counts)
            return impl

        return register

    def callable(self, arity: tuple[int, ...] | int | None) -> Callable[[MethodImpl], MethodImpl]:
        """Register ``impl(ctx, module, *args)`` as what calling the module itself does."""
        counts = (arity,) if isinstance(arity, int) else arity

        def register(impl: MethodImpl) -> MethodImpl:
            self.apply = NativeMethod(self.name, impl, counts)
            return impl

        return register

    def has_member(self, name: str) -> bool:
        return name in self.fields or name in self.methods


PROTOTYPES: dict[type, TypeTable] = {}
"""Instance members by the receiver's Python type (``str``, ``list``, ``Time``...)."""

MODULES: dict[str, TypeTable] = {}
"""Static members of the global modules, by module name."""

GLOBAL_FUNCTIONS: dict[str, NativeMethod] = {}
"""Global functions by name; their ``impl`` is called as ``impl(ctx, None, *args)``."""


def prototype(python_type: type, fql_name: str) -> TypeTable:
    """The instance-member table for ``python_type``, created on first use."""
    table = PROTOTYPES.get(python_type)
    if table is None:
        table = PROTOTYPES[python_type] = TypeTable(fql_name)
    return table


def module(name: str) -> TypeTable:
    """The static-member table of the global module ``name``, created on first use."""
    table = MODULES.get(name)
    if table is None:
        table = MODULES[name] = TypeTable(name)
    return table


def global_function(
    name: str, arity: tuple[int, ...] | int | None
) -> Callable[[MethodImpl], MethodImpl]:
    """Register ``impl(ctx, None, *args)`` as the global function ``name``."""
    counts = (arity,) if isinstance(arity, int) else arity

    def register(impl: MethodImpl) -> MethodImpl:
        GLOBAL_FUNCTIONS[name] = NativeMethod(name, impl, counts)
        return impl

    return register

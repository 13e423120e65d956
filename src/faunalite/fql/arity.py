"""How many arguments a function value accepts, and FaunaDB's messages when that is violated.

A user lambda takes exactly its parameter count, or at least that many with a ``...rest``
parameter. A native function lists the counts it accepts (``None`` = any). Two messages use
this: calling with the wrong count (``invalid_function_invocation``) and passing a callback of
the wrong shape to a stdlib method (``invalid_argument``).
"""

from __future__ import annotations

from dataclasses import dataclass

from faunalite.fql.errors import QueryError
from faunalite.fql.values import Function, Lambda, NativeFunction


@dataclass(frozen=True, slots=True)
class Arity:
    """Either a fixed set of accepted counts (``fixed``) or "at least ``minimum``"."""

    fixed: tuple[int, ...] | None
    minimum: int = 0

    def accepts(self, count: int) -> bool:
        if self.fixed is None:
            return count >= self.minimum
        return count in self.fixed

    @property
    def counts(self) -> tuple[int, ...] | None:
        """The accepted counts, ``None`` when open-ended (the ``CallContext`` form)."""
        return self.fixed

    def describe(self, word: str = "argument") -> str:
        """``exactly 2 arguments``, ``1 or 2 arguments``, ``at least 1 argument``..."""
        if self.fixed is None:
            if self.minimum == 0:
                return f"any number of {word}s"
            if self.minimum == 1:
                return f"at least 1 {word}"
            return f"at least {self.minimum} {word}s"
        counts = sorted(set(self.fixed))
        if counts == [0]:
            return f"no {word}s"
        if counts == [1]:
            return f"exactly 1 {word}"
        if len(counts) == 1:
            return f"exactly {counts[0]} {word}s"
        return ", ".join(map(str, counts[:-1])) + f" or {counts[-1]} {word}s"


def arity_of(function: Function) -> Arity:
    """The arity of any function value. Storage-defined functions expose ``fql_arity``."""
    if isinstance(function, Lambda):
        if function.variadic is not None:
            return Arity(None, len(function.params))
        return Arity((len(function.params),))
    if isinstance(function, NativeFunction):
        return Arity(function.arity) if function.arity is not None else Arity(None)
    custom = getattr(function, "fql_arity", None)
    if isinstance(custom, Arity):
        return custom
    return Arity(None)


def wrong_argument_count(arity: Arity, provided: int) -> QueryError:
    """``callee function expects exactly 2 arguments, but 1 was provided.``"""
    verb = "was" if provided == 1 else "were"
    return QueryError(
        "invalid_function_invocation",
        f"callee function expects {arity.describe()}, but {provided} {verb} provided.",
    )


def check_callback(function: Function, param: str, expected: int) -> None:
    """Raise FaunaDB's ``invalid_argument`` if ``function`` cannot take ``expected`` args:
    ``` `reducer` should accept 2 parameters, provided function requires exactly 1 parameter.```
    """
    arity = arity_of(function)
    if arity.accepts(expected):
        return
    plural = "" if expected == 1 else "s"
    raise QueryError(
        "invalid_argument",
        f"`{param}` should accept {expected} parameter{plural}, "
        f"provided function requires {arity.describe('parameter')}.",
    )

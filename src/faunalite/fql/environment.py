"""Lexical variable scopes for the interpreter.

A scope is an immutable linked list of bindings: ``let`` and parameter binding make a new node
in front of the current one and never change an existing node. That gives FQL's closure rule
for free: a lambda keeps the node that was current when it was created, so later ``let``s
(even ones shadowing a captured name in the same block) are invisible to it.
"""

from __future__ import annotations

from typing import Final

from faunalite.fql.values import Value


class _Unbound:
    """Marker for "no such variable": a dedicated object, so no FQL value can be mistaken
    for it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNBOUND"


UNBOUND: Final = _Unbound()


class Scope:
    """One binding ``name = value`` in front of ``parent`` (``None`` at the outermost)."""

    __slots__ = ("name", "parent", "value")

    def __init__(self, name: str, value: Value, parent: Scope | None) -> None:
        self.name = name
        self.value = value
        self.parent = parent

    def __repr__(self) -> str:
        return f"Scope({self.name}={self.value!r}, ...)"


def bind(scope: Scope | None, name: str, value: Value) -> Scope:
    """The scope ``scope`` extended with ``name = value`` (shadowing any outer ``name``)."""
    return Scope(name, value, scope)


def lookup(scope: Scope | None, name: str) -> Value:
    """The innermost value bound to ``name``, or ``UNBOUND``."""
    node = scope
    while node is not None:
        if node.name == name:
            return node.value
        node = node.parent
    return UNBOUND

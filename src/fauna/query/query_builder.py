"""Queries as composable templates: ``fql()``, ``Query`` and its fragments.

``fql("Users.byId(${id})", id="123")`` builds a ``Query`` of literal FQL text and values. A
``Query`` passed as a value is nested as a sub-query. Nothing is encoded here: values stay Python
objects until ``fauna.encoding.FaunaEncoder`` turns the query into its ``{"fql": [...]}`` form.
"""

from __future__ import annotations

import abc
from typing import Any

from fauna.query.template import FaunaTemplate

__all__ = ["Fragment", "LiteralFragment", "Query", "ValueFragment", "fql"]


class Fragment(abc.ABC):
    """One part of a ``Query``: literal FQL text or a value."""

    @abc.abstractmethod
    def get(self) -> Any:
        """The text or value this fragment holds."""


class ValueFragment(Fragment):
    """A value bound to a template variable (any encodable value, or a nested ``Query``)."""

    def __init__(self, val: Any) -> None:
        self._val = val

    def get(self) -> Any:
        return self._val

    def __repr__(self) -> str:
        return f"ValueFragment({self._val!r})"


class LiteralFragment(Fragment):
    """FQL source text, sent as written."""

    def __init__(self, val: str) -> None:
        self._val = val

    def get(self) -> str:
        return self._val

    def __repr__(self) -> str:
        return f"LiteralFragment({self._val!r})"


class Query:
    """An FQL query built from fragments; build one with ``fql()``.

    ``str(query)`` shows the text with values rendered by ``str`` (a debugging aid, not valid FQL
    in general).
    """

    def __init__(self, fragments: list[Fragment] | None = None) -> None:
        self._fragments: list[Fragment] = fragments or []

    @property
    def fragments(self) -> list[Fragment]:
        return self._fragments

    def __str__(self) -> str:
        return "".join(str(fragment.get()) for fragment in self._fragments)


def fql(query: str, **kwargs: Any) -> Query:
    """Build a ``Query`` from an FQL template and the values of its ``${name}`` variables.

    Values may be anything the encoder accepts: ``str``, ``int``, ``float``, ``bool``, ``None``,
    ``datetime``, ``date``, ``bytes``, lists, tuples, dicts, enum members, documents, references,
    modules, event sources and other queries (nested as sub-queries). Write ``$$`` for a literal
    ``$``. Extra keyword arguments are ignored.

    Raises ``ValueError`` for an invalid ``$`` (with its line and column) or a variable with no
    keyword argument.

    >>> def user(id):
    ...     return fql("Users.byId(${id})", id=id)
    >>> str(fql("${u} { name }", u=user("123")))
    'Users.byId(123) { name }'
    """
    fragments: list[Fragment] = []
    pending = ""  # literal text not yet emitted: an escape splits one literal into two parts
    for literal, name in FaunaTemplate(query).iter():
        pending += literal or ""
        if name is not None:
            if pending:
                fragments.append(LiteralFragment(pending))
                pending = ""
            if name not in kwargs:
                raise ValueError(f"template variable `{name}` not found in provided kwargs")
            fragments.append(ValueFragment(kwargs[name]))
    if pending:
        fragments.append(LiteralFragment(pending))
    return Query(fragments)

"""The constructor signature each client shows in ``help()`` and ``inspect.signature``.

Both clients inherit one ``__init__`` from ``ClientBase``, written against
type variables for the pool and transport and with postponed (string)
annotations. Left alone, ``help(Client)`` would show ``http_client:
'PoolT | None'``. ``concrete_signature`` evaluates the annotations and puts
each client's own pool and transport types in place of the variables, so
``help(Client)`` reads ``http_client: HTTPClient | httpx.Client | None``.
"""

from __future__ import annotations

import functools
import inspect
import operator
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar


def _substitute(annotation: Any, bindings: dict[Any, Any]) -> Any:
    """``annotation`` with bound type variables replaced, unions written with ``|``."""
    if isinstance(annotation, TypeVar):
        return bindings.get(annotation, annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [_substitute(member, bindings) for member in typing.get_args(annotation)]
        if any(isinstance(member, TypeVar) for member in members):
            return annotation
        return functools.reduce(operator.or_, members)
    return annotation


def concrete_signature(
    init: Callable[..., None], generic_base: Any, parameters: tuple[Any, ...]
) -> inspect.Signature | None:
    """``init``'s signature without ``self``, with ``generic_base``'s arguments bound.

    ``generic_base`` is the subscripted base (``ClientBase[HTTPClient, ...]``);
    ``parameters`` the type variables it binds, in order. ``None`` when the
    annotations cannot be evaluated (the plain signature is then shown).
    """
    try:
        signature = inspect.signature(init, eval_str=True)
    except (NameError, TypeError, SyntaxError):
        return None
    bindings = dict(zip(parameters, typing.get_args(generic_base), strict=False))
    shown = [
        parameter.replace(annotation=_substitute(parameter.annotation, bindings))
        for parameter in list(signature.parameters.values())[1:]
    ]
    return signature.replace(parameters=shown, return_annotation=inspect.Signature.empty)

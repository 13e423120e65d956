"""Functions and values an event source keeps, as self-contained data that outlives the query.

An event source token must rebuild its set in a later request, possibly after a restart, so
the ``where``/``map`` functions of the set cannot be kept as live objects. A function is kept
as its *FQL source text* plus the values of its free variables (``let`` bindings, parameters of
enclosing lambdas, query arguments) captured when the source was made; rebuilding parses the
text again and evaluates it in a scope holding those values. Globals (collections, stdlib
modules, UDFs) are not captured: they are resolved again in the database where the stream runs.

Captured values are written as small JSON trees: documents as references (re-read at event
time), modules by name, lambdas recursively, everything else in the storage codec. A value with
no such form (a Set, a native function, a cursor) makes the source unstreamable: the caller
reports it as ``invalid_receiver``.

Not here: token signing (``faunalite.events.sources``), evaluating events (``translate``).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faunalite.fql import ast
from faunalite.fql.environment import UNBOUND, Scope, bind, lookup
from faunalite.fql.values import Function, Lambda, Module, Null, Value
from faunalite.storage.codec import UnstorableValueError, decode_value, encode_value
from faunalite.wire.encoding import JSON

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext
    from faunalite.model.session import QuerySession

STREAM_SOURCE_NAME = "*stream*"
"""The source name of rebuilt functions, as error summaries would show it."""

PROJECTED = "__faunalite_projected__"
"""The parameter name of the lambda a projection is rebuilt as (users cannot collide with it
in practice: FQL programs do not use dunder names, and it is bound only inside that lambda)."""


class NotCapturable(Exception):
    """A value an event source would need to keep but cannot (``kind`` names its type)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class CapturedFunction:
    """A function as kept in a token: FQL source of a lambda, and its free variables."""

    code: str
    env: tuple[tuple[str, JSON], ...] = ()

    def to_json(self) -> JSON:
        return {"code": self.code, "env": [[name, value] for name, value in self.env]}

    @classmethod
    def from_json(cls, data: JSON) -> CapturedFunction:
        code, env = data["code"], data["env"]
        if not isinstance(code, str) or not isinstance(env, list):
            raise ValueError("malformed captured function")
        return cls(code, tuple((str(name), value) for name, value in env))


# -- free variables --------------------------------------------------------------------------------


def free_names(node: Any, bound: frozenset[str] = frozenset()) -> set[str]:
    """Names ``node`` reads that it does not bind itself (in first-use order is not kept)."""
    found: set[str] = set()
    _collect(node, bound, found)
    found.discard(ast.IMPLICIT_PARAM)
    return found


def _collect(node: Any, bound: frozenset[str], found: set[str]) -> None:
    if isinstance(node, ast.Identifier):
        if node.name not in bound:
            found.add(node.name)
    elif isinstance(node, ast.Lambda):
        names = {name for name in node.params if name is not None}
        if node.variadic is not None:
            names.add(node.variadic)
        _collect(node.body, bound | names, found)
    elif isinstance(node, ast.Block):
        scope = bound
        for statement in node.statements:
            if isinstance(statement, ast.Let):
                _collect(statement.value, scope, found)
                scope = scope | {statement.name}
            else:
                _collect(statement, scope, found)
    elif isinstance(node, (list, tuple)) and not isinstance(node, ast.ObjectField):
        for item in node:
            _collect(item, bound, found)
    elif isinstance(node, ast.ObjectField):
        _collect(node.value, bound, found)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            if field.name != "span" and not field.name.endswith("_span"):
                _collect(getattr(node, field.name), bound, found)


# -- capturing -------------------------------------------------------------------------------------


def _span_text(span: Any) -> str:
    return str(span.source.text[span.start : span.end])


def capture_function(ctx: QueryContext, function: Function) -> CapturedFunction:
    """``function`` (a where/map argument) as source text plus captured free variables."""
    projection = getattr(function, "projection_body", None)
    if projection is not None:
        # A projection `set { a, b }` maps with a native builder that carries its body.
        body_text = _span_text(projection.span)
        code = f"({PROJECTED}) => {PROJECTED} {body_text}"
        names = free_names(projection, frozenset({PROJECTED}))
        return CapturedFunction(code, _capture_env(ctx, names, function.projection_scope))  # type: ignore[attr-defined]
    if not isinstance(function, Lambda) or function.span is None:
        raise NotCapturable(type(function).__name__)
    params = {name for name in function.params if name is not None}
    if function.variadic is not None:
        params.add(function.variadic)
    names = free_names(function.body, frozenset(params))
    return CapturedFunction(_span_text(function.span), _capture_env(ctx, names, function.closure))


def _capture_env(
    ctx: QueryContext, names: set[str], closure: Scope | None
) -> tuple[tuple[str, JSON], ...]:
    captured: list[tuple[str, JSON]] = []
    for name in sorted(names):
        value = lookup(closure, name)
        if value is UNBOUND:
            if name not in ctx.bindings:
                continue  # a global: resolved again where the stream runs
            value = ctx.bindings[name]
        captured.append((name, capture_value(ctx, value)))
    return tuple(captured)


def capture_value(ctx: QueryContext, value: Value) -> JSON:
    """A JSON form of ``value`` that ``restore_value`` turns back into an equal value."""
    from faunalite.model.documents import DocValue

    kind = type(value)
    if kind is list:
        return {"arr": [capture_value(ctx, item) for item in value]}
    if kind is dict:
        return {"obj": {key: capture_value(ctx, item) for key, item in value.items()}}
    if isinstance(value, Null):
        return {"null": None}
    if isinstance(value, DocValue):
        return {"doc": [value.collection, value.key]}
    if isinstance(value, Module):
        return {"mod": value.name}
    if isinstance(value, Function):
        return {"fn": capture_function(ctx, value).to_json()}
    try:
        return {"val": base64.b64encode(encode_value(value)).decode("ascii")}
    except UnstorableValueError:
        from faunalite.fql.values import type_name

        raise NotCapturable(type_name(value)) from None


# -- rebuilding ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _parsed_function(code: str) -> ast.Expr:
    """The AST of a function's code (parsed as the argument of a call, so that short lambdas
    such as ``.price > 10`` parse as they did in the original query)."""
    from faunalite.fql.parser import parse_query

    tree = parse_query(f"f({code})", STREAM_SOURCE_NAME)
    call = tree.body.statements[-1]
    if not isinstance(call, ast.Call) or len(call.args) != 1:
        raise ValueError("captured code is not one function")
    return call.args[0]


def restore_function(ctx: QueryContext, session: QuerySession, data: JSON) -> Function:
    """The function a ``capture_function`` JSON form describes, in ``session``'s database."""
    captured = CapturedFunction.from_json(data)
    scope: Scope | None = None
    for name, value in captured.env:
        scope = bind(scope, name, restore_value(ctx, session, value))
    interpreter = ctx.interpreter
    if interpreter is None:
        raise RuntimeError("restore_function needs a running interpreter")
    function = interpreter.eval(_parsed_function(captured.code), scope)
    if not isinstance(function, Function):
        raise ValueError("captured code is not a function")
    return function


def restore_value(ctx: QueryContext, session: QuerySession, data: JSON) -> Value:
    from faunalite.model.documents import make_doc

    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError("malformed captured value")
    ((tag, content),) = data.items()
    if tag == "arr":
        return [restore_value(ctx, session, item) for item in content]
    if tag == "obj":
        return {key: restore_value(ctx, session, item) for key, item in content.items()}
    if tag == "null":
        return Null()
    if tag == "doc":
        collection, key = content
        return make_doc(session, str(collection), key)
    if tag == "mod":
        return Module(str(content))
    if tag == "fn":
        return restore_function(ctx, session, content)
    if tag == "val":
        return decode_value(base64.b64decode(content))
    raise ValueError(f"unknown captured value tag {tag!r}")

"""User-defined functions: the ``Function`` native collection and UDF values.

``Function.create({ name, body })`` stores the body as FQL text after checking it parses as one
lambda (else ``constraint_failure`` with ``body: Unable to parse FQL source code.``). In later
queries the function is a global (by name or alias) and ``Function("name")`` returns it; a
``UserFunction`` value parses its body once per query, under the source name ``*udf:Name*``,
so errors raised inside point into the body and the call sites stack up in the trace. As with
collections, a function created in a query is not a global of that same query.

Calling one needs the ``call`` right (``admin``, ``server``, or a user role's ``call``
privilege on the function); a function with a ``role`` runs its body with that role.
"""

from __future__ import annotations

from typing import Any

from faunalite.fql import ast
from faunalite.fql.arity import Arity
from faunalite.fql.diagnostics import render_error
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parser import parse_function_body
from faunalite.fql.stdlib.registry import prototype
from faunalite.fql.values import Function, Lambda, Value
from faunalite.model.collections import schema_module
from faunalite.model.documents import NamedDoc
from faunalite.model.schema import (
    OBJECT,
    STRING,
    Failures,
    NativeSpec,
    alias_failures,
    names_at_start,
    register_spec,
)
from faunalite.model.session import (
    FUNCTION,
    QuerySession,
    add_global_resolver,
    permission_denied,
)


def _body_failures(body: Any) -> Failures:
    if not isinstance(body, str):
        return []
    try:
        parse_function_body(body, "*body*")
    except QueryCheckError as error:
        rendered = "\n".join(
            "  " + line if line else line for line in render_error(error).split("\n")
        )
        return [(["body"], "Unable to parse FQL source code.\n" + rendered)]
    return []


def _validate_function(session: QuerySession, stored: dict[str, Any], old: Any) -> Failures:
    return _body_failures(stored.get("body")) + alias_failures(session, FUNCTION_SPEC, stored, old)


FUNCTION_SPEC = register_spec(
    NativeSpec(
        FUNCTION,
        {"alias": STRING, "body": STRING, "signature": STRING, "role": STRING, "data": OBJECT},
        "FunctionDef",
        "{ name: String, alias: String | Null, signature: String | Null, role: String | Null,"
        " body: String, data: { *: Any } | Null }",
        required=("body",),
        validate=_validate_function,
    )
)


class UserFunction(Function):
    """A UDF as a value: calling it runs its stored lambda (see the module docstring)."""

    __slots__ = ("_lambda", "body", "name", "role", "session")

    def __init__(
        self, session: QuerySession, name: str, body: str, role: str | None = None
    ) -> None:
        self.session = session
        self.name = name
        self.body = body
        self.role = role
        """The role its body runs with (``Function.create({ role })``), ``None``: the caller's."""
        self._lambda: ast.Lambda | None = None

    @property
    def display_name(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UserFunction) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("udf", self.name))

    def _parsed(self) -> ast.Lambda:
        if self._lambda is None:
            self._lambda = parse_function_body(self.body, f"*udf:{self.name}*")
        return self._lambda

    @property
    def fql_arity(self) -> Arity:
        node = self._parsed()
        if node.variadic is not None:
            return Arity(None, len(node.params))
        return Arity((len(node.params),))

    def fql_call(self, ctx: Any, args: list[Value]) -> Value:
        # FaunaDB checks ``call`` before anything else (``LambdaWrapper.apply``), then runs
        # the body with the function's own role when it has one (``evalLambda(fn, role)``).
        if not self.session.may_call(self.name, args):
            raise permission_denied()
        node = self._parsed()
        function = Lambda(list(node.params), node.variadic, node.body, None, node.span)
        if self.role is None:
            return ctx.call(function, args)
        with self.session.act_as_function_role(self.role):
            return ctx.call(function, args)


USER_FUNCTION = prototype(UserFunction, "UserFunction", "<A> UserFunction<A>")


@USER_FUNCTION.field("definition", signature="FunctionDef")
def _definition(udf: UserFunction) -> Value:
    return NamedDoc(udf.session, FUNCTION, udf.name, udf.session.read_ts)


def _functions_at_start(session: QuerySession) -> dict[str, tuple[str, str, str | None]]:
    """Name and alias → (function name, body, role), as of the query's start."""
    return names_at_start(
        session,
        FUNCTION,
        "functions_at_start",
        lambda doc: (str(doc.key), str(doc.data.get("body", "")), _stored_role(doc.data)),
    )


def _stored_role(data: Any) -> str | None:
    role = data.get("role") if isinstance(data, dict) else None
    return role if isinstance(role, str) else None


def user_function(session: QuerySession, name: str) -> UserFunction | None:
    entry = _functions_at_start(session).get(name)
    if entry is None:
        return None
    return UserFunction(session, *entry)


def _resolve_function(session: QuerySession, name: str) -> Value | None:
    return user_function(session, name)


add_global_resolver(_resolve_function)

FUNCTION_MODULE = schema_module(FUNCTION_SPEC, "function", _resolve_function)

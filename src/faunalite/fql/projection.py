"""Projection: ``value { a, b { c }, d: expr }``, evaluated as FaunaDB does.

A projection of an object or a document builds an object of the named fields (each optionally
projected further) and computed entries (``d: expr``, with ``.`` bound to the value); of an
array, one such object per element; of a set, the set mapped through a ``ProjectionMapper``.
Null and missing documents project to null. ``value { * }`` is refused when checked.

Not here: reading members (``Interpreter.read_field``) and evaluation in general
(``interpreter``), which this module calls back into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from faunalite.fql import ast
from faunalite.fql.environment import Scope, bind
from faunalite.fql.errors import CheckDiagnostic, QueryCheckError
from faunalite.fql.members import find_method, invalid_null_access
from faunalite.fql.values import NativeFunction, Null, StorageValue, Value

if TYPE_CHECKING:
    from faunalite.fql.interpreter import Interpreter


@dataclass(eq=False, slots=True)
class ProjectionMapper(NativeFunction):
    """The mapper a projection ``set { ... }`` passes to ``map``. It keeps the projection
    body and scope so that event sources can store the projection as FQL source text."""

    projection_body: ast.ProjectionBody | None = None
    projection_scope: Scope | None = None


def project(
    interpreter: Interpreter, value: Value, body: ast.ProjectionBody, scope: Scope | None
) -> Value:
    """``value { ... }`` (see the module docstring)."""
    if body.star:
        raise QueryCheckError([CheckDiagnostic("project expr not supported", body.span)])
    if isinstance(value, Null):
        return value
    if interpreter.is_missing_document(value):
        return Null(None, body.span)
    if type(value) is list:
        return [project_element(interpreter, element, body, scope) for element in value]
    map_method = find_method(value, "map", interpreter.module_tables)
    if isinstance(value, StorageValue) and map_method is not None:
        # A set may run the builder in a later query (a cursor's next page): use the
        # interpreter of the query running it, not this one.
        builder = ProjectionMapper(
            "map",
            lambda ctx, element: project_element(ctx.interpreter, element, body, scope),
            (1,),
            body,
            scope,
        )
        return interpreter.run_native(map_method, value, [builder])
    if type(value) is dict or isinstance(value, StorageValue):
        return _build_projection(interpreter, value, body, scope)
    return value


def project_element(
    interpreter: Interpreter, element: Value, body: ast.ProjectionBody, scope: Scope | None
) -> Value:
    """One element of a projected array or set: null and missing documents stay null."""
    if isinstance(element, Null):
        return element
    if interpreter.is_missing_document(element):
        return Null(None, body.span)
    return _build_projection(interpreter, element, body, scope)


def _build_projection(
    interpreter: Interpreter, value: Value, body: ast.ProjectionBody, scope: Scope | None
) -> dict[str, Value]:
    result: dict[str, Value] = {}
    for item in body.items:
        if isinstance(item, ast.ProjectField):
            if isinstance(value, Null):
                raise invalid_null_access(item.name, value, item.name_span)
            field = interpreter.read_field(value, item.name, item.name_span)
            if item.sub is not None:
                field = interpreter.in_frame(
                    item.span, project, interpreter, field, item.sub, scope
                )
            result[item.name] = field
        else:
            inner = bind(scope, ast.IMPLICIT_PARAM, value)
            result[item.name] = interpreter.eval(item.value, inner)
    return result

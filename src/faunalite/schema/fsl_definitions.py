"""Two views of functions, roles and access providers (FSL items and FQL definition
documents), and the FSL FaunaDB generates for a database whose schema was made with FQL.

The shapes follow FaunaDB's ``SchemaToStruct`` (FSL → document) and ``SchemaTranslator``
(document → FSL):

* a function's ``body`` is its lambda, ``(a, ...b) => { ... }``, and its ``signature`` the
  function type ``(a: Int, b: ...Int) => Int`` when every argument and the result are typed;
* a role's ``privileges`` are ``[{ resource, actions: { read: true, write: "<lambda>" } }]``
  and its ``membership`` ``[{ resource, predicate? }]``;
* an access provider's ``roles`` are names, or ``{ role, predicate }`` when a predicate is set.

``generated_schema(items)`` is the ``main.fsl`` FaunaDB derives from such a schema: a preamble
comment, then collections, functions, roles and access providers, a blank line apart.
This module converts; it neither validates nor stores.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from faunalite.fql import ast
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parser import parse_function_body
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_convert import (
    collection_definition,
    parse_lambda,
    parse_type,
)
from faunalite.schema.fsl_errors import SchemaError
from faunalite.schema.fsl_members import ACTIONS
from faunalite.schema.fsl_printer import lambda_source, print_item, type_text
from faunalite.schema.fsl_types import source_text

PREAMBLE = (
    "// The following schema is auto-generated.\n"
    "// This file contains FSL for FQL10-compatible schema items.\n"
)
"""What precedes the FSL FaunaDB generates in ``main.fsl`` (then a blank line, so the comment
is not taken as the first item's doc comment)."""


def definition(item: f.Item) -> dict[str, Any]:
    """The FQL definition document of any FSL item."""
    if isinstance(item, f.Collection):
        return collection_definition(item)
    if isinstance(item, f.Function):
        return function_definition(item)
    if isinstance(item, f.Role):
        return role_definition(item)
    return access_provider_definition(item)


# -- functions ------------------------------------------------------------------------------------


def function_definition(function: f.Function) -> dict[str, Any]:
    """``{ name, body, signature?, alias?, role? }`` for an FSL function."""
    params = ", ".join(
        ("..." if arg.variadic else "") + arg.name.text for arg in function.arguments
    )
    document: dict[str, Any] = {
        "name": function.name.text,
        "body": f"({params}) => {function.body.text}",
    }
    typed = all(arg.type is not None for arg in function.arguments)
    if typed and function.result is not None:
        signature = ", ".join(
            f"{arg.name.text}: {'...' if arg.variadic else ''}{type_text(arg.type)}"
            for arg in function.arguments
            if arg.type is not None
        )
        document["signature"] = f"({signature}) => {type_text(function.result)}"
    if function.alias is not None:
        document["alias"] = function.alias.text
    if function.role is not None:
        document["role"] = function.role.text
    return document


def function_from_definition(document: Mapping[str, Any]) -> f.Function:
    """The FSL declaration of a stored function (its body re-read as a block)."""
    name = str(document["name"])
    source = f"*udf:{name}*"
    try:
        lambda_node = parse_function_body(str(document["body"]), source)
    except QueryCheckError as error:
        raise SchemaError(error.diagnostics) from None
    signature = document.get("signature")
    param_types: list[f.TypeExpr | None] = []
    variadic_type: f.TypeExpr | None = None
    result: f.TypeExpr | None = None
    if signature is not None:
        parsed = parse_type(str(signature), source)
        if isinstance(parsed, f.FunctionType):
            param_types = [param for _, param in parsed.params]
            variadic_type = None if parsed.variadic is None else parsed.variadic[1]
            result = parsed.result
    arguments = [
        f.Argument(f.Name(param or "_"), param_types[i] if i < len(param_types) else None)
        for i, param in enumerate(lambda_node.params)
    ]
    if lambda_node.variadic is not None:
        arguments.append(f.Argument(f.Name(lambda_node.variadic), variadic_type, variadic=True))
    if not all(argument.type is not None for argument in arguments):
        arguments = [dataclasses.replace(argument, type=None) for argument in arguments]
        result = None
    alias, role = document.get("alias"), document.get("role")
    return f.Function(
        f.Name(name),
        tuple(arguments),
        _block_of(lambda_node.body),
        result,
        None if alias is None else f.Name(str(alias)),
        None if role is None else f.Name(str(role)),
    )


def _block_of(body: ast.Expr) -> f.FQLExpr:
    """A function body as the block FSL writes: a block as it is, anything else in one."""
    span = body.span
    text = source_text(span.source.text, span.start, span.end)
    if isinstance(body, ast.Block):
        return f.FQLExpr(text, body, span)
    inner = "\n".join("  " + line if line else line for line in text.split("\n"))
    return f.FQLExpr("{\n" + inner + "\n}")


# -- roles ---------------------------------------------------------------------------------------------


def role_definition(role: f.Role) -> dict[str, Any]:
    """``{ name, privileges, membership }`` for an FSL role."""
    privileges: list[dict[str, Any]] = []
    for entry in role.privileges:
        spec: dict[str, Any] = {"resource": entry.resource.text}
        if entry.actions:
            spec["actions"] = {
                action.action: True if action.predicate is None else lambda_source(action.predicate)
                for action in entry.actions
            }
        privileges.append(spec)
    membership: list[dict[str, Any]] = []
    for member in role.memberships:
        spec = {"resource": member.collection.text}
        if member.predicate is not None:
            spec["predicate"] = lambda_source(member.predicate)
        membership.append(spec)
    return {"name": role.name.text, "privileges": privileges, "membership": membership}


def role_from_definition(document: Mapping[str, Any]) -> f.Role:
    """The FSL declaration of a stored role (actions set to ``false`` are left out)."""
    name = str(document["name"])
    privileges: list[f.Privileges] = []
    for entry in _listed(document.get("privileges")):
        actions: list[f.Privilege] = []
        for action, allowed in (entry.get("actions") or {}).items():
            kind = next((known for known in ACTIONS if known == action), None)
            if kind is None or allowed is False:
                continue
            predicate = (
                parse_lambda(allowed, f"*predicate:{name}:{action}*")
                if isinstance(allowed, str)
                else None
            )
            actions.append(f.Privilege(kind, predicate))
        privileges.append(f.Privileges(f.Name(str(entry["resource"])), tuple(actions)))
    memberships: list[f.Membership] = []
    for entry in _listed(document.get("membership")):
        predicate_text = entry.get("predicate")
        predicate = (
            None
            if predicate_text is None
            else parse_lambda(str(predicate_text), f"*predicate:{name}:membership*")
        )
        memberships.append(f.Membership(f.Name(str(entry["resource"])), predicate))
    return f.Role(f.Name(name), tuple(privileges), tuple(memberships))


def _listed(value: Any) -> list[Any]:
    """FaunaDB takes one entry or an array of them."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# -- access providers -------------------------------------------------------------------------------


def access_provider_definition(provider: f.AccessProvider) -> dict[str, Any]:
    """``{ name, issuer, jwks_uri, roles? }`` for an FSL access provider."""
    document: dict[str, Any] = {
        "name": provider.name.text,
        "issuer": provider.issuer,
        "jwks_uri": provider.jwks_uri,
    }
    if provider.roles:
        document["roles"] = [
            role.name.text
            if role.predicate is None
            else {"role": role.name.text, "predicate": lambda_source(role.predicate)}
            for role in provider.roles
        ]
    return document


def access_provider_from_definition(document: Mapping[str, Any]) -> f.AccessProvider:
    """The FSL declaration of a stored access provider."""
    name = str(document["name"])
    roles: list[f.ProviderRole] = []
    for entry in _listed(document.get("roles")):
        if isinstance(entry, str):
            roles.append(f.ProviderRole(f.Name(entry)))
            continue
        predicate_text = entry.get("predicate")
        predicate = (
            None
            if predicate_text is None
            else parse_lambda(str(predicate_text), f"*predicate:{name}:{entry['role']}*")
        )
        roles.append(f.ProviderRole(f.Name(str(entry["role"])), predicate))
    return f.AccessProvider(
        f.Name(name), str(document["issuer"]), str(document["jwks_uri"]), tuple(roles)
    )


# -- the generated main.fsl ---------------------------------------------------------------------------


def generated_schema(items: Iterable[f.Item]) -> str:
    """The ``main.fsl`` FaunaDB derives from a schema made with FQL ("" when it is empty).

    A function named like a collection gets the alias ``<name>Function`` (longer if taken),
    so that the file parses, as FaunaDB does.
    """
    ordered = sorted(items, key=_kind_order)
    if not ordered:
        return ""
    taken = {item.name.text for item in ordered if isinstance(item, (f.Collection, f.Function))}
    collections = {item.name.text for item in ordered if isinstance(item, f.Collection)}
    parts = [PREAMBLE]
    for item in ordered:
        if isinstance(item, f.Function) and item.alias is None and item.name.text in collections:
            alias = item.name.text + "Function"
            while alias in taken:
                alias += "Function"
            taken.add(alias)
            item = dataclasses.replace(item, alias=f.Name(alias))
        parts.append(print_item(item))
    return "\n".join(parts)


def _kind_order(item: f.Item) -> int:
    kinds = (f.Collection, f.Function, f.Role, f.AccessProvider)
    return next(index for index, kind in enumerate(kinds) if isinstance(item, kind))

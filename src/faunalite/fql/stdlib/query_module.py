"""The ``Query`` module: what a query can learn about who runs it and its environment.

faunalite authenticates with keys only (no tokens, credentials or JWTs), so a query never has
an identity or a token: ``identity()``/``token()`` answer null with FaunaDB's causes
(``missing identity``/``no token``), which ``!`` turns into ``Null value, due to ...``.
``isEnvTypechecked()`` answers whether the static typechecker ran for this query (the
database's ``typechecked`` setting or the ``X-Typecheck`` header); every environment is
unprotected.
"""

from __future__ import annotations

from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.iterables import no_element
from faunalite.fql.stdlib.registry import CallContext, module
from faunalite.fql.values import Module, Null

QUERY = module("Query")


@QUERY.method("identity", 0, signature="() => { *: Any } | Null")
def identity(ctx: CallContext, _: Module) -> Null:
    return no_element(ctx, "missing identity")


@QUERY.method("token", 0, signature="() => { *: Any } | Null")
def token(ctx: CallContext, _: Module) -> Null:
    return no_element(ctx, "no token")


@QUERY.method("isEnvTypechecked", 0, signature="() => Boolean")
def is_env_typechecked(ctx: CallContext, _: Module) -> bool:
    return bool(getattr(ctx, "typechecked", False))


@QUERY.method("isEnvProtected", 0, signature="() => Boolean")
def is_env_protected(ctx: CallContext, _: Module) -> bool:
    # FaunaDB lets only admin principals ask; a context without storage has no rights at all.
    if getattr(getattr(ctx, "storage", None), "role", None) != "admin":
        raise QueryError("permission_denied", "Insufficient privileges to perform the action.")
    return False

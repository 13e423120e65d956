"""The ``Query`` module: what a query can learn about who runs it and its environment.

``identity()`` is the document a token or an ``@doc/...`` secret acts as, ``token()`` the
``Token`` a token's secret belongs to (FaunaDB's ``stdlib/Query.scala``). Without them they
answer null with FaunaDB's causes (``missing identity``/``no token``), which ``!`` turns into
``Null value, due to ...``; for a JWT both are null (FaunaDB's ``token()`` is its payload).
``isEnvTypechecked()`` answers whether the static typechecker ran for this query (the
database's ``typechecked`` setting or the ``X-Typecheck`` header); ``isEnvProtected()`` reads
the database's ``protected`` flag.
"""

from __future__ import annotations

from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.iterables import no_element
from faunalite.fql.stdlib.registry import CallContext, module
from faunalite.fql.values import Module, Value

QUERY = module("Query")


@QUERY.method("identity", 0, signature="() => { *: Any } | Null")
def identity(ctx: CallContext, _: Module) -> Value:
    from faunalite.model.documents import make_doc
    from faunalite.model.session import QuerySession

    session = getattr(ctx, "storage", None)
    if isinstance(session, QuerySession) and session.identity is not None:
        collection, key = session.identity
        return make_doc(session, collection, key)
    return no_element(ctx, "missing identity")


@QUERY.method("token", 0, signature="() => { *: Any } | Null")
def token(ctx: CallContext, _: Module) -> Value:
    from faunalite.model.documents import make_doc
    from faunalite.model.session import TOKEN, QuerySession

    session = getattr(ctx, "storage", None)
    if isinstance(session, QuerySession) and session.token is not None:
        return make_doc(session, TOKEN, session.token)
    return no_element(ctx, "no token")


@QUERY.method("isEnvTypechecked", 0, signature="() => Boolean")
def is_env_typechecked(ctx: CallContext, _: Module) -> bool:
    return bool(getattr(ctx, "typechecked", False))


@QUERY.method("isEnvProtected", 0, signature="() => Boolean")
def is_env_protected(ctx: CallContext, _: Module) -> bool:
    """The ``protected`` flag of the database the query runs in (FaunaDB's
    ``Database.isProtected``); the root database has no document, so it is never protected."""
    from faunalite.model.session import DATABASE, QuerySession

    # FaunaDB lets only admin principals ask; a context without storage has no rights at all.
    session = getattr(ctx, "storage", None)
    if not isinstance(session, QuerySession) or session.role != "admin":
        raise QueryError("permission_denied", "Insufficient privileges to perform the action.")
    parent = session.database.parent
    if parent is None:
        return False
    found = session.txn.get(parent, DATABASE, session.database.name)
    if found is None or not isinstance(found.data, dict):
        return False
    return found.data.get("protected") is True

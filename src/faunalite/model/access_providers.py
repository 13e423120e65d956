"""Access providers: the ``AccessProvider`` native collection and the roles a JWT gets.

An access provider names an identity provider that issues JWTs for the database it lives in
(FaunaDB's ``ext/model/.../AccessProvider.scala``):

* ``issuer``: the ``iss`` its tokens carry, unique in the database (``Duplicate value.``);
* ``jwks_uri``: where its signing keys are published, an ``https`` URL (``Invalid URI.``).
  faunalite also accepts ``http`` on a loopback host (``127.0.0.1``, ``::1``, ``localhost``)
  so that tests can serve a JWKS locally, as FaunaDB's own tests do through its
  "safe access providers" setting;
* ``roles``: a role name, ``{ role, predicate }`` or an array of them. Built-in roles are
  refused (``Builtin role `server` not allowed.``) and user roles must exist
  (``Role `X` does not exist.``);
* ``audience`` (set by the server, read-only): ``https://db.fauna.com/db/<global_id>``, the
  ``aud`` a token for this database must carry. A child database's global id is its
  ``Database`` document's ``global_id``; the root database, which has no such document, gets
  one the first time it needs it (stored in the root scope).

A verified JWT (``faunalite.server.jwt_auth``) runs as ``@provider/<name>``: when its query
starts, ``jwt_user_role`` keeps the provider's roles whose predicate returns ``true`` for the
token's payload (a role without predicate always applies) and merges their privileges; none
left means the token grants nothing (401), as in FaunaDB's ``JWTToken.getRoles``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from faunalite.fql.errors import QueryCheckError, QueryError
from faunalite.fql.parser import parse_function_body
from faunalite.fql.values import Lambda, Value
from faunalite.model.access import BUILTIN_ROLES, PREDICATE_ROLE, Policy, UserRole
from faunalite.model.databases import _named_module as named_module
from faunalite.model.schema import ANY, OBJECT, STRING, Failures, NativeSpec, register_spec
from faunalite.model.session import ACCESS_PROVIDER, DATABASE, ROLE, QuerySession
from faunalite.storage.interface import ROOT_SCOPE, Transaction
from faunalite.wire.decoding import decode_simple

AUDIENCE_PREFIX = "https://db.fauna.com/db/"
"""What a database's audience starts with (FaunaDB's ``JWTToken.CanonicalDBUrlPrefix``)."""

PROVIDER_ROLE_PREFIX = "@provider/"
"""A principal's role string for a JWT: ``@provider/<AccessProvider name>``."""

ROOT_META = "#root_database"
"""Root-scope storage collection holding the root database's ``global_id``."""

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


# -- global ids and audiences ------------------------------------------------------------------


def database_global_id(txn: Transaction, path: tuple[str, ...], *, create: bool) -> str | None:
    """The global id of the database at ``path``; the root's is made (``create``) if absent."""
    if not path:
        found = txn.get(ROOT_SCOPE, ROOT_META, "global_id")
        if found is not None:
            return str(found.data["global_id"])
        if not create:
            return None
        global_id = "".join(
            secrets.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(13)
        )
        txn.put(ROOT_SCOPE, ROOT_META, "global_id", {"global_id": global_id})
        return global_id
    parent = txn.find_database(path[:-1])
    document = txn.get(parent.scope, DATABASE, path[-1]) if parent is not None else None
    if document is None or not isinstance(document.data.get("global_id"), str):
        return None
    return str(document.data["global_id"])


def audience_of(global_id: str) -> str:
    return AUDIENCE_PREFIX + global_id


def _find_database(txn: Transaction, global_id: str) -> tuple[tuple[str, ...], int] | None:
    """The path and scope of the live database with ``global_id``."""
    if database_global_id(txn, (), create=False) == global_id:
        return (), ROOT_SCOPE
    pending = [ROOT_SCOPE]
    while pending:
        scope = pending.pop()
        for child in txn.child_databases(scope):
            document = txn.get(scope, DATABASE, child.path[-1])
            if document is not None and document.data.get("global_id") == global_id:
                return tuple(child.path), child.scope
            pending.append(child.scope)
    return None


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """What verifying a JWT needs from the access provider its ``aud`` and ``iss`` name."""

    database: tuple[str, ...]
    name: str
    jwks_uri: str


def find_access_provider(txn: Transaction, global_id: str, issuer: str) -> ProviderRecord | None:
    """The provider with ``issuer`` in the database whose global id is ``global_id``."""
    found = _find_database(txn, global_id)
    if found is None:
        return None
    path, scope = found
    for document in txn.scan(scope, ACCESS_PROVIDER):
        if document.data.get("issuer") == issuer:
            return ProviderRecord(path, str(document.key), str(document.data.get("jwks_uri")))
    return None


# -- the collection ------------------------------------------------------------------------------


def _role_entries(roles: Any) -> Iterator[tuple[Any, Any]]:
    """``roles`` as stored → (role, predicate or ``None``) pairs, whatever their types."""
    for entry in roles if isinstance(roles, list) else [roles] if roles is not None else []:
        if isinstance(entry, dict):
            yield entry.get("role"), entry.get("predicate")
        else:
            yield entry, None


def _roles_failures(session: QuerySession, roles: Any) -> Failures:
    failures: Failures = []
    for role, predicate in _role_entries(roles):
        if not isinstance(role, str) or not (predicate is None or isinstance(predicate, str)):
            return [(["roles"], "Expected a role name or { role: String, predicate: String }")]
        if role in BUILTIN_ROLES:
            failures.append((["roles"], f"Builtin role `{role}` not allowed."))
        elif session.get(ROLE, role) is None:
            failures.append((["roles"], f"Role `{role}` does not exist."))
        if isinstance(predicate, str) and _parse_predicate(predicate, "*predicate*") is None:
            failures.append((["roles"], "Unable to parse FQL source code."))
    return failures


def _jwks_uri_failures(uri: Any) -> Failures:
    if not isinstance(uri, str):
        return []
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return [(["jwks_uri"], "Invalid URI.")]
    if not host:
        return [(["jwks_uri"], "Invalid URI.")]
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and host in _LOOPBACK_HOSTS):
        return []
    return [(["jwks_uri"], "Invalid URI.")]


def _validate(session: QuerySession, stored: dict[str, Any], old: Any) -> Failures:
    # The audience is the server's, set again on every write: a replace does not carry it.
    global_id = database_global_id(session.txn, session.database.path, create=True)
    if global_id is not None:
        stored["audience"] = audience_of(global_id)
    failures = _jwks_uri_failures(stored.get("jwks_uri"))
    issuer = stored.get("issuer")
    old_name = None if old is None else old.key
    for document in session.txn.scan(session.scope, ACCESS_PROVIDER):
        if document.key != old_name and document.data.get("issuer") == issuer:
            failures.append((["issuer"], "Duplicate value."))
            break
    return failures + _roles_failures(session, stored.get("roles"))


ACCESS_PROVIDER_SPEC = register_spec(
    NativeSpec(
        ACCESS_PROVIDER,
        {"issuer": STRING, "jwks_uri": STRING, "roles": ANY, "data": OBJECT, "audience": ANY},
        "AccessProvider",
        "{ name: String, issuer: String, jwks_uri: String, roles: String | { role: String,"
        " predicate: String } | Array<String | { role: String, predicate: String }> | Null,"
        " data: { *: Any } | Null }",
        required=("issuer", "jwks_uri"),
        admin_only=True,
        read_only=("audience",),
        validate=_validate,
    )
)

ACCESS_PROVIDER_MODULE = named_module(ACCESS_PROVIDER_SPEC)


# -- the roles of a JWT ----------------------------------------------------------------------------


def provider_name(role: str) -> str | None:
    """The access provider a principal's role string names, ``None`` for any other role."""
    if role.startswith(PROVIDER_ROLE_PREFIX):
        return role[len(PROVIDER_ROLE_PREFIX) :]
    return None


def _parse_predicate(source: str, source_name: str) -> Lambda | None:
    try:
        node = parse_function_body(source, source_name)
    except QueryCheckError:
        return None
    return Lambda(list(node.params), node.variadic, node.body, None, node.span)


def _predicate_accepts(
    session: QuerySession, provider: str, role: str, source: str, payload: Value
) -> bool:
    """A role's predicate on the token's payload: exactly ``true`` grants, anything else
    (another value, an error) does not. It runs with a predicate's read-only rights."""
    from faunalite.model.constraints import call_stored

    function = _parse_predicate(source, f"*predicate:{provider}:{role}*")
    if function is None:
        return False
    context = session.query_context
    try:
        with session.acting_as(PREDICATE_ROLE):
            return call_stored(session, function, [payload]) is True
    except QueryError:
        return False
    finally:
        session.query_context = context


def jwt_user_role(
    session: QuerySession, provider: str, claims: Mapping[str, Any]
) -> UserRole | None:
    """The privileges a JWT verified for ``provider`` has in this query, ``None`` when none of
    the provider's roles applies (or the provider is gone): the token is then refused."""
    document = session.txn.get(session.scope, ACCESS_PROVIDER, provider)
    if document is None:
        return None
    payload = decode_simple(dict(claims))
    granted: list[UserRole] = []
    for role, predicate in _role_entries(document.data.get("roles")):
        if not isinstance(role, str) or role in BUILTIN_ROLES:
            continue
        role_document = session.txn.get(session.scope, ROLE, role)
        if role_document is None:
            continue
        if isinstance(predicate, str) and not _predicate_accepts(
            session, provider, role, predicate, payload
        ):
            continue
        granted.append(UserRole.from_stored(role, role_document.data))
    if not granted:
        return None
    policies: dict[tuple[str, str], tuple[Policy, ...]] = {}
    for user_role in granted:
        for resource_action, found in user_role.policies.items():
            policies[resource_action] = policies.get(resource_action, ()) + found
    return UserRole(",".join(user_role.name for user_role in granted), policies)

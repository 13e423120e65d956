"""Scoped secrets: one key used as a given role in a child database, ``key:db/path:role``.

FaunaDB lets a secret act in a database below the key's own, as a chosen
role, by suffixing it: ``fnAE...:app/staging:server``. ``scoped_secret``
builds that suffix (checking the parts, so a typo is a ``ValueError`` here
rather than a 401 later) and ``derive`` makes the client ``Client.scoped``
returns: the same configuration and connection pool with the new secret.
Not here: what a role may do, which only FaunaDB knows.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import TYPE_CHECKING, Any, TypeVar

from fauna.client.headers import _Auth
from fauna.client.utils import LastTxnTs
from fauna.errors import ClientError

if TYPE_CHECKING:
    from fauna.client._client_base import ClientBase

BUILTIN_ROLES = ("admin", "server", "server-readonly", "client")

# What FaunaDB's secret syntax leaves free in a database name: no separators of its own.
_DATABASE_NAME = re.compile(r"[^\s/:,()&=@]+\Z")
_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DOC_ID = re.compile(r"[^\s/:,()&=@]+\Z")

ClientT = TypeVar("ClientT", bound="ClientBase[Any, Any]")


def check_database(database: object) -> str:
    """``database`` as a ``/``-separated path of child databases, or a ``ValueError``."""
    if not isinstance(database, str):
        raise TypeError(f"'database' must be a str but was a {type(database)}.")
    segments = database.split("/")
    if not all(_DATABASE_NAME.match(segment) for segment in segments):
        raise ValueError(
            f"Invalid database path {database!r}: give child database names separated by '/', "
            "e.g. 'app' or 'app/staging', without spaces or any of : , ( ) & = @."
        )
    return database


def check_role(role: object) -> str:
    """``role`` if FaunaDB accepts it in a scoped secret, else a ``ValueError`` saying what does."""
    if not isinstance(role, str):
        raise TypeError(f"'role' must be a str but was a {type(role)}.")
    if role in BUILTIN_ROLES:
        return role
    if role.startswith("@role/") and _ROLE_NAME.match(role[len("@role/") :]):
        return role
    if role.startswith("@doc/"):
        collection, slash, doc_id = role[len("@doc/") :].partition("/")
        if slash and _ROLE_NAME.match(collection) and _DOC_ID.match(doc_id):
            return role
    raise ValueError(
        f"Invalid role {role!r}: use one of {', '.join(BUILTIN_ROLES)}, '@role/<RoleName>' for "
        "a user-defined role, or '@doc/<Collection>/<id>' to act as a document's identity."
    )


def scoped_secret(secret: str, database: object, role: object = "admin") -> str:
    """``secret`` narrowed to the child ``database`` (below any it already names) as ``role``."""
    path = check_database(database)
    chosen = check_role(role)
    if not secret:
        raise ClientError(
            "No secret configured to scope: pass secret=... to the client or set FAUNA_SECRET."
        )
    key, _, scope = secret.partition(":")
    current_path, colon, _ = scope.rpartition(":")
    if colon and current_path:
        path = f"{current_path}/{path}"
    return f"{key}:{path}:{chosen}"


def derive(parent: ClientT, database: object, role: object) -> ClientT:
    """A client like ``parent`` on its pool, but with ``parent``'s secret scoped.

    The child never closes the pool, tracks its own last transaction time
    (starting from the parent's), and stops working once the parent is closed.
    """
    parent._check_open()
    secret = scoped_secret(parent._config.secret, database, role)
    child = copy.copy(parent)
    child._config = dataclasses.replace(parent._config, auth=_Auth(secret))
    child._auth = child._config.auth
    child._headers = child._config.base_headers
    child._last_txn_ts = LastTxnTs(parent.get_last_txn_ts())
    child._owns_pool = False
    child._closed = False
    child._scope_parent = parent
    return child

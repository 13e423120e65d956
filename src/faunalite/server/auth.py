"""Who a request runs as: the ``Authorization`` header → a ``Principal``, or ``None`` (401).

Follows FaunaDB (reference §3.1; ``ext/model/.../auth/AuthScope.scala``): ``Bearer <secret>`` or
``Basic base64(<secret>:)``, where the secret is ``<key>[:[<db/path>:]<scope>]`` and the scope
is a built-in role (``admin``, ``server``, ``server-readonly``, ``client``), a user-defined role
(``@role/<name>``) or a document identity (``@doc/<ref>``, legacy ``classes/<ref>`` and
``collections/<ref>``). Text after the first ``:`` that fits none of these is ignored, as
FaunaDB ignores it.

* The root key: no scope is admin on the root database; a built-in scope is that role in the
  named database.
* A ``Key``'s secret (looked up by ``keys``, ``Engine.principal_for_key``, which also checks the
  key's ``ttl``): no scope is the key's own role in its database; only an ``admin`` key may take
  a scope (FaunaDB refuses one on any other key), and its database path is then below the key's.
* A user-defined role (``@role/<name>`` on an admin secret, or a key whose role names a
  ``Role``) runs as ``@role/<name>``: the Role's privileges (``faunalite.model.roles``). Whether
  the Role exists is settled when each query starts (a missing one is 401 then).
* A document identity scope (``@doc/<Coll>/<id>``; ``classes/`` and ``collections/`` are
  spelled ``@doc/`` from here on) runs as that document (``faunalite.model.identity``). The
  root key may take one anywhere; a key only if it is an ``admin`` key, or a ``server`` key
  without a database path (FaunaDB's ``DocumentAuthScope``). Whether the document exists is
  settled when each query starts.
* A ``Token``'s secret (also looked up by ``keys``) runs as its document; a scope written after
  it is ignored, as FaunaDB ignores it.
* A bearer that starts with ``ey`` and holds a ``.`` is a JWT (FaunaDB's ``AuthLike.isJWT``):
  only the ``jwt`` verifier (``faunalite.server.jwt_auth``) may grant it anything; an unknown or
  unsupported role is never widened into a built-in one.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

from faunalite.engine import Principal
from faunalite.model.access import (
    BUILTIN_ROLES,
    DOC_ROLE_PREFIX,
    identity_of_role,
    user_role_name,
)

_KEY_RE = re.compile(r"[^/,()&=:]+\Z")
_SEGMENT_RE = re.compile(r"[^,()&=:]+\Z")
_USER_SCOPE_PREFIXES = ("@role/", DOC_ROLE_PREFIX, "classes/", "collections/")
_LEGACY_DOC_PREFIXES = ("classes/", "collections/")


@dataclass(frozen=True, slots=True)
class SecretScope:
    """The part of a secret after its key: a database path below the key's own database and
    the role asked for there (a built-in name, or ``@role/...``/``@doc/...`` as written)."""

    database: tuple[str, ...]
    role: str

    @property
    def is_builtin(self) -> bool:
        return self.role in BUILTIN_ROLES

    @property
    def is_supported(self) -> bool:
        """A built-in role, a user-defined role or a well-formed document identity."""
        return _is_supported_role(self.role)

    @property
    def is_identity(self) -> bool:
        return self.role.startswith(DOC_ROLE_PREFIX)


def _is_supported_role(role: str) -> bool:
    return (
        role in BUILTIN_ROLES
        or user_role_name(role) is not None
        or identity_of_role(role) is not None
    )


def _secret_from_header(authorization: str | None) -> str | None:
    parts = (authorization or "").split()
    if len(parts) != 2:
        return None
    scheme, credential = parts
    if scheme == "Bearer":
        return credential
    if scheme == "Basic":
        try:
            decoded = base64.b64decode(credential.rstrip(":"), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.rstrip(":")
    return None


def _scope_role(text: str) -> str | None:
    """``text`` as a scope's role, or ``None`` when it is not one."""
    if text in BUILTIN_ROLES:
        return text
    for prefix in _USER_SCOPE_PREFIXES:
        if text.startswith(prefix) and _SEGMENT_RE.match(text[len(prefix) :]):
            if prefix in _LEGACY_DOC_PREFIXES:
                return DOC_ROLE_PREFIX + text[len(prefix) :]
            return text
    return None


def parse_secret(secret: str) -> tuple[str, SecretScope | None] | None:
    """Split ``key[:[db/path:]scope]`` into the key and the scope it asks for (``None``: no
    scope, or text FaunaDB ignores); ``None`` when the key part itself is malformed."""
    key, colon, rest = secret.partition(":")
    if not _KEY_RE.match(key):
        return None
    if not colon:
        return key, None
    role = _scope_role(rest)
    if role is not None:
        return key, SecretScope((), role)
    path, colon, role_text = rest.partition(":")
    role = _scope_role(role_text) if colon else None
    if role is not None and _SEGMENT_RE.match(path):
        return key, SecretScope(tuple(path.split("/")), role)
    return key, None


KeyLookup = Callable[[str], "Principal | None"]
"""A key's secret → the database and role the key itself grants (``None``: no such live key)."""
JwtLookup = Callable[[str], "Principal | None"]
"""A JWT → the principal it grants once verified (``None``: it grants nothing)."""


def authenticate(
    authorization: str | None,
    root_secret: str,
    keys: KeyLookup | None = None,
    jwt: JwtLookup | None = None,
) -> Principal | None:
    """The principal for an ``Authorization`` header, or ``None`` when it grants nothing."""
    secret = _secret_from_header(authorization)
    if secret is None:
        return None
    if secret.startswith("ey") and "." in secret:
        return None if jwt is None else jwt(secret)
    parsed = parse_secret(secret)
    if parsed is None:
        return None
    key, scope = parsed
    if hmac.compare_digest(key.encode(), root_secret.encode()):
        granted: Principal | None = Principal()
    else:
        granted = None if keys is None else keys(key)
    if granted is None or not _is_supported_role(granted.role):
        return None
    if scope is None or granted.token is not None:
        return granted
    if not scope.is_supported or not _may_take_scope(granted.role, scope):
        return None
    return Principal((*granted.database, *scope.database), scope.role)


def _may_take_scope(role: str, scope: SecretScope) -> bool:
    """Only admin secrets take scopes; a server key may also act as a document of its own
    database (``@doc/...`` without a database path)."""
    if role == "admin":
        return True
    return role == "server" and scope.is_identity and not scope.database

"""Who a request runs as: the ``Authorization`` header → a ``Principal``, or ``None``.

Follows FaunaDB (reference §3.1): ``Bearer <secret>`` or ``Basic base64(<secret>:)``, where
the secret is ``<key>[:[<db/path>:]<role>]``. A scope that does not fit the grammar is
silently ignored. The root key gets admin on the root database, scoped to a child database or
a role when the secret says so; any other secret is offered to ``keys`` (the engine's lookup of
``Key`` secrets, ``Engine.principal_for_key``); otherwise the answer is ``None`` (401).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Callable

from faunalite.engine import Principal

_KEY_RE = re.compile(r"[^/,()&=:]+\Z")
_DATABASE_PATH_RE = re.compile(r"[^,()&=:]+\Z")
_ROLE_RE = re.compile(
    r"(?:admin|server-readonly|server|client|@role/[^,()&=:/]+"
    r"|(?:@doc/|classes/|collections/)[^,()&=:/]+/[^,()&=:/]+)\Z"
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


def _role(scope: str) -> str:
    for legacy in ("classes/", "collections/"):
        if scope.startswith(legacy):
            return "@doc/" + scope[len(legacy) :]
    return scope


def parse_secret(secret: str) -> tuple[str, Principal] | None:
    """Split ``key[:[db/path:]role]`` into the key and the principal it asks for."""
    key, _, scope = secret.partition(":")
    if not _KEY_RE.match(key):
        return None
    if _ROLE_RE.match(scope):
        return key, Principal((), _role(scope))
    path, _, role = scope.partition(":")
    if _DATABASE_PATH_RE.match(path) and _ROLE_RE.match(role):
        return key, Principal(tuple(path.split("/")), _role(role))
    # FaunaDB ignores a scope it cannot read and uses the bare key.
    return key, Principal()


KeyLookup = Callable[[str, str], "Principal | None"]
"""``(key secret, scope text after its first ':')`` → the principal the key grants."""


def authenticate(
    authorization: str | None, root_secret: str, keys: KeyLookup | None = None
) -> Principal | None:
    """The principal for an ``Authorization`` header, or ``None`` when it grants nothing."""
    secret = _secret_from_header(authorization)
    if secret is None or (secret.startswith("ey") and "." in secret):
        # JWTs need access providers, which faunalite does not have.
        return None
    parsed = parse_secret(secret)
    if parsed is None:
        return None
    key, principal = parsed
    if not hmac.compare_digest(key.encode(), root_secret.encode()):
        return None if keys is None else keys(key, secret.partition(":")[2])
    return principal

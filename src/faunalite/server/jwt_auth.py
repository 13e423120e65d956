"""JWT bearer tokens: verified as FaunaDB verifies them, into the principal they grant.

FaunaDB (``ext/model/.../auth/JWTToken.scala``, ``ext/net/.../security/JWT.scala``,
``JWK.scala``, ``JWKProvider.scala``) takes a bearer that starts with ``ey`` and holds a ``.``
as a JWT and grants it nothing (401, like every other failed authentication) unless:

* it has three ``.``-separated base64url parts, a JSON header and a JSON payload;
* its ``alg`` is ``RS256``, ``RS384`` or ``RS512`` (``HS*`` is refused outright, anything
  else is unsupported: the keys are RSA keys);
* ``exp``, when an integer, is still ahead (``now >= exp`` fails) and ``nbf``, when an
  integer, already behind (``now <= nbf`` fails). ``iat`` is not checked, as in FaunaDB;
* exactly one of its audiences (``aud``, a string or an array of strings) starts with
  ``https://db.fauna.com/db/``, and the rest of it is the global id of a live database;
* its ``iss`` is the ``issuer`` of an ``AccessProvider`` of that database;
* its signature verifies against the key of the provider's JWKS whose ``kid`` is the
  header's (a JWKS of one key also serves a token without ``kid``); only ``kty: RSA`` keys
  count.

The JWKS is fetched from ``jwks_uri`` with httpx and cached per URL: it is refetched after
``JWKS_TTL_SECONDS`` (FaunaDB refreshes after an hour), and at once for an unknown ``kid``
unless the last download is under ``JWKS_REFETCH_SECONDS`` old (FaunaDB's 500 ms download
rate), so a provider's key rotation is picked up without a flood of downloads. A JWKS that
cannot be fetched or parsed grants nothing.

The principal runs as ``@provider/<name>`` in the provider's database with the payload as its
``claims``; which roles it then has is settled when its query starts
(``faunalite.model.access_providers.jwt_user_role``). The cryptography is joserfc's.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from faunalite.engine import Principal
from faunalite.model.access_providers import (
    AUDIENCE_PREFIX,
    PROVIDER_ROLE_PREFIX,
    ProviderRecord,
)

ALGORITHMS = ("RS256", "RS384", "RS512")
"""The signature algorithms FaunaDB verifies (``RSAJWK.algToRSA``)."""
JWKS_TTL_SECONDS = 3600.0
JWKS_REFETCH_SECONDS = 0.5
JWKS_FETCH_TIMEOUT_SECONDS = 5.0

ProviderLookup = Callable[[str, str], "ProviderRecord | None"]
"""(database global id, issuer) → the access provider, ``None`` when there is none."""
JwksFetch = Callable[[str], Any]
"""A JWKS URL → its JSON document; raises on any failure."""


def fetch_jwks(url: str) -> Any:
    """GET ``url`` and parse its JSON (any non-200 answer or bad JSON raises)."""
    response = httpx.get(
        url, headers={"accept": "application/json"}, timeout=JWKS_FETCH_TIMEOUT_SECONDS
    )
    response.raise_for_status()
    return response.json()


@dataclass(slots=True)
class _CachedKeySet:
    keys: dict[str | None, RSAKey]
    """``kid`` → key; ``None`` holds the only key of a one-key set (served without ``kid``)."""
    fetched_at: float


def _rsa_keys(document: Any) -> dict[str | None, RSAKey]:
    found: dict[str | None, RSAKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    rsa_entries = [
        entry
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict) and entry.get("kty") == "RSA"
    ]
    for entry in rsa_entries:
        try:
            key = RSAKey.import_key(entry)
        except (JoseError, ValueError, TypeError):
            continue
        kid = entry.get("kid")
        found[kid if isinstance(kid, str) else None] = key
    if len(rsa_entries) == 1 and found:
        found.setdefault(None, next(iter(found.values())))
    return found


class JwksCache:
    """The signing keys of each JWKS URL, fetched when first needed (see the module
    docstring for when they are fetched again). Safe to share between request threads."""

    def __init__(
        self,
        fetch: JwksFetch = fetch_jwks,
        *,
        ttl_seconds: float = JWKS_TTL_SECONDS,
        refetch_seconds: float = JWKS_REFETCH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._refetch = refetch_seconds
        self._clock = clock
        self._sets: dict[str, _CachedKeySet] = {}
        self._lock = threading.Lock()

    def _download(self, url: str) -> _CachedKeySet | None:
        try:
            document = self._fetch(url)
        except (httpx.HTTPError, ValueError):
            return None
        cached = _CachedKeySet(_rsa_keys(document), self._clock())
        with self._lock:
            self._sets[url] = cached
        return cached

    def key(self, url: str, kid: str | None) -> RSAKey | None:
        """The key ``kid`` of the JWKS at ``url``, ``None`` when it has none (or is down)."""
        with self._lock:
            cached = self._sets.get(url)
        now = self._clock()
        if cached is None or now - cached.fetched_at >= self._ttl:
            cached = self._download(url)
            if cached is None:
                return None
        found = cached.keys.get(kid)
        if found is None and now - cached.fetched_at >= self._refetch:
            cached = self._download(url)
            found = None if cached is None else cached.keys.get(kid)
        return found


def _decode_part(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def _split_token(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The header and payload of a compact JWS, unverified; ``None`` when malformed."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, payload = _decode_part(parts[0]), _decode_part(parts[1])
    except (binascii.Error, ValueError, UnicodeError):
        return None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None
    return header, payload


def _integer_claim(payload: Mapping[str, Any], name: str) -> int | None:
    value = payload.get(name)
    return value if type(value) is int else None


def _within_lifetime(payload: Mapping[str, Any], now: float) -> bool:
    expires = _integer_claim(payload, "exp")
    not_before = _integer_claim(payload, "nbf")
    if expires is not None and now >= expires:
        return False
    return not (not_before is not None and now <= not_before)


def _database_global_id(payload: Mapping[str, Any]) -> str | None:
    """The global id of the one Fauna database among the token's audiences."""
    audience = payload.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        return None
    ours = [str(a) for a in audiences if a.startswith(AUDIENCE_PREFIX)]
    if len(ours) != 1 or len(ours[0]) == len(AUDIENCE_PREFIX):
        return None
    return ours[0][len(AUDIENCE_PREFIX) :]


class JwtVerifier:
    """Bearer JWT → ``Principal`` (``None``: it grants nothing). One per server."""

    def __init__(
        self,
        providers: ProviderLookup,
        keys: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._providers = providers
        self._keys = keys or JwksCache()
        self._clock = clock

    def __call__(self, token: str) -> Principal | None:
        return self.principal_for(token)

    def principal_for(self, token: str) -> Principal | None:
        parts = _split_token(token)
        if parts is None:
            return None
        header, payload = parts
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS or not _within_lifetime(payload, self._clock()):
            return None
        global_id = _database_global_id(payload)
        issuer = payload.get("iss")
        if global_id is None or not isinstance(issuer, str):
            return None
        if issuer == AUDIENCE_PREFIX + global_id:
            # Tokens Fauna itself issues for a database; faunalite issues none.
            return None
        provider = self._providers(global_id, issuer)
        if provider is None:
            return None
        kid = header.get("kid")
        key = self._keys.key(provider.jwks_uri, kid if isinstance(kid, str) else None)
        if key is None:
            return None
        try:
            jws.deserialize_compact(token, key, algorithms=[str(algorithm)])
        except (JoseError, ValueError):
            return None
        return Principal(provider.database, PROVIDER_ROLE_PREFIX + provider.name, claims=payload)

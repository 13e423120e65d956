"""Unit tests of JWT verification (``faunalite.server.jwt_auth``): each of FaunaDB's checks
(``JWTToken.fromToken``, ``JWTValidator.basicValidations``, ``JWKS.findJWK``,
``JWKSLoadingValue.getJWK``) refuses exactly the tokens FaunaDB refuses, and the JWKS cache
fetches when FaunaDB's provider would. Keys are real RSA keys; nothing touches the network."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from faunalite.engine import Principal
from faunalite.model.access_providers import ProviderRecord
from faunalite.server.auth import authenticate
from faunalite.server.jwt_auth import JwksCache, JwtVerifier

GLOBAL_ID = "abc123def4567"
AUDIENCE = f"https://db.fauna.com/db/{GLOBAL_ID}"
ISSUER = "https://issuer.example/"
JWKS_URI = "https://issuer.example/.well-known/jwks.json"
NOW = 1_900_000_000

KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
ROTATED_KEY = RSAKey.generate_key(2048, parameters={"kid": "k2"})


def _jwks(*keys: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


class FakeJwks:
    """A JWKS endpoint: serves ``document`` (or fails when it is ``None``), counting GETs."""

    def __init__(self, document: dict[str, Any] | None) -> None:
        self.document = document
        self.fetches = 0

    def __call__(self, url: str) -> Any:
        assert url == JWKS_URI
        self.fetches += 1
        if self.document is None:
            raise httpx.ConnectError("connection refused")
        return self.document


def _provider(global_id: str, issuer: str) -> ProviderRecord | None:
    if (global_id, issuer) == (GLOBAL_ID, ISSUER):
        return ProviderRecord(("app",), "Auth0", JWKS_URI)
    return None


def _token(
    claims: dict[str, Any] | None = None,
    *,
    key: RSAKey | OctKey = KEY,
    header: dict[str, Any] | None = None,
) -> str:
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": NOW + 60, "iat": NOW}
    payload.update(claims or {})
    for name in [name for name, value in payload.items() if value is None]:
        del payload[name]
    header = header or {"alg": "RS256", "kid": "k1"}
    return jwt.encode(header, payload, key, algorithms=[header["alg"]])


def _verifier(jwks: FakeJwks, now: float = NOW) -> JwtVerifier:
    return JwtVerifier(_provider, JwksCache(jwks), clock=lambda: now)


def test_a_valid_token_runs_as_its_provider_with_its_payload() -> None:
    principal = _verifier(FakeJwks(_jwks(KEY)))(_token({"groups": ["admins"]}))
    assert principal == Principal(("app",), "@provider/Auth0")
    assert principal.claims is not None
    assert principal.claims["sub"] == "alice"
    assert principal.claims["groups"] == ["admins"]


@pytest.mark.parametrize("algorithm", ["RS384", "RS512"])
def test_every_rsa_algorithm_faunadb_knows_verifies(algorithm: str) -> None:
    token = _token(header={"alg": algorithm, "kid": "k1"})
    assert _verifier(FakeJwks(_jwks(KEY)))(token) is not None


def test_a_token_signed_by_another_key_is_refused() -> None:
    assert _verifier(FakeJwks(_jwks(KEY)))(_token(key=OTHER_KEY)) is None


def test_a_tampered_payload_is_refused() -> None:
    header, payload, signature = _token().split(".")
    forged = _token({"sub": "mallory"}).split(".")[1]
    assert forged != payload
    assert _verifier(FakeJwks(_jwks(KEY)))(f"{header}.{forged}.{signature}") is None


def test_hmac_and_unsigned_tokens_are_refused() -> None:
    secret = OctKey.generate_key(256)
    hmac_token = _token(key=secret, header={"alg": "HS256", "kid": "k1"})
    assert _verifier(FakeJwks(_jwks(KEY)))(hmac_token) is None
    payload = _token().split(".")[1]
    none_header = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    assert _verifier(FakeJwks(_jwks(KEY)))(f"{none_header}.{payload}.") is None


@pytest.mark.parametrize(
    "audience",
    [
        "https://db.fauna.com/db/otherdatabase",
        "https://api.example/",
        [AUDIENCE, "https://db.fauna.com/db/otherdatabase"],
        "https://db.fauna.com/db/",
        None,
        [AUDIENCE, 7],
    ],
)
def test_the_audience_must_name_exactly_one_fauna_database(audience: Any) -> None:
    assert _verifier(FakeJwks(_jwks(KEY)))(_token({"aud": audience})) is None


def test_other_audiences_beside_the_database_are_ignored() -> None:
    token = _token({"aud": ["https://api.example/", AUDIENCE]})
    assert _verifier(FakeJwks(_jwks(KEY)))(token) is not None


def test_an_expired_token_is_refused_from_its_exp_second_on() -> None:
    jwks = FakeJwks(_jwks(KEY))
    assert _verifier(jwks, now=NOW + 59.9)(_token({"exp": NOW + 60})) is not None
    assert _verifier(jwks, now=NOW + 60)(_token({"exp": NOW + 60})) is None
    assert _verifier(jwks)(_token({"exp": NOW - 1})) is None


def test_a_token_is_refused_until_after_its_nbf_second() -> None:
    jwks = FakeJwks(_jwks(KEY))
    assert _verifier(jwks)(_token({"nbf": NOW + 30})) is None
    assert _verifier(jwks)(_token({"nbf": NOW})) is None
    assert _verifier(jwks, now=NOW + 0.5)(_token({"nbf": NOW})) is not None


def test_iat_and_a_missing_exp_are_not_checked_as_in_faunadb() -> None:
    token = _token({"iat": NOW + 3600, "exp": None})
    assert _verifier(FakeJwks(_jwks(KEY)))(token) is not None


def test_an_issuer_no_provider_has_is_refused_without_fetching() -> None:
    jwks = FakeJwks(_jwks(KEY))
    assert _verifier(jwks)(_token({"iss": "https://elsewhere.example/"})) is None
    assert _verifier(jwks)(_token({"iss": None})) is None
    assert _verifier(jwks)(_token({"iss": AUDIENCE})) is None
    assert jwks.fetches == 0


def test_an_unknown_kid_is_refused() -> None:
    token = _token(header={"alg": "RS256", "kid": "unknown"})
    assert _verifier(FakeJwks(_jwks(KEY)))(token) is None


def test_a_one_key_set_serves_a_token_without_kid_but_a_larger_set_does_not() -> None:
    token = _token(header={"alg": "RS256"})
    assert _verifier(FakeJwks(_jwks(KEY)))(token) is not None
    assert _verifier(FakeJwks(_jwks(KEY, ROTATED_KEY)))(token) is None


def test_a_jwks_that_cannot_be_fetched_refuses_every_token() -> None:
    assert _verifier(FakeJwks(None))(_token()) is None


@pytest.mark.parametrize(
    "token",
    ["ey.", "eyJhbGciOiJSUzI1NiJ9.e30", "eyJhbGciOiJSUzI1NiJ9.!!!.sig", "eyJ9.e30.x", "ey.a.b.c"],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert _verifier(FakeJwks(_jwks(KEY)))(token) is None


# -- the JWKS cache ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _cache(jwks: FakeJwks, clock: Callable[[], float]) -> JwksCache:
    return JwksCache(jwks, ttl_seconds=3600, refetch_seconds=0.5, clock=clock)


def test_the_jwks_is_fetched_once_and_kept_for_its_ttl() -> None:
    jwks, clock = FakeJwks(_jwks(KEY)), Clock()
    cache = _cache(jwks, clock)
    assert cache.key(JWKS_URI, "k1") is not None
    clock.now += 3599
    assert cache.key(JWKS_URI, "k1") is not None
    assert jwks.fetches == 1
    jwks.document = _jwks(ROTATED_KEY)
    clock.now += 1
    assert cache.key(JWKS_URI, "k1") is None
    assert cache.key(JWKS_URI, "k2") is not None
    assert jwks.fetches == 2


def test_an_unknown_kid_refetches_at_most_every_half_second() -> None:
    jwks, clock = FakeJwks(_jwks(KEY)), Clock()
    cache = _cache(jwks, clock)
    assert cache.key(JWKS_URI, "k1") is not None
    jwks.document = _jwks(KEY, ROTATED_KEY)
    clock.now += 0.1
    assert cache.key(JWKS_URI, "k2") is None
    assert jwks.fetches == 1
    clock.now += 0.5
    assert cache.key(JWKS_URI, "k2") is not None
    assert jwks.fetches == 2


def test_a_failed_fetch_is_retried_on_the_next_token() -> None:
    jwks, clock = FakeJwks(None), Clock()
    cache = _cache(jwks, clock)
    assert cache.key(JWKS_URI, "k1") is None
    jwks.document = _jwks(KEY)
    assert cache.key(JWKS_URI, "k1") is not None
    assert jwks.fetches == 2


def test_only_rsa_keys_of_a_jwks_count() -> None:
    oct_key = OctKey.generate_key(256, parameters={"kid": "k1"}).as_dict(private=True)
    jwks, clock = FakeJwks({"keys": [oct_key, {"kty": "RSA", "kid": "bad"}]}), Clock()
    cache = _cache(jwks, clock)
    assert cache.key(JWKS_URI, "k1") is None
    assert cache.key(JWKS_URI, "bad") is None


# -- the hook in authenticate ------------------------------------------------------------------


def test_authenticate_hands_jwt_shaped_bearers_to_the_verifier_only() -> None:
    seen: list[str] = []

    def verifier(token: str) -> Principal | None:
        seen.append(token)
        return Principal(("app",), "@provider/Auth0")

    token = _token()
    granted = authenticate(f"Bearer {token}", "secret", jwt=verifier)
    assert granted == Principal(("app",), "@provider/Auth0")
    assert authenticate(f"Bearer {token}", "secret") is None
    assert authenticate("Bearer secret", "secret", jwt=verifier) == Principal()
    assert seen == [token]


def test_time_is_read_per_token() -> None:
    verifier = JwtVerifier(_provider, JwksCache(FakeJwks(_jwks(KEY))))
    assert verifier(_token({"exp": int(time.time()) + 60})) is not None
    assert verifier(_token({"exp": int(time.time()) - 1})) is None

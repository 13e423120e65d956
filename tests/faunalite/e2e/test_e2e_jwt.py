"""JWT bearers through the real ``fauna`` driver against a real faunalite server, with the
signing keys served as a JWKS on a loopback port by the test.

An ``AccessProvider`` in the test's database names the issuer and the JWKS URL, and two roles:
``Reader`` (always) and ``Writer`` (when the token's ``groups`` hold ``"writers"``). A token
signed by the JWKS's key, for the database's audience, reads what ``Reader`` allows; every
failure FaunaDB refuses is 401 ``unauthorized`` "Access token required", as any other secret
that does not authenticate (``JWTToken.fromToken`` answers ``None`` for each). Streams and
feeds opened with a JWT yield what its roles read, and end when it expires.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from fauna import fql
from fauna.client import Client
from fauna.errors import AuthenticationError, QueryRuntimeError

from .stream_consumer import StreamConsumer

_providers = itertools.count()


class JwksServer:
    """A JWKS document served at ``/jwks.json`` on 127.0.0.1; ``keys`` may be swapped."""

    def __init__(self, keys: list[RSAKey]) -> None:
        self.keys = keys
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/jwks.json":
                    self.send_error(404)
                    return
                body = json.dumps({"keys": [k.as_dict(private=False) for k in owner.keys]})
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/jwks.json"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Provider:
    """An access provider of the test's database and what tokens for it need."""

    issuer: str
    audience: str
    key: RSAKey
    jwks: JwksServer

    def token(
        self,
        *,
        key: RSAKey | None = None,
        kid: str | None = "k1",
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "alice",
            "iat": now,
            "exp": now + 300,
        }
        payload.update(claims)
        header: dict[str, Any] = {"alg": "RS256"}
        if kid is not None:
            header["kid"] = kid
        return jwt.encode(header, payload, key or self.key)


def _make_provider(db: Client, jwks_uri: str, jwks: JwksServer, key: RSAKey) -> Provider:
    issuer = f"https://issuer-{next(_providers)}.example/"
    created = db.query(
        fql(
            """AccessProvider.create({
              name: "Auth",
              issuer: ${issuer},
              jwks_uri: ${uri},
              roles: ["Reader", { role: "Writer", predicate: "(jwt) => jwt.groups.includes('writers')" }]
            }).audience""",
            issuer=issuer,
            uri=jwks_uri,
        )
    )
    return Provider(issuer, str(created.data), key, jwks)


@pytest.fixture
def provider(db: Client) -> Iterator[Provider]:
    db.query(
        fql(
            """
            Collection.create({ name: "Things" })
            Role.create({ name: "Reader", privileges: [{ resource: "Things", actions: { read: true } }] })
            Role.create({ name: "Writer", privileges: [{ resource: "Things", actions: { create: true } }] })
            """
        )
    )
    db.query(fql('Things.create({ id: "1", n: 1 })'))
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    jwks = JwksServer([key])
    yield _make_provider(db, jwks.url, jwks, key)
    jwks.close()


def _assert_denied(error: QueryRuntimeError) -> None:
    assert (error.status_code, error.code) == (400, "permission_denied")
    assert error.message == "Insufficient privileges to perform the action."


def _assert_denied_read(client: Client) -> None:
    with pytest.raises(QueryRuntimeError) as denied:
        client.query(fql('Things.byId("1")!.n'))
    assert (denied.value.status_code, denied.value.code) == (400, "null_value")
    assert denied.value.message == "Null value, due to permission denied"


def _refused(connect: Callable[[str], Client], token: str) -> None:
    with pytest.raises(AuthenticationError) as refused:
        connect(token).query(fql('Things.byId("1")!.n'))
    assert refused.value.status_code == 401
    assert refused.value.code == "unauthorized"
    assert refused.value.message == "Access token required"


def test_a_jwt_reads_what_its_provider_roles_allow(
    provider: Provider, connect: Callable[[str], Client]
) -> None:
    reader = connect(provider.token(groups=[]))
    assert reader.query(fql('Things.byId("1")!.n')).data == 1
    with pytest.raises(QueryRuntimeError) as denied:
        reader.query(fql("Things.create({ n: 2 })"))
    _assert_denied(denied.value)
    writer = connect(provider.token(groups=["writers"]))
    assert writer.query(fql("Things.create({ n: 2 }).n")).data == 2
    assert writer.query(fql('Things.byId("1")!.n')).data == 1


def test_the_audience_is_the_databases_global_id(
    provider: Provider, root: Client, db_name: str
) -> None:
    global_id = root.query(fql("Database.byName(${name})!.global_id", name=db_name)).data
    assert provider.audience == f"https://db.fauna.com/db/{global_id}"


def test_a_jwt_cannot_reach_admin_collections(
    provider: Provider, connect: Callable[[str], Client]
) -> None:
    client = connect(provider.token())
    with pytest.raises(QueryRuntimeError) as denied:
        client.query(fql('AccessProvider.byName("Auth")'))
    _assert_denied(denied.value)


def test_a_bad_signature_is_refused(provider: Provider, connect: Callable[[str], Client]) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    _refused(connect, provider.token(key=impostor))


def test_a_wrong_audience_is_refused(provider: Provider, connect: Callable[[str], Client]) -> None:
    _refused(connect, provider.token(aud="https://db.fauna.com/db/someotherdb00"))
    _refused(connect, provider.token(aud="https://api.example.com/"))


def test_an_expired_token_is_refused(provider: Provider, connect: Callable[[str], Client]) -> None:
    _refused(connect, provider.token(exp=int(time.time()) - 1))


def test_a_token_not_yet_valid_is_refused(
    provider: Provider, connect: Callable[[str], Client]
) -> None:
    _refused(connect, provider.token(nbf=int(time.time()) + 300))


def test_an_unknown_issuer_is_refused(provider: Provider, connect: Callable[[str], Client]) -> None:
    _refused(connect, provider.token(iss="https://unknown.example/"))


def test_an_unknown_kid_is_refused_until_the_jwks_publishes_it(
    provider: Provider, connect: Callable[[str], Client]
) -> None:
    rotated = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    token = provider.token(key=rotated, kid="k2")
    _refused(connect, token)
    provider.jwks.keys = [provider.key, rotated]
    time.sleep(0.6)  # FaunaDB refetches for an unknown kid at most every 500 ms
    assert connect(token).query(fql('Things.byId("1")!.n')).data == 1


def test_a_jwks_url_that_is_down_refuses_every_token(
    db: Client, provider: Provider, connect: Callable[[str], Client]
) -> None:
    down = JwksServer([])
    url = down.url
    down.close()
    db.query(fql('AccessProvider.byName("Auth")!.delete()'))
    other = _make_provider(db, url, down, provider.key)
    _refused(connect, other.token())


def test_a_token_none_of_whose_roles_apply_is_refused(
    db: Client, provider: Provider, connect: Callable[[str], Client]
) -> None:
    db.query(
        fql(
            """AccessProvider.byName("Auth")!.update({
              roles: { role: "Writer", predicate: "(jwt) => jwt.groups.includes('writers')" }
            })"""
        )
    )
    _refused(connect, provider.token(groups=["readers"]))
    writer = connect(provider.token(groups=["writers"]))
    assert writer.query(fql('Things.create({ n: 3 })\n"created"')).data == "created"
    # Writer alone creates but may not read (the created document is a permission null).
    _assert_denied_read(writer)
    assert db.query(fql("Things.where(.n == 3).count()")).data == 1


def test_a_deleted_provider_stops_its_tokens_at_once(
    db: Client, provider: Provider, connect: Callable[[str], Client]
) -> None:
    token = provider.token()
    assert connect(token).query(fql('Things.byId("1")!.n')).data == 1
    db.query(fql('AccessProvider.byName("Auth")!.delete()'))
    _refused(connect, token)


def test_a_jwt_stream_and_feed_yield_what_its_provider_roles_read(
    provider: Provider, db: Client, connect: Callable[[str], Client]
) -> None:
    db.query(
        fql(
            'Role.byName("Reader")!.update({ privileges: '
            '[{ resource: "Things", actions: { read: "thing => thing.n > 1" } }] })'
        )
    )
    client = connect(provider.token(groups=[]))
    source = client.query(fql("Things.all().eventSource()")).data
    with StreamConsumer(client, source) as consumer:
        for n in (1, 2, 0, 3):
            db.query(fql("Things.create({ n: ${n} })", n=n))
        events = consumer.wait_for(2)
    assert [(event["type"], event["data"]["n"]) for event in events] == [("add", 2), ("add", 3)]
    fed = [event["data"]["n"] for page in client.feed(source) for event in page]
    assert fed == [2, 3]


def test_an_expired_jwt_ends_its_stream(
    provider: Provider, db: Client, connect: Callable[[str], Client]
) -> None:
    client = connect(provider.token(exp=int(time.time()) + 2))
    source = client.query(fql("Things.all().eventSource()")).data
    with StreamConsumer(client, source) as consumer:
        db.query(fql("Things.create({ n: 2 })"))
        consumer.wait_for(1)
        time.sleep(2.5)
        db.query(fql("Things.create({ n: 3 })"))
        error = consumer.wait_for_error()
    assert "permission_loss" in str(error)

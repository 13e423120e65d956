"""The HTTP surface over real HTTP: statuses, error shapes, headers, limits (wire-protocol §2-4).

These requests are refused or answered before any FQL runs, so they pin the protocol layer
alone. Queries that run are in ``test_server_queries.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from faunalite.server import MAX_BODY_BYTES
from faunalite.testing import BackgroundServer

JSON_TYPE = "application/json;charset=utf-8"


@pytest.fixture
def http(faunalite_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=faunalite_server.endpoint,
        headers={"Authorization": f"Bearer {faunalite_server.secret}"},
        timeout=10,
    ) as client:
        yield client


def invalid_request(message: str) -> dict[str, object]:
    return {"error": {"code": "invalid_request", "message": message}}


def test_ping_default_scope(http: httpx.Client) -> None:
    response = http.get("/ping")
    assert response.status_code == 200
    assert response.json() == {"resource": "Scope write is OK"}
    assert response.headers["content-type"] == JSON_TYPE


@pytest.mark.parametrize(
    ("scope", "name"), [("node", "node"), ("all", "all"), ("local", "read"), ("bogus", "node")]
)
def test_ping_scopes(http: httpx.Client, scope: str, name: str) -> None:
    assert http.get("/ping", params={"scope": scope}).json() == {"resource": f"Scope {name} is OK"}


def test_ping_head_has_no_body_and_post_is_not_allowed(http: httpx.Client) -> None:
    head = http.head("/ping")
    assert head.status_code == 200
    assert head.content == b""
    post = http.post("/ping")
    assert post.status_code == 405
    assert post.headers["allow"] == "GET"
    assert post.json() == {
        "errors": [{"code": "method not allowed", "description": "Allowed methods are GET."}]
    }


@pytest.mark.parametrize("path", ["/", "/query/1/", "/query/2", "/nope"])
def test_unknown_paths_get_the_legacy_404(http: httpx.Client, path: str) -> None:
    response = http.post(path, json={"query": "1"})
    assert response.status_code == 404
    assert response.json() == {"errors": [{"code": "not found", "description": "Not Found"}]}


def test_every_reply_has_a_traceparent(http: httpx.Client) -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    response = http.get("/ping", headers={"traceparent": f"00-{trace_id}-b7ad6b7169203331-01"})
    echoed = response.headers["traceparent"]
    assert re.fullmatch(rf"00-{trace_id}-[0-9a-f]{{16}}-00", echoed)
    assert echoed.split("-")[2] != "b7ad6b7169203331"
    fresh = http.post("/nope").headers["traceparent"]
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-00", fresh)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", "bearer secret", "Bearer", "Bearer secret extra", "Token secret"],
)
def test_bad_credentials_are_401(
    faunalite_server: BackgroundServer, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.post(
        f"{faunalite_server.endpoint}/query/1", json={"query": "1"}, headers=headers
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "error": {"code": "unauthorized", "message": "Access token required"}
    }


def test_401_echoes_query_tags(faunalite_server: BackgroundServer) -> None:
    response = httpx.post(
        f"{faunalite_server.endpoint}/query/1",
        json={"query": "1"},
        headers={"Authorization": "Bearer nope", "x-query-tags": "a=1"},
    )
    assert response.json()["query_tags"] == "a=1"


def test_secret_scoped_to_a_missing_database_is_401(http: httpx.Client) -> None:
    response = http.post(
        "/query/1", json={"query": "1"}, headers={"Authorization": "Bearer secret:nodb:admin"}
    )
    assert response.status_code == 401


def test_bad_body_is_reported_before_bad_credentials(faunalite_server: BackgroundServer) -> None:
    response = httpx.post(f"{faunalite_server.endpoint}/query/1", content=b"{")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "No request body provided"),
        (b'{"foo": "bar"}', "Invalid request body"),
        (b'{"query": "1", "last_txn": 5}', "Invalid request body"),
        (b'{"arguments": {}}', "Invalid request body: Value for key query not found."),
        (b"[" * 1001 + b"]" * 1001, "Invalid request body: JSON exceeds nesting limit"),
        (
            b'{"query": {"fql": ["1"], "value": 1}}',
            "Invalid request body: Unexpected JSON Object Field Name. Expected an object "
            "with a single key 'fql', 'value', 'array', or 'object'.",
        ),
        (
            b'{"query": {"fql": ["1\\u0000"]}}',
            "Invalid request body: FQL strings cannot contain NUL characters",
        ),
    ],
)
def test_bad_bodies(http: httpx.Client, content: bytes, message: str) -> None:
    response = http.post("/query/1", content=content)
    assert response.status_code == 400
    assert response.json() == invalid_request(message)


def test_malformed_json(http: httpx.Client) -> None:
    response = http.post("/query/1", content=b'{"query": "1",')
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Invalid request body: ")


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"x-format": "json"}, "Invalid header 'x-format': Invalid format json"),
        ({"x-format": "Tagged"}, "Invalid header 'x-format': Invalid format Tagged"),
        (
            {"x-query-timeout-ms": "5000.0"},
            "Invalid header 'x-query-timeout-ms': Invalid number '5000.0'.",
        ),
        (
            {"x-query-timeout-ms": "0"},
            "Invalid header 'x-query-timeout-ms': Must be greater than 0.",
        ),
        (
            {"x-query-timeout-ms": "600001"},
            "Invalid header 'x-query-timeout-ms': Must be less than or equal to 600000.",
        ),
        ({"x-last-txn-ts": "later"}, "Invalid header 'x-last-txn-ts': Invalid timestamp 'later'."),
        (
            {"x-max-contention-retries": "8"},
            "Invalid header 'x-max-contention-retries': Must be between 0 and 7.",
        ),
        ({"x-typecheck": "yes"}, "Invalid header 'x-typecheck': Must be a boolean value."),
        ({"x-linearized": "1"}, "Invalid header 'x-linearized': Must be a boolean value."),
        ({"x-query-tags": "a=1,b"}, "Invalid header 'x-query-tags': invalid tags"),
        ({"x-query-tags": "a-b=1"}, "Invalid header 'x-query-tags': invalid tags"),
        ({"x-query-tags": "a=1,a=2"}, "Invalid header 'x-query-tags': duplicate key"),
        ({"x-query-tags": "k" * 41 + "=1"}, "Invalid header 'x-query-tags': invalid key"),
        ({"x-query-tags": "k=" + "v" * 81}, "Invalid header 'x-query-tags': invalid value"),
        (
            {"x-query-tags": ",".join(f"k{i}=v" for i in range(26))},
            "Invalid header 'x-query-tags': too many tags",
        ),
        ({"x-query-tags": "k=" + "v" * 3000}, "Invalid header 'x-query-tags': header is too long"),
        # The timeout is validated before the format, as FaunaDB does.
        (
            {"x-format": "bad", "x-query-timeout-ms": "x"},
            "Invalid header 'x-query-timeout-ms': Invalid number 'x'.",
        ),
    ],
)
def test_bad_headers(http: httpx.Client, headers: dict[str, str], message: str) -> None:
    response = http.post("/query/1", json={"query": "1"}, headers=headers)
    assert response.status_code == 400
    assert response.json() == invalid_request(message)


BODY_ENDPOINTS = ["/query/1", "/stream/1", "/feed/1"]
TOO_LARGE = {"error": {"code": "request_size_exceeded", "message": "Request entity is too large"}}


def _nine_mib_in_chunks() -> Iterator[bytes]:
    yield b'{"query": "'
    for _ in range(9):
        yield b"x" * (1024 * 1024)
    yield b'"}'


@pytest.mark.parametrize("path", BODY_ENDPOINTS)
def test_body_over_8_mib_is_413(http: httpx.Client, path: str) -> None:
    padding = "x" * (MAX_BODY_BYTES)
    response = http.post(path, content=b'{"query": "' + padding.encode() + b'"}')
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


@pytest.mark.parametrize("path", BODY_ENDPOINTS)
def test_body_over_8_mib_without_length_is_413(http: httpx.Client, path: str) -> None:
    response = http.post(path, content=_nine_mib_in_chunks())
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


@pytest.mark.parametrize("path", BODY_ENDPOINTS)
def test_the_cap_comes_before_authentication(faunalite_server: BackgroundServer, path: str) -> None:
    with httpx.Client(base_url=faunalite_server.endpoint, timeout=10) as anonymous:
        response = anonymous.post(path, content=_nine_mib_in_chunks())
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_cors_preflight(http: httpx.Client) -> None:
    response = http.options("/query/1", headers={"Origin": "http://example.com"})
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == "http://example.com"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "x-query-tags" in response.headers["access-control-allow-headers"]

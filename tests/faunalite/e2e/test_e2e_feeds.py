"""Event feeds through the ``fauna`` driver (``Client.feed``, ``/feed/1``), and the HTTP errors of
``/feed/1`` and ``/stream/1`` with the exact bodies FaunaDB sends (checked with raw HTTP)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fauna import fql
from fauna.client import Client, FeedOptions
from fauna.errors import AbortError
from faunalite.testing import BackgroundServer


@pytest.fixture
def products(db: Client) -> Client:
    db.query(fql('Collection.create({ name: "Product" })'))
    return db


@pytest.fixture
def secret(faunalite_server: BackgroundServer, db_name: str) -> str:
    """The secret of the ``products`` client: admin of this test's database."""
    return f"{faunalite_server.secret}:{db_name}:admin"


@pytest.fixture
def http(faunalite_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=faunalite_server.endpoint, timeout=5) as client:
        yield client


def _source_token(client: Client, query: str = "Product.all().eventSource()") -> str:
    token: str = client.query(fql(query)).data.token
    return token


def _create_many(client: Client, count: int) -> None:
    client.query(
        fql("Set.sequence(0, ${count}).forEach(n => Product.create({ n: n }))", count=count)
    )


def test_a_feed_pages_through_events_in_order(products: Client) -> None:
    source = products.query(fql("Product.all().eventSource()")).data
    for _ in range(7):
        _create_many(products, 10)  # 10 events in one transaction, 70 in all
    pages = list(products.feed(source, FeedOptions(page_size=5)))
    assert [len(page) for page in pages] == [5] * 14
    assert [page.has_next for page in pages] == [True] * 13 + [False]
    numbers = [event["data"]["n"] for page in pages for event in page]
    assert numbers == list(range(10)) * 7
    cursors = [event["cursor"] for page in pages for event in page]
    assert len(set(cursors)) == 70


def test_a_feed_resumes_from_a_stored_cursor_or_a_start_ts(products: Client) -> None:
    source = products.query(fql("Product.all().eventSource()")).data
    _create_many(products, 3)
    first_page = next(iter(products.feed(source, FeedOptions(page_size=2))))
    second_ts = first_page.events[1]["txn_ts"]
    _create_many(products, 2)
    resumed = [
        event["data"]["n"]
        for page in products.feed(source, FeedOptions(cursor=first_page.cursor))
        for event in page
    ]
    assert resumed == [2, 0, 1]
    later = [
        event["data"]["n"]
        for page in products.feed(source, FeedOptions(start_ts=second_ts))
        for event in page
    ]
    assert later == [0, 1]  # start_ts excludes the transaction at that time


def test_an_idle_feed_cursor_moves_forward(products: Client) -> None:
    source = products.query(fql("Product.all().eventSource()")).data
    empty = next(iter(products.feed(source)))
    assert len(empty) == 0 and not empty.has_next
    _create_many(products, 1)
    [page] = list(products.feed(source, FeedOptions(cursor=empty.cursor)))
    assert [event["type"] for event in page] == ["add"]


def test_a_feed_stops_at_an_error_event_and_resumes_after_it(products: Client) -> None:
    source = products.query(
        fql("Product.where(p => if (p.n == 1) abort(p.n) else true).eventSource()")
    ).data
    _create_many(products, 3)
    page = next(iter(products.feed(source)))
    assert [event["type"] for event in page.events] == ["add", "error"]
    assert page.events[1]["error"]["code"] == "abort"
    assert "cursor" not in page.events[1] and "txn_ts" not in page.events[1]
    with pytest.raises(AbortError):
        list(page)
    rest = next(iter(products.feed(source, FeedOptions(cursor=page.cursor))))
    assert [event["data"]["n"] for event in rest] == [2]


# -- HTTP errors -----------------------------------------------------------------------------------


def _error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert set(body) == {"error"}
    return response.status_code, body["error"]["code"], body["error"]["message"]


def _post(http: httpx.Client, path: str, secret: str, body: Any) -> httpx.Response:
    return http.post(path, json=body, headers={"Authorization": f"Bearer {secret}"})


@pytest.mark.parametrize("path", ["/stream/1", "/feed/1"])
def test_requests_without_valid_auth_are_unauthorized(
    http: httpx.Client, products: Client, path: str
) -> None:
    token = _source_token(products)
    response = _post(http, path, "wrong-secret", {"token": token})
    assert _error(response) == (
        401,
        "unauthorized",
        "Invalid token, unable to authenticate request",
    )
    assert "www-authenticate" not in response.headers


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/stream/1", {}, "Invalid request body: Value for key token not found."),
        ("/feed/1", {}, "Invalid request body: Value for key token not found."),
        ("/stream/1", {"token": "bm9wZQ=="}, "Invalid request body: invalid event source provided"),
        ("/feed/1", {"token": "!!"}, "Invalid request body: invalid event source provided."),
        ("/feed/1", {"token": 7}, "Invalid request body: invalid event source provided."),
    ],
)
def test_missing_and_forged_tokens_are_refused(
    http: httpx.Client, faunalite_server: BackgroundServer, path: str, body: Any, message: str
) -> None:
    response = _post(http, path, faunalite_server.secret, body)
    assert _error(response) == (400, "invalid_request", message)


@pytest.mark.parametrize("path", ["/stream/1", "/feed/1"])
def test_a_tampered_token_is_refused(
    http: httpx.Client, products: Client, secret: str, path: str
) -> None:
    raw = bytearray(base64.b64decode(_source_token(products)))
    raw[10] ^= 1
    tampered = base64.b64encode(bytes(raw)).decode()
    response = _post(http, path, secret, {"token": tampered})
    status, code, message = _error(response)
    assert (status, code) == (400, "invalid_request")
    assert message.startswith("Invalid request body: invalid event source provided")


def test_a_token_from_another_database_is_refused(
    http: httpx.Client, faunalite_server: BackgroundServer, products: Client
) -> None:
    token = _source_token(products)
    response = _post(http, "/stream/1", faunalite_server.secret, {"token": token})
    status, code, message = _error(response)
    assert (status, code) == (400, "invalid_request")
    assert message.startswith("Error evaluating provided stream, ")


@pytest.mark.parametrize(
    ("path", "extra", "message"),
    [
        (
            "/stream/1",
            {"start_ts": 1, "cursor": "x"},
            "Invalid request body: can not provide both `start_ts` and `cursor`",
        ),
        (
            "/feed/1",
            {"start_ts": 1, "cursor": "x"},
            "Invalid request body: can not provide both `start_ts` and `cursor`.",
        ),
        ("/stream/1", {"start_ts": "1"}, "Invalid request body: Unexpected string value '1'."),
        ("/stream/1", {"cursor": "?"}, "Invalid request body: invalid event cursor provided"),
        ("/feed/1", {"cursor": "bm9wZQ=="}, "Invalid request body: invalid event cursor provided."),
        (
            "/stream/1",
            {"start_ts": 1},
            "Invalid stream start time: Stream start time can not be before the stream create "
            "time.",
        ),
        ("/feed/1", {"page_size": 0}, "Invalid request body: page size must be greater than zero."),
        (
            "/feed/1",
            {"page_size": 16001},
            "Invalid request body: page size can not be greater than 16000.",
        ),
    ],
)
def test_bad_request_fields_are_refused(
    http: httpx.Client,
    products: Client,
    secret: str,
    path: str,
    extra: dict[str, Any],
    message: str,
) -> None:
    response = _post(http, path, secret, {"token": _source_token(products), **extra})
    assert _error(response) == (400, "invalid_request", message)


@pytest.mark.parametrize("path", ["/stream/1", "/feed/1"])
@pytest.mark.parametrize("start_ts", [2**63, -(2**63) - 1, 10**30])
def test_a_start_ts_beyond_a_long_is_refused(
    http: httpx.Client, products: Client, secret: str, path: str, start_ts: int
) -> None:
    response = _post(http, path, secret, {"token": _source_token(products), "start_ts": start_ts})
    message = (
        f"Invalid request body: Numeric value ({start_ts}) out of range of long "
        "(-9223372036854775808 - 9223372036854775807)"
    )
    assert _error(response) == (400, "invalid_request", message)


@pytest.mark.parametrize("path", ["/stream/1", "/feed/1"])
@pytest.mark.parametrize("depth", [1001, 300_000])
def test_a_body_nested_too_deep_is_refused(
    http: httpx.Client, secret: str, path: str, depth: int
) -> None:
    body = b'{"token":' + b"[" * depth + b"]" * depth + b"}"
    response = http.post(path, content=body, headers={"Authorization": f"Bearer {secret}"})
    assert _error(response) == (
        400,
        "invalid_request",
        "Invalid request body: JSON exceeds nesting limit",
    )


def test_feed_page_size_bounds_are_inclusive(
    http: httpx.Client, products: Client, secret: str
) -> None:
    token = _source_token(products)
    for size in (1, 16000):
        response = _post(http, "/feed/1", secret, {"token": token, "page_size": size})
        assert response.status_code == 200
        assert list(response.json()) == ["events", "cursor", "has_next", "stats"]

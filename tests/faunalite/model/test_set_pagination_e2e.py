"""Set pages over real HTTP: ``@set`` results, ``Set.paginate`` cursors, and the ``fauna``
driver's ``Client.paginate`` against faunalite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from faunalite.testing import BackgroundServer


@pytest.fixture
def http(faunalite_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=faunalite_server.endpoint,
        headers={"Authorization": f"Bearer {faunalite_server.secret}"},
        timeout=30,
    ) as client:
        yield client


def run(http: httpx.Client, query: str, fmt: str = "simple", **arguments: Any) -> dict[str, Any]:
    response = http.post(
        "/query/1", json={"query": query, "arguments": arguments}, headers={"x-format": fmt}
    )
    body: dict[str, Any] = response.json()
    return body


def test_a_set_result_is_its_first_page_tagged(http: httpx.Client) -> None:
    body = run(http, "Set.sequence(0, 40)", "tagged")
    page = body["data"]["@set"]
    assert page["data"] == [{"@int": str(n)} for n in range(16)]
    assert isinstance(page["after"], str)


def test_paging_through_with_set_paginate_gives_every_element_in_order(
    http: httpx.Client,
) -> None:
    first = run(http, "Set.sequence(0, 40)")["data"]
    items, after = list(first["data"]), first.get("after")
    pages = 1
    while after is not None:
        page = run(http, f'Set.paginate("{after}")')["data"]
        items.extend(page["data"])
        after = page.get("after")
        pages += 1
    assert items == list(range(40))
    assert pages == 3


def test_cursor_as_argument_with_a_size(http: httpx.Client) -> None:
    first = run(http, "Set.sequence(0, 10).map(x => x * x).pageSize(4)")["data"]
    assert first["data"] == [0, 1, 4, 9]
    rest = run(http, "Set.paginate(after, 100)", after=first["after"])["data"]
    assert rest == {"data": [16, 25, 36, 49, 64, 81]}


def test_the_last_page_has_no_after(http: httpx.Client) -> None:
    body = run(http, "Set.sequence(0, 3)", "tagged")
    assert body["data"] == {"@set": {"data": [{"@int": "0"}, {"@int": "1"}, {"@int": "2"}]}}


def test_an_invalid_cursor_is_invalid_cursor(http: httpx.Client) -> None:
    response = http.post("/query/1", json={"query": 'Set.paginate("garbage")'})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_cursor",
        "message": "Cursor cursor is invalid or expired.",
    }


def test_errors_while_materialising_are_query_errors(http: httpx.Client) -> None:
    response = http.post("/query/1", json={"query": "Set.sequence(0, 3).where(x => x)"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "type_mismatch",
        "message": "expected type: Boolean, received Int",
    }


def test_the_fauna_driver_paginates_a_set(faunalite_server: BackgroundServer) -> None:
    fauna_client = pytest.importorskip("fauna.client", exc_type=ImportError)
    fauna_query = pytest.importorskip("fauna.query", exc_type=ImportError)
    client = fauna_client.Client(endpoint=faunalite_server.endpoint, secret=faunalite_server.secret)
    try:
        pages = list(client.paginate(fauna_query.fql("Set.sequence(0, 40)")))
        assert [len(page) for page in pages] == [16, 16, 8]
        assert [item for page in pages for item in page] == list(range(40))
        first = client.query(fauna_query.fql("Set.sequence(0, 20).pageSize(15)")).data
        assert list(first.data) == list(range(15))
        rest = list(client.paginate(first).flatten())
        assert rest == list(range(20))
    finally:
        client.close()

"""Client.scoped: a child client on the parent's pool, sending ``secret:database:role``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fauna_fakes import (
    FakeFauna,
    data_event,
    feed_page,
    json_response,
    query_success,
    stream_response,
)

from conftest import SECRET
from fauna import fql
from fauna.client import AsyncClient, Client
from fauna.errors import ClientError
from fauna.query import EventSource


def authorization(fake: FakeFauna) -> list[str]:
    return [request.headers["Authorization"] for request in fake.sent()]


@pytest.mark.parametrize(
    ("database", "role", "secret"),
    [
        ("app", "admin", f"{SECRET}:app:admin"),
        ("app/staging", "server", f"{SECRET}:app/staging:server"),
        ("app", "server-readonly", f"{SECRET}:app:server-readonly"),
        ("app", "client", f"{SECRET}:app:client"),
        ("app", "@role/Reader", f"{SECRET}:app:@role/Reader"),
        ("app", "@doc/Users/401", f"{SECRET}:app:@doc/Users/401"),
    ],
)
def test_scoped_client_sends_the_scoped_secret(
    client: Any, fake: FakeFauna, database: str, role: str, secret: str
) -> None:
    fake.query(query_success({"@int": "1"}), query_success({"@int": "2"}))
    child = client.scoped(database, role)
    assert child.query(fql("1")).data == 1
    assert client.query(fql("2")).data == 2
    assert authorization(fake) == [f"Bearer {secret}", f"Bearer {SECRET}"]


def test_role_defaults_to_admin_and_scopes_nest(client: Any, fake: FakeFauna) -> None:
    fake.query(query_success(None), query_success(None))
    child = client.scoped("app")
    child.query(fql("1"))
    child.scoped("staging", "server").query(fql("1"))
    assert authorization(fake) == [
        f"Bearer {SECRET}:app:admin",
        f"Bearer {SECRET}:app/staging:server",
    ]


def test_scoped_client_is_of_the_same_kind_on_the_same_pool(client: Any, client_kind: str) -> None:
    child = client.scoped("app")
    kind = Client if client_kind == "sync" else AsyncClient
    inner = child if client_kind == "sync" else child.inner
    assert type(inner) is kind
    assert child._pool is client._pool
    assert child.get_query_timeout() == client.get_query_timeout()


def test_closing_a_scoped_client_leaves_the_parent_working(client: Any, fake: FakeFauna) -> None:
    fake.query(query_success({"@int": "1"}))
    child = client.scoped("app")
    child.close()
    with pytest.raises(ClientError, match="closed"):
        child.query(fql("1"))
    assert client.query(fql("1")).data == 1


def test_closing_the_parent_ends_its_scoped_clients(
    make_client: Callable[..., Any], fake: FakeFauna
) -> None:
    parent = make_client()
    child = parent.scoped("app")
    grandchild = child.scoped("staging")
    parent.close()
    with pytest.raises(ClientError, match="closed"):
        child.query(fql("1"))
    with pytest.raises(ClientError, match="closed"):
        grandchild.query(fql("1"))
    with pytest.raises(ClientError, match="closed"):
        parent.scoped("other")
    assert fake.sent() == []


def test_scoped_clients_track_their_own_last_txn_ts(client: Any, fake: FakeFauna) -> None:
    client.set_last_txn_ts(10)
    child = client.scoped("app")
    assert child.get_last_txn_ts() == 10
    fake.query(query_success(None, txn_ts=20))
    child.query(fql("1"))
    assert (child.get_last_txn_ts(), client.get_last_txn_ts()) == (20, 10)


@pytest.mark.parametrize("database", ["", "/app", "app/", "app//staging", "my app", "a:b", "a@b"])
def test_malformed_database_is_rejected(client: Any, database: str) -> None:
    with pytest.raises(ValueError, match="Invalid database path"):
        client.scoped(database)


@pytest.mark.parametrize(
    "role", ["", "root", "Admin", "@role/", "@role/has space", "@doc/Users", "@doc//1", "@doc/U/"]
)
def test_malformed_role_is_rejected(client: Any, role: str) -> None:
    with pytest.raises(ValueError, match="Invalid role"):
        client.scoped("app", role)


def test_non_string_arguments_are_type_errors(client: Any) -> None:
    with pytest.raises(TypeError, match="'database' must be a str"):
        client.scoped(None)
    with pytest.raises(TypeError, match="'role' must be a str"):
        client.scoped("app", 1)


def test_a_client_without_secret_cannot_be_scoped(make_client: Callable[..., Any]) -> None:
    with pytest.raises(ClientError, match="No secret configured"):
        make_client(secret="").scoped("app")


def test_streams_and_feeds_of_a_scoped_client_use_its_secret(client: Any, fake: FakeFauna) -> None:
    fake.reply("/stream/1", stream_response([data_event("add", {"@int": "1"}, 10, "c1")]))
    fake.reply("/feed/1", json_response(200, feed_page([], "c2", has_next=False)))
    child = client.scoped("app", "server")
    with child.stream(EventSource("tok")) as stream:
        assert next(stream)["data"] == 1
    (page,) = child.feed(EventSource("tok"))
    assert page.cursor == "c2"
    assert authorization(fake) == [f"Bearer {SECRET}:app:server"] * 2

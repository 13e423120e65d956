"""Fixtures for end-to-end tests: the real ``fauna`` driver against a real faunalite server.

Every test gets a database of its own (a child of the root, created through the driver), so
tests sharing the session server cannot see each other's collections or documents:

    def test_something(db: Client) -> None:
        db.query(fql('Collection.create({ name: "Dogs" })'))
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from fauna import fql
from fauna.client import Client
from faunalite.testing import BackgroundServer

_database_numbers = itertools.count()


def client_for(server: BackgroundServer, secret: str) -> Client:
    return Client(endpoint=server.endpoint, secret=secret, max_attempts=1)


@pytest.fixture
def connect(faunalite_server: BackgroundServer) -> Iterator[Callable[[str], Client]]:
    """Make driver clients for other secrets; they are closed after the test."""
    clients: list[Client] = []

    def make(secret: str) -> Client:
        clients.append(client_for(faunalite_server, secret))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def root(faunalite_server: BackgroundServer) -> Iterator[Client]:
    """A driver client with the root key (admin on the root database)."""
    client = client_for(faunalite_server, faunalite_server.secret)
    yield client
    client.close()


@pytest.fixture
def db_name(root: Client) -> str:
    """The name of a fresh child database of the root, for this test only."""
    name = f"test_db_{next(_database_numbers)}"
    root.query(fql("Database.create({ name: ${name} })", name=name))
    return name


@pytest.fixture
def db(faunalite_server: BackgroundServer, db_name: str) -> Iterator[Client]:
    """An admin client scoped to this test's database (``secret:<db>:admin``)."""
    client = client_for(faunalite_server, f"{faunalite_server.secret}:{db_name}:admin")
    yield client
    client.close()

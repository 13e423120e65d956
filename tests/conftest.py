"""Fixtures shared by every test suite.

``faunalite_server``: one in-process faunalite server for the whole session, on a free
loopback port. End-to-end tests talk to it over real HTTP::

    def test_something(faunalite_server):
        client = Client(endpoint=faunalite_server.endpoint, secret=faunalite_server.secret)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.testing import BackgroundServer, serve_in_background


@pytest.fixture(scope="session")
def faunalite_server() -> Iterator[BackgroundServer]:
    with serve_in_background(secret="secret") as server:
        yield server

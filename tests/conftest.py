"""Fixtures shared by every test suite.

``faunalite_server``: one in-process faunalite server for the whole session, on a free
loopback port. It overrides the installed plugin's fixture of that name (faunalite's
``pytest11`` plugin), so this suite never runs against ``FAUNA_ENDPOINT``. End-to-end tests talk to it over real HTTP::

    def test_something(faunalite_server):
        client = Client(endpoint=faunalite_server.endpoint, secret=faunalite_server.secret)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.testing import BackgroundServer, serve_in_background

# ``pytester`` runs pytest on generated test files (tests of faunalite's pytest plugin).
pytest_plugins = ("pytester",)


@pytest.fixture(scope="session")
def faunalite_server() -> Iterator[BackgroundServer]:
    with serve_in_background(secret="secret") as server:
        yield server

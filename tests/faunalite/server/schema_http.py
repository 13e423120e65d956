"""Helpers the schema API tests share: a fresh child database per test, and an httpx client
for ``/schema/1`` with a given secret."""

from __future__ import annotations

import itertools

import httpx

from fauna import fql
from fauna.client import Client
from faunalite.testing import BackgroundServer

_numbers = itertools.count()


def new_database(server: BackgroundServer, prefix: str) -> str:
    """Create a child database of the root with a fresh name starting with ``prefix``."""
    name = f"{prefix}_{next(_numbers)}"
    with Client(endpoint=server.endpoint, secret=server.secret) as root:
        root.query(fql("Database.create({ name: ${name} })", name=name))
    return name


def schema_client(server: BackgroundServer, secret: str) -> httpx.Client:
    """An httpx client whose paths are relative to ``/schema/1``, sending ``secret``."""
    headers = {"Authorization": f"Bearer {secret}"}
    return httpx.Client(base_url=f"{server.endpoint}/schema/1", headers=headers, timeout=10)

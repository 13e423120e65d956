"""Fixtures for the driver's tests: a scripted FaunaDB and clients wired to it.

This directory is on ``sys.path`` while tests run (pytest's rootdir-less
import mode), so test modules import helpers with ``from fauna_fakes import ...``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from client_kinds import SyncDriven
from fauna_fakes import FakeFauna

from fauna.client import AsyncClient, Client

ENDPOINT = "http://fauna.test:8443"
SECRET = "sekrit"


@pytest.fixture
def fake() -> FakeFauna:
    return FakeFauna()


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff delays the clients asked for (they do not really sleep)."""
    return []


@pytest.fixture(params=["sync", "async"])
def client_kind(request: pytest.FixtureRequest) -> str:
    """Every test that builds a client runs once per client: ``Client`` and ``AsyncClient``."""
    kind: str = request.param
    return kind


@pytest.fixture
def make_client(
    fake: FakeFauna, sleeps: list[float], client_kind: str
) -> Iterator[Callable[..., Any]]:
    """Build a client of ``client_kind`` talking to ``fake``; extra kwargs go to the constructor.

    An ``AsyncClient`` comes wrapped in ``client_kinds.SyncDriven``, so test
    bodies are written once, in the sync client's call shapes.
    """
    clients: list[Client | SyncDriven] = []
    loop = asyncio.new_event_loop() if client_kind == "async" else None

    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def build(**kwargs: Any) -> Client | SyncDriven:
        kwargs.setdefault("endpoint", ENDPOINT)
        kwargs.setdefault("secret", SECRET)
        if "http_client" not in kwargs:
            # httpx.MockTransport serves httpx.Client and httpx.AsyncClient alike.
            kwargs.setdefault("transport", fake.transport())
        built: Client | SyncDriven
        if loop is None:
            built = Client(**kwargs)
            built._sleep = sleeps.append
        else:
            inner = AsyncClient(**kwargs)
            inner._sleep = record_sleep
            built = SyncDriven(inner, loop)
        clients.append(built)
        return built

    yield build
    for client in clients:
        client.close()
    if loop is not None:
        loop.close()


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Any:
    return make_client()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's FAUNA_* settings."""
    for name in ("FAUNA_ENDPOINT", "FAUNA_SECRET", "FAUNA_DEBUG"):
        monkeypatch.delenv(name, raising=False)

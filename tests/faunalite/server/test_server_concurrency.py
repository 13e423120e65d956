"""One heavy query must not stall the server: ``/ping`` and other databases keep answering.

Assertions are about order, not time: each check runs while a CPU-heavy query (one that can
only end by reaching its deadline) is still running in database A, and must be answered
before that query is. The heavy query is given a head start so that it is under way first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from faunalite.testing import BackgroundServer, serve_in_background

HEAVY_QUERY = "Set.sequence(0, 100000000).fold(0, (a, b) => a + b)"
HEAVY_TIMEOUT_MS = 3000
HEAD_START_SECONDS = 0.3


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    with serve_in_background() as running:
        with httpx.Client(base_url=running.endpoint, timeout=30) as client:
            for name in ("A", "B"):
                client.post(
                    "/query/1",
                    json={"query": f'Database.create({{ name: "{name}" }})'},
                    headers={"Authorization": f"Bearer {running.secret}"},
                ).raise_for_status()
        yield running


class HeavyQuery:
    """The heavy query in database A, run in a thread; ``response`` once it is answered."""

    def __init__(self, server: BackgroundServer) -> None:
        self.server = server
        self.done = threading.Event()
        self.response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        with httpx.Client(base_url=self.server.endpoint, timeout=60) as client:
            self.response = client.post(
                "/query/1",
                json={"query": HEAVY_QUERY},
                headers={
                    "Authorization": f"Bearer {self.server.secret}:A:admin",
                    "X-Query-Timeout-Ms": str(HEAVY_TIMEOUT_MS),
                },
            )
        self.done.set()

    def __enter__(self) -> HeavyQuery:
        self._thread.start()
        time.sleep(HEAD_START_SECONDS)
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join()
        # The heavy query really ran to its deadline.
        assert self.response is not None
        assert self.response.status_code == 503
        assert self.response.json()["error"]["code"] == "time_out"


def in_b(server: BackgroundServer, query: str) -> httpx.Response:
    with httpx.Client(base_url=server.endpoint, timeout=60) as client:
        return client.post(
            "/query/1",
            json={"query": query},
            headers={"Authorization": f"Bearer {server.secret}:B:admin"},
        )


def test_ping_answers_while_a_heavy_query_runs(server: BackgroundServer) -> None:
    with HeavyQuery(server) as heavy, httpx.Client(base_url=server.endpoint) as client:
        for _ in range(3):
            assert client.get("/ping").status_code == 200
        assert not heavy.done.is_set()


def test_another_database_reads_while_a_heavy_query_runs(server: BackgroundServer) -> None:
    with HeavyQuery(server) as heavy:
        assert in_b(server, "1 + 1").json()["data"] == 2
        assert not heavy.done.is_set()


def test_another_database_writes_while_a_heavy_read_runs(server: BackgroundServer) -> None:
    with HeavyQuery(server) as heavy:
        created = in_b(server, 'Collection.create({ name: "Things" }) { name }')
        assert created.json()["data"] == {"name": "Things"}
        assert in_b(server, "Things.create({ n: 1 }) { n }").json()["data"] == {"n": 1}
        assert not heavy.done.is_set()

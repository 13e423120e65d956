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

    def __init__(
        self, server: BackgroundServer, query: str = HEAVY_QUERY, timeout_ms: int = HEAVY_TIMEOUT_MS
    ) -> None:
        self.server = server
        self.query = query
        self.timeout_ms = timeout_ms
        self.done = threading.Event()
        self.response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        with httpx.Client(base_url=self.server.endpoint, timeout=60) as client:
            self.response = client.post(
                "/query/1",
                json={"query": self.query},
                headers={
                    "Authorization": f"Bearer {self.server.secret}:A:admin",
                    "X-Query-Timeout-Ms": str(self.timeout_ms),
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
        assert self.response.json()["error"] == {"code": "time_out", "message": "Read timed out"}


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


# Catastrophic backtracking in Java's regex engine and Python's alike: `(a|aa)+` splits the
# run of a's in exponentially many ways before `$` fails at the `!` (about 15 s for `re`).
CATASTROPHIC_TEXT = "a" * 38 + "!"


@pytest.mark.parametrize(
    "query",
    [
        f'"{CATASTROPHIC_TEXT}".matches("(a|aa)+$")',
        f'"{CATASTROPHIC_TEXT}".replaceAllRegex("(a|aa)+$", "b")',
    ],
)
def test_a_catastrophic_regex_does_not_freeze_the_server(
    server: BackgroundServer, query: str
) -> None:
    # Python's `re` holds the GIL for the whole match: /ping and every other query waited
    # until it finished, long past its deadline. The match now lets go of the GIL and ends
    # at the deadline, with the reply any query gets there (503 past a 1 s deadline).
    with HeavyQuery(server, query, timeout_ms=2000) as heavy:
        with httpx.Client(base_url=server.endpoint, timeout=30) as client:
            started = time.monotonic()
            assert client.get("/ping").status_code == 200
            assert time.monotonic() - started < 1
        started = time.monotonic()
        assert in_b(server, "1 + 1").json()["data"] == 2
        assert time.monotonic() - started < 1
        assert not heavy.done.is_set()
    # The regex engine's time limit counts the process's CPU time, so on a machine too busy to
    # give the process a core the match can outlast the watchdog's reply by a little; the
    # server is stopped only once that worker has ended.
    wait_until_no_transaction_is_open(server)


def wait_until_no_transaction_is_open(server: BackgroundServer, seconds: float = 30) -> None:
    give_up = time.monotonic() + seconds
    while server.engine.model.storage._busy_threads and time.monotonic() < give_up:  # type: ignore[attr-defined]
        time.sleep(0.05)

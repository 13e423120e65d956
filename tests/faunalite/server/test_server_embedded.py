"""``faunalite.serve_in_background``: start and stop a server in-process."""

from __future__ import annotations

import time

import httpx
import pytest

import faunalite


def test_context_manager_serves_then_stops() -> None:
    started = time.monotonic()
    with faunalite.serve_in_background(secret="other") as server:
        assert time.monotonic() - started < 2
        assert server.secret == "other"
        assert server.endpoint.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.endpoint}/ping").status_code == 200
        endpoint = server.endpoint
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{endpoint}/ping", timeout=2)


def test_start_and_stop_without_with() -> None:
    server = faunalite.serve_in_background().start()
    try:
        assert httpx.get(f"{server.endpoint}/ping").status_code == 200
        with pytest.raises(RuntimeError):
            server.start()
    finally:
        server.stop()
    with pytest.raises(RuntimeError):
        _ = server.port


def test_replies_are_not_held_back_by_nagle() -> None:
    # Without TCP_NODELAY each reply's body waited for the client's delayed ACK (~40 ms).
    with faunalite.serve_in_background() as server, httpx.Client(base_url=server.endpoint) as http:
        http.get("/ping")
        # Delayed ACKs cost ~40 ms per reply, every time; a loaded machine costs some
        # replies more. The fastest of several rounds tells the two apart.
        fastest = min(_ping_round(http) for _ in range(5))
        assert fastest < 0.03


def _ping_round(http: httpx.Client) -> float:
    started = time.perf_counter()
    for _ in range(10):
        http.get("/ping")
    return (time.perf_counter() - started) / 10

"""Streams survive failures: the driver reconnects from its last cursor and every event arrives
exactly once, whether the server ends the response, stops and restarts, or is killed.

The restarted servers run on the same data directory and port, so the same client, with the
same token, reconnects to them; the token's signing key lives in the data, so it stays valid.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fauna import fql
from fauna.client import Client, StreamOptions
from faunalite.testing import serve_in_background

from .stream_consumer import StreamConsumer

RECONNECTING = StreamOptions(max_attempts=100, max_backoff=1)
"""Keep reconnecting (at most a second apart) while the server is away."""
STARTUP_SECONDS = 15.0
SETTLE_SECONDS = 0.2
"""How long to watch for a duplicate after the expected events arrived."""


def _client(endpoint: str) -> Client:
    return Client(endpoint=endpoint, secret="secret", max_attempts=1)


def _create(endpoint: str, numbers: range) -> None:
    # A new client per batch: a pooled connection to a server that went away would fail.
    with _client(endpoint) as client:
        for number in numbers:
            client.query(fql("Product.create({ n: ${n} })", n=number))


def _numbers(consumer: StreamConsumer, count: int) -> list[int]:
    numbers = [event["data"]["n"] for event in consumer.wait_for(count)]
    time.sleep(SETTLE_SECONDS)
    assert len(consumer.events) == count, f"duplicates: {consumer.events[count:]}"
    return numbers


def _setup(endpoint: str) -> object:
    with _client(endpoint) as client:
        client.query(fql('Collection.create({ name: "Product" })'))
        return client.query(fql("Product.all().eventSource()")).data


def test_a_stream_ended_by_the_server_resumes_from_its_cursor() -> None:
    with serve_in_background() as server:
        source = _setup(server.endpoint)
        assert server.app is not None
        with (
            _client(server.endpoint) as reader,
            StreamConsumer(reader, source, RECONNECTING) as consumer,
        ):
            _create(server.endpoint, range(3))
            consumer.wait_for(3)
            server.app.close_streams()
            _create(server.endpoint, range(3, 6))
            server.app.close_streams()
            _create(server.endpoint, range(6, 8))
            assert _numbers(consumer, 8) == list(range(8))


def test_a_stream_resumes_across_a_server_restart(tmp_path: Path) -> None:
    first = serve_in_background(data_path=str(tmp_path)).start()
    port, endpoint = first.port, first.endpoint
    source = _setup(endpoint)
    with _client(endpoint) as reader, StreamConsumer(reader, source, RECONNECTING) as consumer:
        try:
            _create(endpoint, range(3))
            consumer.wait_for(3)
        finally:
            first.stop()  # ends the stream; the driver keeps trying to reconnect
        with serve_in_background(data_path=str(tmp_path), port=port) as second:
            _create(second.endpoint, range(3, 6))
            assert _numbers(consumer, 6) == list(range(6))


@contextmanager
def _faunalite_serve(data_dir: Path, port: int) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m faunalite serve --data DIR --port PORT``; yields it and its endpoint."""
    process = subprocess.Popen(
        [sys.executable, "-m", "faunalite", "serve", "--data", str(data_dir), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(STARTUP_SECONDS)
        line = found[0] if found else ""
        assert line.startswith("faunalite listening on "), f"did not start: {line!r}"
        yield process, line.split()[3]
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_stream_resumes_after_the_server_is_killed_and_restarted(tmp_path: Path) -> None:
    with _faunalite_serve(tmp_path, 0) as (process, endpoint):
        port = int(endpoint.rsplit(":", 1)[1])
        source = _setup(endpoint)
        reader = _client(endpoint)
        consumer = StreamConsumer(reader, source, RECONNECTING)
        _create(endpoint, range(4))
        consumer.wait_for(4)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    try:
        with _faunalite_serve(tmp_path, port) as (_, endpoint):
            _create(endpoint, range(4, 9))
            assert _numbers(consumer, 9) == list(range(9))
    finally:
        consumer.close()
        reader.close()

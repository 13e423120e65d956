"""A killed ``faunalite serve`` keeps every write it acknowledged and no half of any query.

The server runs as a real subprocess (``python -m faunalite serve --data DIR --port 0``). A
driver client writes batches in a loop, each query creating two documents with the same batch
number, and records a batch once the query returned success. Meanwhile the server is killed
with SIGKILL; then it is restarted on the same data directory and the documents are read back:
every acknowledged batch must be there whole, and any other batch present (the one in flight
when the server died may have committed without its reply arriving) must be whole too.
"""

from __future__ import annotations

import os
import random
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
from fauna.client import Client
from fauna.errors import FaunaException

ACKS_BEFORE_KILL = 40
"""Acknowledged batches the writer gets before the kill is armed."""
WRITE_DEADLINE_SECONDS = 8.0
STARTUP_TIMEOUT_SECONDS = 15.0


@contextmanager
def faunalite_serve(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``faunalite serve`` on a free port; yields the process and its endpoint."""
    process = subprocess.Popen(
        [sys.executable, "-m", "faunalite", "serve", "--data", str(data_dir), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield process, _endpoint_of(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _endpoint_of(process: subprocess.Popen[str]) -> str:
    """The address the server announces (``faunalite listening on http://host:port ...``)."""
    assert process.stdout is not None
    found: list[str] = []
    # readline() blocks; read it in a thread so that a server that never speaks fails the test.
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(STARTUP_TIMEOUT_SECONDS)
    line = found[0] if found else ""
    if not line.startswith("faunalite listening on "):
        process.kill()
        stderr = process.stderr.read() if process.stderr is not None else ""
        pytest.fail(f"faunalite serve did not start: {line!r} {stderr}")
    return line.split()[3]


def _client(endpoint: str) -> Client:
    return Client(endpoint=endpoint, secret="secret", max_attempts=1)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_keeps_acknowledged_queries_and_no_half_query(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    acknowledged: list[int] = []
    attempted: list[int] = []
    with faunalite_serve(data_dir) as (server, endpoint):
        with _client(endpoint) as setup:
            setup.query(fql('Collection.create({ name: "Items" })'))

        armed = threading.Event()

        def kill_mid_loop() -> None:
            armed.wait(WRITE_DEADLINE_SECONDS)
            # A random few milliseconds so the kill lands at varying points of a query.
            time.sleep(random.uniform(0, 0.01))
            server.send_signal(signal.SIGKILL)

        killer = threading.Thread(target=kill_mid_loop)
        killer.start()
        writer = _client(endpoint)
        deadline = time.monotonic() + WRITE_DEADLINE_SECONDS
        try:
            batch = 0
            while time.monotonic() < deadline:
                batch += 1
                attempted.append(batch)
                query = fql(
                    "Items.create({ batch: ${n}, part: 0 })\n"
                    "Items.create({ batch: ${n}, part: 1 })\n"
                    "${n}",
                    n=batch,
                )
                try:
                    returned = writer.query(query).data
                except (FaunaException, OSError):
                    break
                assert returned == batch
                acknowledged.append(batch)
                if len(acknowledged) == ACKS_BEFORE_KILL:
                    armed.set()
        finally:
            armed.set()
            killer.join()
            writer.close()
        assert server.wait(timeout=10) == -signal.SIGKILL

    assert len(acknowledged) >= ACKS_BEFORE_KILL
    # The kill came while the writer was still writing, not after it gave up.
    assert len(attempted) > len(acknowledged)

    with faunalite_serve(data_dir) as (_, endpoint), _client(endpoint) as reader:
        pairs = reader.query(fql("Items.all().map(d => [d.batch, d.part]).toArray()")).data

    parts_by_batch: dict[int, list[int]] = {}
    for batch_number, part in pairs:
        parts_by_batch.setdefault(batch_number, []).append(part)
    for batch_number in acknowledged:
        assert sorted(parts_by_batch.get(batch_number, [])) == [0, 1], batch_number
    for batch_number, parts in parts_by_batch.items():
        assert sorted(parts) == [0, 1], f"batch {batch_number} is half-written: {parts}"
        assert batch_number in attempted
    # At most the batch in flight at the kill is present without an acknowledgement.
    assert set(parts_by_batch) - set(acknowledged) <= {attempted[-1]}

"""Throughput of ``AsyncClient`` under concurrency, and its per-query cost one at a time.

Two loopback HTTP/1.1 servers run in a child process (so they do not compete
for this process's GIL), both answering every request with a small
``/query/1`` body:

* one answers after 20 ms, a realistic network round trip. 200 queries at a
  time go through one ``AsyncClient`` (default pool: 100 connections),
  against the sync ``Client`` driven by a 32-thread pool (its pool raised
  to 32 connections, so that threads never wait for a connection). Printed
  as queries per second and their ratio.
* one answers at once. Queries run one at a time on each client; printed as
  microseconds per query and their ratio, the async client's overhead.

Usage::

    .venv/bin/python benchmarks/async_throughput.py          # about 25 s
    .venv/bin/python benchmarks/async_throughput.py --seconds 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fauna import fql
from fauna.client import AsyncClient, Client

ROUND_TRIP_SECONDS = 0.020
CONCURRENT_TASKS = 200
THREADS = 32
SEQUENTIAL_ROUNDS = 5

BODY = json.dumps(
    {
        "data": {"answer": {"@int": "42"}, "name": "benchmark"},
        "static_type": "Any",
        "summary": "",
        "txn_ts": 1_714_560_000_000_000,
        "stats": {"compute_ops": 1, "read_ops": 0, "write_ops": 0, "query_time_ms": 1},
        "schema_version": 0,
    },
    separators=(",", ":"),
).encode()


# -- the server (child process) ----------------------------------------------------------


class _Responder(asyncio.Protocol):
    """Answers each complete request (head plus Content-Length body) after ``delay`` s."""

    reply = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
        % len(BODY)
    ) + BODY

    def __init__(self, delay: float) -> None:
        self._delay = delay
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in self._buffer[:end].split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            if self._delay:
                asyncio.get_running_loop().call_later(self._delay, self._answer)
            else:
                self._answer()

    def _answer(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(self.reply)


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    slow = await loop.create_server(
        lambda: _Responder(ROUND_TRIP_SECONDS), "127.0.0.1", 0, backlog=1024
    )
    fast = await loop.create_server(lambda: _Responder(0), "127.0.0.1", 0, backlog=1024)
    ports = [server.sockets[0].getsockname()[1] for server in (slow, fast)]
    print(json.dumps(ports), flush=True)
    # Serve until the parent closes our stdin.
    await loop.run_in_executor(None, sys.stdin.read)


# -- the clients -------------------------------------------------------------------------


def sync_throughput(endpoint: str, seconds: float) -> float:
    with Client(endpoint=endpoint, secret="s", max_connections=THREADS) as client:
        client.query(fql("1"))
        count = 0
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def worker() -> None:
            nonlocal count
            done = 0
            while time.perf_counter() < deadline:
                client.query(fql("1"))
                done += 1
            with lock:
                count += done

        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            for _ in range(THREADS):
                pool.submit(worker)
        return count / (time.perf_counter() - started)


async def async_throughput(endpoint: str, seconds: float) -> float:
    async with AsyncClient(endpoint=endpoint, secret="s") as client:
        await asyncio.gather(*(client.query(fql("1")) for _ in range(CONCURRENT_TASKS)))
        deadline = time.perf_counter() + seconds

        async def worker() -> int:
            done = 0
            while time.perf_counter() < deadline:
                await client.query(fql("1"))
                done += 1
            return done

        started = time.perf_counter()
        counts = await asyncio.gather(*(worker() for _ in range(CONCURRENT_TASKS)))
        return sum(counts) / (time.perf_counter() - started)


def sync_per_query(endpoint: str, seconds: float) -> float:
    with Client(endpoint=endpoint, secret="s") as client:
        for _ in range(200):
            client.query(fql("1"))
        rounds = []
        for _ in range(SEQUENTIAL_ROUNDS):
            count, started = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - started) < seconds / SEQUENTIAL_ROUNDS:
                client.query(fql("1"))
                count += 1
            rounds.append(elapsed / count)
        return statistics.median(rounds)


async def async_per_query(endpoint: str, seconds: float) -> float:
    async with AsyncClient(endpoint=endpoint, secret="s") as client:
        for _ in range(200):
            await client.query(fql("1"))
        rounds = []
        for _ in range(SEQUENTIAL_ROUNDS):
            count, started = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - started) < seconds / SEQUENTIAL_ROUNDS:
                await client.query(fql("1"))
                count += 1
            rounds.append(elapsed / count)
        return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measurement")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve())
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        slow_port, fast_port = json.loads(server.stdout.readline())
        slow, fast = f"http://127.0.0.1:{slow_port}", f"http://127.0.0.1:{fast_port}"
        seconds = args.seconds
        print(f"{CONCURRENT_TASKS} concurrent queries, server answers after 20 ms:")
        threaded = sync_throughput(slow, seconds)
        awaited = asyncio.run(async_throughput(slow, seconds))
        print(f"  Client, {THREADS} threads     {threaded:8.0f} queries/s")
        print(f"  AsyncClient, {CONCURRENT_TASKS} tasks  {awaited:8.0f} queries/s")
        print(f"  ratio async/sync        {awaited / threaded:8.2f}x  (target >= 2)")
        print("One query at a time, server answers at once:")
        blocking = sync_per_query(fast, seconds)
        single = asyncio.run(async_per_query(fast, seconds))
        print(f"  Client                  {blocking * 1e6:8.0f} us/query")
        print(f"  AsyncClient             {single * 1e6:8.0f} us/query")
        print(f"  ratio async/sync        {single / blocking:8.2f}x  (target <= 1.2)")
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

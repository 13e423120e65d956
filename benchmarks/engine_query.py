"""Throughput of faunalite's HTTP server, and the time from ``faunalite serve`` to a first answer.

    .venv/bin/python benchmarks/engine_query.py [--seconds 2]

Each query runs for a fixed time budget over one keep-alive HTTP connection (httpx), against an
in-process server; startup is measured on a real ``python -m faunalite serve`` subprocess.
Prints a table; the whole run stays under about 15 seconds.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time

import httpx

from faunalite.testing import serve_in_background

QUERIES = {
    "Math.abs(-5)": "Math.abs(-5)",
    "[1,2,3].map(x => x * 2)": "[1,2,3].map(x => x * 2)",
    "10k array map + length": "Array.sequence(0, 10000).map(x => x * 2).length",
}


def measure(client: httpx.Client, fql: str, seconds: float) -> tuple[int, float, str]:
    """(requests done, requests per second, first reply's status/code) within ``seconds``."""
    first = client.post("/query/1", json={"query": fql})
    outcome = str(first.status_code)
    if first.status_code != 200:
        outcome += " " + first.json()["error"]["code"]
    count = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        client.post("/query/1", json={"query": fql})
        count += 1
    return count, count / elapsed, outcome


def time_to_first_query(timeout: float = 10.0) -> float:
    """Seconds from spawning ``faunalite serve`` to a 200 from ``/query/1``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "faunalite", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(headers={"Authorization": "Bearer secret"}) as client:
            while time.perf_counter() - started < timeout:
                try:
                    reply = client.post(f"http://127.0.0.1:{port}/query/1", json={"query": "1"})
                    if reply.status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.005)
        raise RuntimeError("faunalite serve did not answer in time")
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seconds", type=float, default=2.0, help="time budget per query")
    seconds = options.parse_args().seconds
    print(f"{'query':<28} {'requests':>9} {'req/s':>9} {'ms/req':>8}  first reply")
    with (
        serve_in_background() as server,
        httpx.Client(
            base_url=server.endpoint,
            headers={"Authorization": f"Bearer {server.secret}"},
            timeout=30,
        ) as client,
    ):
        for label, fql in QUERIES.items():
            count, rate, outcome = measure(client, fql, seconds)
            print(f"{label:<28} {count:>9} {rate:>9.1f} {1000 / rate:>8.2f}  {outcome}")
    startup = time_to_first_query()
    print(f"{'serve → first query':<28} {'':>9} {'':>9} {startup * 1000:>8.0f}  (ms, subprocess)")


if __name__ == "__main__":
    main()

"""How the faunalite server behaves under load: a heavy query must not stall the others.

Runs ``faunalite serve`` in a child process (so the load generator does not share its GIL)
on a free loopback port and prints, side by side:

* ``/ping`` latency idle, and while one heavy query runs in database A;
* a small query in database B idle, and while the heavy query runs in A;
* how long a heavy query, and a query that is one 400k-element array literal, take to be
  answered with a 1 s deadline, and with what;
* ``1 + 1`` queries per second with 1, 4 and 16 concurrent HTTP/1.1 clients.

Every loop is bounded in count and time. Usage::

    .venv/bin/python benchmarks/server_concurrency.py            # about 30 s
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

SECRET = "secret"
HEAVY_QUERY = "Set.sequence(0, 100000000).fold(0, (a, b) => a + b)"
"""Runs far longer than any deadline used here: it ends by timing out."""
HEAVY_TIMEOUT_MS = 6000
LITERAL_ELEMENTS = 400_000
"""An array literal this long takes longer than 1 s to parse and evaluate."""
SAMPLES = 15
THROUGHPUT_SECONDS = 3.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _query(client: httpx.Client, text: str, secret: str, timeout_ms: int = 5000) -> httpx.Response:
    return client.post(
        "/query/1",
        json={"query": text},
        headers={"Authorization": f"Bearer {secret}", "X-Query-Timeout-Ms": str(timeout_ms)},
    )


def _timings_ms(action: object) -> list[float]:
    timings = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _median_ms(action: object) -> float:
    return statistics.median(_timings_ms(action))


def _while_heavy(endpoint: str, measure: object) -> float:
    """The slowest of ``SAMPLES`` runs of ``measure()`` started while a heavy query runs in
    database A (a stalled server shows as the heavy query's whole duration)."""
    heavy_done = threading.Event()

    def heavy() -> None:
        with httpx.Client(base_url=endpoint, timeout=60) as client:
            _query(client, HEAVY_QUERY, f"{SECRET}:A:admin", HEAVY_TIMEOUT_MS)
        heavy_done.set()

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(0.3)  # let the heavy query get going
    assert not heavy_done.is_set(), "the heavy query ended too soon to measure anything"
    result = max(_timings_ms(measure))
    thread.join()
    return result


def _throughput(endpoint: str, clients: int) -> float:
    stop_at = time.monotonic() + THROUGHPUT_SECONDS
    counts = [0] * clients

    def worker(index: int) -> None:
        with httpx.Client(base_url=endpoint, timeout=30) as client:
            while time.monotonic() < stop_at:
                _query(client, "1 + 1", SECRET).raise_for_status()
                counts[index] += 1

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return sum(counts) / THROUGHPUT_SECONDS


def main() -> int:
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "faunalite", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        with httpx.Client(base_url=endpoint, timeout=60) as client:
            for name in ("A", "B"):
                _query(client, f'Database.create({{ name: "{name}" }})', SECRET)
            ping = lambda: client.get("/ping").raise_for_status()  # noqa: E731
            small_b = lambda: _query(client, "1 + 1", f"{SECRET}:B:admin")  # noqa: E731
            rows = [
                ("/ping, idle (median, ms)", _median_ms(ping)),
                ("/ping, heavy query in A (worst, ms)", _while_heavy(endpoint, ping)),
                ("1 + 1 in B, idle (median, ms)", _median_ms(small_b)),
                ("1 + 1 in B, heavy query in A (worst, ms)", _while_heavy(endpoint, small_b)),
            ]
            started = time.perf_counter()
            answer = _query(client, HEAVY_QUERY, SECRET, 1000)
            elapsed = time.perf_counter() - started
            code = answer.json().get("error", {}).get("code", "none")
            rows.append(
                (f"heavy query, 1 s deadline: {answer.status_code} {code} after (s)", elapsed)
            )
            literal = "[" + ",".join(map(str, range(LITERAL_ELEMENTS))) + "]"
            started = time.perf_counter()
            answer = _query(client, literal, SECRET, 1000)
            elapsed = time.perf_counter() - started
            code = answer.json().get("error", {}).get("code", "none")
            rows.append(
                (f"400k literal, 1 s deadline: {answer.status_code} {code} after (s)", elapsed)
            )
        for clients in (1, 4, 16):
            rows.append((f"1 + 1 queries/s, {clients} clients", _throughput(endpoint, clients)))
    finally:
        process.terminate()
        process.wait(10)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

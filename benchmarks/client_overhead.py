"""Per-query cost of ``Client.query(...).data`` against raw ``httpx`` + ``json.loads``.

A loopback HTTP/1.1 server (stdlib ``http.server`` in a thread) answers every
request with a fixed ``/query/1`` body: a scalar, a 16-document page or a
1000-document page (documents with strings, doubles, ints, dates, times and
refs, in tagged format), the last also with a distinct ``ts`` per document. Both sides talk to the same server over a
keep-alive connection, so the difference is the driver's own work: building
headers and body, parsing, tag-decoding, building the ``QuerySuccess``.
The raw side goes through ``httpx.Client.post``; the driver hands requests
straight to its own pool's transport (``fauna.client._pools``), so on a
small body it can come out below 1x.

Usage::

    .venv/bin/python benchmarks/client_overhead.py            # the table (< 60 s)
    .venv/bin/python benchmarks/client_overhead.py --profile page1000
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from fauna import fql
from fauna.client import Client

ROUNDS = 7
ROUND_SECONDS = 0.25


def tagged_document(n: int) -> dict[str, Any]:
    return {
        "@doc": {
            "id": str(400_000_000_000_000_000 + n),
            "coll": {"@mod": "Product"},
            "ts": {"@time": "2024-05-01T10:20:30.123456Z"},
            "name": f"product number {n}",
            "description": "a sturdy thing, good for many purposes",
            "price": {"@double": str(9.99 + n)},
            "stock": {"@int": str(n * 3)},
            "views": {"@long": str(10_000_000_000 + n)},
            "released": {"@date": "2023-11-05"},
            "restocked": {"@time": "2024-04-30T08:00:00Z"},
            "maker": {"@ref": {"id": str(1000 + n % 7), "coll": {"@mod": "Maker"}}},
            "tags": ["new", "sale"],
        }
    }


def query_body(data: Any) -> bytes:
    return json.dumps(
        {
            "data": data,
            "static_type": "Any",
            "summary": "",
            "txn_ts": 1_714_560_000_000_000,
            "stats": {
                "compute_ops": 1,
                "read_ops": 1,
                "write_ops": 0,
                "query_time_ms": 1,
                "contention_retries": 0,
                "storage_bytes_read": 100,
                "storage_bytes_write": 0,
                "rate_limits_hit": [],
            },
            "schema_version": 0,
        },
        separators=(",", ":"),
    ).encode()


def page(size: int) -> dict[str, Any]:
    return {"@set": {"data": [tagged_document(n) for n in range(size)], "after": "b64cursor=="}}


def page_distinct_ts(size: int) -> dict[str, Any]:
    """``page(size)`` with a ``ts`` of its own for every document, as real data has."""
    result = page(size)
    for n, document in enumerate(result["@set"]["data"]):
        stamp = f"2024-05-01T10:{n // 600 % 60:02d}:{n // 10 % 60:02d}.{n:06d}Z"
        document["@doc"]["ts"] = {"@time": stamp}
    return result


BODIES: dict[str, bytes] = {
    "scalar": query_body({"@int": "42"}),
    "page16": query_body(page(16)),
    "page1000": query_body(page(1000)),
    # The same page, but no two documents share a ``ts`` (so no ``@time`` is parsed once only).
    "page1000ts": query_body(page_distinct_ts(1000)),
}


class _FixedResponder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment; otherwise Nagle plus delayed ACKs
    # add ~40 ms to every response and hide everything being measured.
    disable_nagle_algorithm = True
    wbufsize = -1

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = BODIES[self.path.split("/")[1]]
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_server() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FixedResponder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def per_call_seconds(call: Callable[[], Any]) -> float:
    """Mean seconds per call over a round of about ``ROUND_SECONDS``."""
    count = 0
    start = time.perf_counter()
    while True:
        call()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= ROUND_SECONDS and count >= 5:
            return elapsed / count


def measure(base: str, case: str) -> tuple[float, float]:
    url = f"{base}/{case}/query/1"
    raw_client = httpx.Client(http1=True, http2=False)
    raw_headers = {"Authorization": "Bearer secret", "X-Format": "tagged"}
    raw_content = b'{"query":{"fql":["Product.all()"]},"arguments":{}}'

    def raw() -> Any:
        return json.loads(raw_client.post(url, content=raw_content, headers=raw_headers).content)

    client = Client(endpoint=f"{base}/{case}", secret="secret")
    query = fql("Product.all()")

    def ours() -> Any:
        return client.query(query).data

    for _ in range(10):
        raw()
        ours()
    raw_times, our_times = [], []
    # Alternate rounds so drift (CPU frequency, GC) hits both sides alike; keep the best.
    for _ in range(ROUNDS):
        raw_times.append(per_call_seconds(raw))
        our_times.append(per_call_seconds(ours))
    client.close()
    raw_client.close()
    return min(raw_times), min(our_times)


def profile(base: str, case: str) -> None:
    client = Client(endpoint=f"{base}/{case}", secret="secret")
    query = fql("Product.all()")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(200 if case != "page1000" else 30):
        client.query(query)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--profile", choices=sorted(BODIES), help="profile one case instead")
    args = parser.parse_args()
    server = start_server()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        if args.profile:
            profile(base, args.profile)
            return
        print(f"{'case':<10} {'body':>10} {'raw httpx+json':>16} {'fauna Client':>14} {'ratio':>7}")
        ratios = []
        for case in BODIES:
            raw_s, our_s = measure(base, case)
            ratios.append(our_s / raw_s)
            print(
                f"{case:<10} {len(BODIES[case]):>9}B {raw_s * 1e6:>14.1f}us "
                f"{our_s * 1e6:>12.1f}us {our_s / raw_s:>6.2f}x"
            )
        print(f"geometric mean ratio: {statistics.geometric_mean(ratios):.2f}x")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()

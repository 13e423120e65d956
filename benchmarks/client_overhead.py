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

A second table prices OpenTelemetry (``fauna[otel]``): the same client with
telemetry off (the default; no span, no header) against one recording to an
opentelemetry-sdk tracer provider (every span sampled, none exported) and an
in-memory metric reader.

Usage::

    .venv/bin/python benchmarks/client_overhead.py            # the tables (< 90 s)
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
# The telemetry difference is a tenth of a loopback round trip: more rounds to see it.
TELEMETRY_ROUNDS = 15
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


def measure_telemetry(base: str, case: str) -> tuple[float, float]:
    """Seconds per query with telemetry off and with an SDK recording every span."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider

    from fauna.telemetry import Telemetry

    telemetry = Telemetry(TracerProvider(), MeterProvider(metric_readers=[InMemoryMetricReader()]))
    plain = Client(endpoint=f"{base}/{case}", secret="secret", telemetry=False)
    traced = Client(endpoint=f"{base}/{case}", secret="secret", telemetry=telemetry)
    query = fql("Product.all().where(.price < ${limit})", limit=10)

    def off() -> Any:
        return plain.query(query).data

    def on() -> Any:
        return traced.query(query).data

    for _ in range(10):
        off()
        on()
    off_times, on_times = [], []
    for _ in range(TELEMETRY_ROUNDS):
        off_times.append(per_call_seconds(off))
        on_times.append(per_call_seconds(on))
    plain.close()
    traced.close()
    return min(off_times), min(on_times)


def telemetry_table(base: str) -> None:
    try:
        import opentelemetry.sdk  # noqa: F401
    except ImportError:
        print("telemetry: opentelemetry-sdk is not installed, skipped")
        return
    print(f"{'case':<10} {'telemetry off':>14} {'telemetry on':>13} {'ratio':>7}")
    for case in ("scalar", "page16"):
        off_s, on_s = measure_telemetry(base, case)
        print(f"{case:<10} {off_s * 1e6:>12.1f}us {on_s * 1e6:>11.1f}us {on_s / off_s:>6.2f}x")
    off_us, on_us = telemetry_cpu_microseconds()
    print(f"telemetry's own work per query (no I/O): off {off_us:.2f}us, on {on_us:.1f}us")


def telemetry_cpu_microseconds() -> tuple[float, float]:
    """What the telemetry hooks of one query cost, off and on, measured without the network."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider

    from fauna.client._config import resolve_config
    from fauna.client._requests import build_query_request
    from fauna.client._telemetry import TelemetrySwitch
    from fauna.encoding import QueryStats, QuerySuccess
    from fauna.telemetry import Telemetry

    config = resolve_config(endpoint="http://127.0.0.1:8443", secret="secret")
    query = fql("Product.all().where(.price < ${limit})", limit=10)
    request = build_query_request(config, query)
    result = QuerySuccess(1, None, None, QueryStats({"compute_ops": 1}), "", None, 1, 0)
    sdk = Telemetry(TracerProvider(), MeterProvider(metric_readers=[InMemoryMetricReader()]))
    figures = []
    for choice in (False, sdk):
        switch = TelemetrySwitch(choice, config)

        def hooks(switch: TelemetrySwitch = switch) -> None:
            # What Client.query and Client._send do around the request.
            instruments = switch.current()
            if instruments is not None:
                with instruments.operation("query", query) as traced:
                    instruments.inject(request)
                    traced.succeeded(result)
            switch.current()

        figures.append(min(per_call_seconds(hooks) for _ in range(ROUNDS)) * 1e6)
    return figures[0], figures[1]


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
        print()
        telemetry_table(base)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()

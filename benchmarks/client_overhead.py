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

A second table prices typed results (``into=``, needs pydantic): the whole
``client.query(q)`` on the same 1000-document page (``page1000``, and
``page1000ts``) untyped, with ``into=Page[ProductRecord]`` (a dataclass) and with
``into=Page[ProductModel]`` (its pydantic twin); each ratio is against the untyped
query (the target is 1.5x at most). Below it, the conversion alone on a page
already decoded: ``decode_into`` into either type, and pydantic's own
``TypeAdapter(list[ProductModel]).validate_python`` on the same data already
plain (documents as dicts, modules as names), which is the floor for the
pydantic row: what is left above it is flattening the driver's documents.
(``client.query(q, into=Page[ProductModel])`` itself skips that flattening: it
decodes the body straight into the plain form, ``decoder.loads_for_models``.)

A third table prices OpenTelemetry (``fauna[otel]``): a client whose query
path has the telemetry lines taken out (``_NoTelemetryClient``), the same client
with telemetry off (the default; no span, no header; the target is 1.02x of the
former at most) and one recording to an opentelemetry-sdk tracer provider
(every span sampled, none exported) and an in-memory metric reader (its ratio is
against "off"). Off is a tenth of a microsecond against hundreds, so its last
line also gives the ratio worked out from the hooks' own cost without I/O,
which the noise of a loopback round trip cannot hide.

The first table is wall time. The other two are the CPU time of the calling
thread (the client's work, not the server thread's, and not the time another
process holds the core), so their ratios hold on a shared machine; each figure
is the best of several alternating rounds.

Usage::

    .venv/bin/python benchmarks/client_overhead.py            # the tables (< 90 s)
    .venv/bin/python benchmarks/client_overhead.py --profile page1000
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import pstats
import statistics
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from fauna import fql
from fauna.client import Client
from fauna.encoding import decode_into
from fauna.query import DocumentReference, Page

ROUNDS = 7
# The telemetry difference is a tenth of a loopback round trip: more rounds to see it (in CPU
# time, which keeps the three clients' rounds to the runtime budget: 9 x 3 x 2 cases).
TELEMETRY_ROUNDS = 9
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


@dataclasses.dataclass
class ProductRecord:
    """What an application reads a ``tagged_document`` into with ``into=Page[ProductRecord]``."""

    id: str
    coll: str
    ts: datetime
    name: str
    description: str
    price: float
    stock: int
    views: int
    released: date
    restocked: datetime
    maker: DocumentReference
    tags: list[str]


def product_model() -> Any:
    """The pydantic twin of ``ProductRecord`` (built on demand: pydantic is optional)."""
    import pydantic

    class ProductModel(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)

        id: str
        coll: str
        ts: datetime
        name: str
        description: str
        price: float
        stock: int
        views: int
        released: date
        restocked: datetime
        maker: DocumentReference
        tags: list[str]

    return ProductModel


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


def per_call_seconds(
    call: Callable[[], Any], clock: Callable[[], float] = time.perf_counter
) -> float:
    """Mean seconds per call over a round of about ``ROUND_SECONDS`` of ``clock``."""
    count = 0
    start = clock()
    while True:
        call()
        count += 1
        elapsed = clock() - start
        if elapsed >= ROUND_SECONDS and count >= 5:
            return elapsed / count


def cpu_seconds_per_call(call: Callable[[], Any]) -> float:
    """``per_call_seconds`` in the CPU time of this thread (the client's; not the server's).

    Time spent waiting for a core that another process holds does not count, so on a
    shared machine two figures taken this way can be compared to a percent or so.
    """
    return per_call_seconds(call, time.thread_time)


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


def measure_typed(base: str, case: str, model: Any) -> tuple[float, float, float]:
    """Seconds per ``client.query(q)``: untyped, ``into=Page[ProductRecord]``, into the model."""
    client = Client(endpoint=f"{base}/{case}", secret="secret")
    query = fql("Product.all()")
    as_record, as_model = Page[ProductRecord], Page[model]  # type: ignore[valid-type]

    def untyped() -> Any:
        return client.query(query).data

    def record() -> Any:
        return client.query(query, into=as_record).data

    def modelled() -> Any:
        return client.query(query, into=as_model).data

    for _ in range(3):
        untyped()
        record()
        modelled()
    untyped_times, record_times, model_times = [], [], []
    for _ in range(ROUNDS):
        untyped_times.append(cpu_seconds_per_call(untyped))
        record_times.append(cpu_seconds_per_call(record))
        model_times.append(cpu_seconds_per_call(modelled))
    client.close()
    return min(untyped_times), min(record_times), min(model_times)


def conversion_seconds(case: str, model: Any) -> dict[str, float]:
    """The conversion alone (no I/O, no tag-decoding) of one decoded 1000-document page."""
    import pydantic

    from fauna.encoding import FaunaDecoder
    from fauna.encoding._typed import _plain_for_pydantic

    decoded = FaunaDecoder.decode(json.loads(BODIES[case])["data"])
    # The same data as into=Page[model] hands pydantic: documents as objects, modules as names.
    plain = _plain_for_pydantic(decoded.data)
    adapter = pydantic.TypeAdapter(list[model])  # type: ignore[valid-type]
    as_record, as_model = Page[ProductRecord], Page[model]  # type: ignore[valid-type]
    calls: dict[str, Callable[[], Any]] = {
        "decode_into(page, Page[ProductRecord])": lambda: decode_into(decoded, as_record),
        "decode_into(page, Page[ProductModel])": lambda: decode_into(decoded, as_model),
        "TypeAdapter(list[ProductModel]).validate_python(plain)": lambda: adapter.validate_python(
            plain
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(ROUNDS):
        for name, call in calls.items():
            times[name].append(cpu_seconds_per_call(call))
    return {name: min(figures) for name, figures in times.items()}


def typed_table(base: str) -> None:
    try:
        model = product_model()
    except ImportError:
        print("typed: pydantic is not installed, skipped")
        return
    print(
        f"{'case':<10} {'untyped':>10} {'into=dataclass':>15} {'ratio':>6} "
        f"{'into=pydantic':>14} {'ratio':>6}"
    )
    for case in ("page1000", "page1000ts"):
        untyped_s, record_s, model_s = measure_typed(base, case, model)
        print(
            f"{case:<10} {untyped_s * 1e3:>8.2f}ms {record_s * 1e3:>13.2f}ms "
            f"{record_s / untyped_s:>5.2f}x {model_s * 1e3:>12.2f}ms {model_s / untyped_s:>5.2f}x"
        )
    figures = conversion_seconds("page1000ts", model)
    print("the conversion alone, page1000ts (already decoded, no I/O):")
    for name, seconds in figures.items():
        print(f"  {name:<56} {seconds * 1e3:>7.2f}ms")
    ours = figures["decode_into(page, Page[ProductModel])"]
    theirs = figures["TypeAdapter(list[ProductModel]).validate_python(plain)"]
    print(f"  into=pydantic vs pydantic's own TypeAdapter on plain data: {ours / theirs:.2f}x")


class _NoTelemetryClient(Client):
    """``Client`` with its query path's telemetry lines taken out: what "off" is measured against.

    ``_query`` and ``_send`` are ``Client``'s own, less the ``self._telemetry.current()`` checks;
    keep them in step with ``fauna/client/client.py``.
    """

    def _query(self, fql: Any, opts: Any, operation: str) -> Any:
        return self._converse(self._query_conversation(fql, opts))

    def _send(self, request: Any) -> Any:
        from fauna.client import client as client_module

        self._check_open()
        client_module.log_request(request.method, request.url, request.headers, request.content)
        if self._pool is None:
            status, headers, body = client_module.session_exchange(self._session, request)
        else:
            try:
                response = self._pool.send(request)
            except httpx.InvalidURL as error:
                raise client_module.invalid_url() from error
            except httpx.TransportError as error:
                raise client_module.network_error(error, request.url) from error
            status, headers, body = response.status_code, response.headers, response.content
        client_module.log_response(request.url, status, headers, body)
        return status, headers, body


def measure_telemetry(base: str, case: str) -> tuple[float, float, float]:
    """Seconds per query with no telemetry code, telemetry off, and an SDK recording every span."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider

    from fauna.telemetry import Telemetry

    telemetry = Telemetry(TracerProvider(), MeterProvider(metric_readers=[InMemoryMetricReader()]))
    bare = _NoTelemetryClient(endpoint=f"{base}/{case}", secret="secret", telemetry=False)
    plain = Client(endpoint=f"{base}/{case}", secret="secret", telemetry=False)
    traced = Client(endpoint=f"{base}/{case}", secret="secret", telemetry=telemetry)
    query = fql("Product.all().where(.price < ${limit})", limit=10)

    def none() -> Any:
        return bare.query(query).data

    def off() -> Any:
        return plain.query(query).data

    def on() -> Any:
        return traced.query(query).data

    for _ in range(10):
        none()
        off()
        on()
    none_times, off_times, on_times = [], [], []
    for _ in range(TELEMETRY_ROUNDS):
        none_times.append(cpu_seconds_per_call(none))
        off_times.append(cpu_seconds_per_call(off))
        on_times.append(cpu_seconds_per_call(on))
    bare.close()
    plain.close()
    traced.close()
    return min(none_times), min(off_times), min(on_times)


def telemetry_table(base: str) -> None:
    try:
        import opentelemetry.sdk  # noqa: F401
    except ImportError:
        print("telemetry: opentelemetry-sdk is not installed, skipped")
        return
    print(
        f"{'case':<10} {'no telemetry code':>18} {'telemetry off':>14} {'ratio':>6} "
        f"{'telemetry on':>13} {'ratio':>6}"
    )
    scalar_off_s = 0.0
    for case in ("scalar", "page16"):
        none_s, off_s, on_s = measure_telemetry(base, case)
        scalar_off_s = scalar_off_s or off_s
        print(
            f"{case:<10} {none_s * 1e6:>16.1f}us {off_s * 1e6:>12.1f}us {off_s / none_s:>5.2f}x "
            f"{on_s * 1e6:>11.1f}us {on_s / off_s:>5.2f}x"
        )
    off_us, on_us = telemetry_cpu_microseconds()
    print(f"telemetry's own work per query (no I/O): off {off_us:.2f}us, on {on_us:.1f}us")
    print(
        f"so off costs {off_us / (scalar_off_s * 1e6) * 100:.3f}% of a scalar query "
        f"({1 + off_us / (scalar_off_s * 1e6 - off_us):.4f}x the same query without it)"
    )


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
        typed_table(base)
        print()
        telemetry_table(base)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()

"""Event streams: latency from commit to client, and events per second, on 1 and 50 streams.

A ``faunalite serve --memory`` child process (so the server and the clients do not share a
GIL) serves a collection; streams are read with the ``fauna`` driver, one thread per stream.

* **latency**: documents are created one per transaction, one after another; for each event,
  the time from its ``txn_ts`` (the commit timestamp, taken from the wall clock when the
  transaction starts) to its arrival in the client, parsed. Median and p99.
* **throughput**: documents are created ``BATCH`` per transaction as fast as the writer can;
  events per second delivered, from the first event's arrival to the last one's, counted over
  all streams.

Usage::

    .venv/bin/python benchmarks/events.py                 # about 30 s
    .venv/bin/python benchmarks/events.py --events 100 --streams 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fauna import fql
from fauna.client import Client, StreamOptions
from fauna.query import EventSource

BATCH = 100
"""Documents created per transaction in the throughput runs."""
STARTUP_SECONDS = 15.0
RECEIVE_TIMEOUT_SECONDS = 60.0


@contextmanager
def faunalite_server() -> Iterator[str]:
    """A ``faunalite serve --memory`` child process; yields its endpoint."""
    process = subprocess.Popen(
        [sys.executable, "-m", "faunalite", "serve", "--memory", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("faunalite listening on "):
            raise RuntimeError(f"faunalite did not start: {line!r}")
        yield line.split()[3]
    finally:
        process.kill()
        process.wait(STARTUP_SECONDS)


class Consumer(threading.Thread):
    """Reads ``expected`` events from one stream, noting when each arrived."""

    def __init__(self, endpoint: str, source: EventSource, expected: int) -> None:
        super().__init__(daemon=True)
        self.client = Client(endpoint=endpoint, secret="secret")
        self.stream = self.client.stream(source, StreamOptions(status_events=True))
        self.expected = expected
        self.arrivals: list[tuple[float, int]] = []
        """(wall-clock arrival in seconds, txn_ts in microseconds) per data event."""
        self.ready = threading.Event()

    def run(self) -> None:
        with self.stream as stream:
            for event in stream:
                if event["type"] == "status":
                    self.ready.set()  # the stream is subscribed: writes from now are seen
                    continue
                self.arrivals.append((time.time(), event["txn_ts"]))
                if len(self.arrivals) >= self.expected:
                    break
        self.client.close()


def start_consumers(
    endpoint: str, source: EventSource, count: int, expected: int
) -> list[Consumer]:
    consumers = [Consumer(endpoint, source, expected) for _ in range(count)]
    for consumer in consumers:
        consumer.start()
    for consumer in consumers:
        if not consumer.ready.wait(RECEIVE_TIMEOUT_SECONDS):
            raise RuntimeError("a stream did not start")
    return consumers


def finish(consumers: list[Consumer]) -> None:
    for consumer in consumers:
        consumer.join(RECEIVE_TIMEOUT_SECONDS)
        if consumer.is_alive() or len(consumer.arrivals) < consumer.expected:
            raise RuntimeError(f"a stream got {len(consumer.arrivals)} of {consumer.expected}")


def new_source(writer: Client, name: str) -> EventSource:
    writer.query(fql("Collection.create({ name: ${name} })", name=name))
    source: EventSource = writer.query(
        fql("Collection(${name}).all().eventSource()", name=name)
    ).data
    return source


def measure_latency(endpoint: str, writer: Client, streams: int, events: int) -> dict[str, Any]:
    name = f"Latency{streams}"
    source = new_source(writer, name)
    consumers = start_consumers(endpoint, source, streams, events)
    for number in range(events):
        writer.query(fql("Collection(${name}).create({ n: ${n} })", name=name, n=number))
    finish(consumers)
    latencies = sorted(
        (arrival - txn_ts / 1e6) * 1000
        for consumer in consumers
        for arrival, txn_ts in consumer.arrivals
    )
    return {
        "median_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def measure_throughput(endpoint: str, writer: Client, streams: int, events: int) -> float:
    name = f"Throughput{streams}"
    source = new_source(writer, name)
    consumers = start_consumers(endpoint, source, streams, events)
    query = "Set.sequence(0, ${count}).forEach(n => Collection(${name}).create({ n: n }))"
    for _ in range(events // BATCH):
        writer.query(fql(query, count=BATCH, name=name))
    finish(consumers)
    first = min(consumer.arrivals[0][0] for consumer in consumers)
    last = max(consumer.arrivals[-1][0] for consumer in consumers)
    return streams * events / max(last - first, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="latency events per run (300)")
    parser.add_argument(
        "--throughput-events", type=int, default=3000, help="throughput events per run (3000)"
    )
    parser.add_argument("--streams", type=int, default=50, help="concurrent streams (50)")
    arguments = parser.parse_args()
    started = time.perf_counter()
    rows: list[tuple[str, str, str, str]] = []
    with faunalite_server() as endpoint, Client(endpoint=endpoint, secret="secret") as writer:
        for streams in (1, arguments.streams):
            latency = measure_latency(endpoint, writer, streams, arguments.events)
            rate = measure_throughput(endpoint, writer, streams, arguments.throughput_events)
            rows.append(
                (
                    f"{streams} stream{'s' if streams > 1 else ''}",
                    f"{latency['median_ms']:.2f}",
                    f"{latency['p99_ms']:.2f}",
                    f"{rate:,.0f}",
                )
            )
    header = ("streams", "latency median ms", "latency p99 ms", "events/s (all streams)")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    print(
        f"({time.perf_counter() - started:.1f} s; {BATCH} documents per transaction for throughput)"
    )


if __name__ == "__main__":
    main()

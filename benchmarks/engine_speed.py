"""The fixed and per-element costs of a query, as ratios to a baseline measured in the same run.

    .venv/bin/python benchmarks/engine_speed.py [--rounds 7] [--memory] [--wall]

Prints, side by side (issue 13's speed targets in brackets):

* ``1 + 1``, a point read ``Coll.byId("1")`` and an index lookup ``Coll.byName("x").first()``
  through the ASGI app (headers, body, worker-thread hop, engine, JSON), against ``/ping``, a
  constant endpoint of the same app; no sockets, so HTTP parsing is left out of both;
* the same three queries through ``Engine.run`` alone;
* ``Array.sequence(0, 10000).map(x => x * 2).fold(0, (a, b) => a + b)`` in the engine against
  the same code in plain Python (``functools.reduce`` over ``map`` with lambdas).

Each figure is the best of ``--rounds`` interleaved rounds, so a busy shared machine inflates
the absolute times far more than the ratios. Times are the process's CPU time (all threads:
the event loop and the worker), which other processes on a loaded machine barely disturb;
``--wall`` measures elapsed time instead, which also counts the wait for the worker thread
to be scheduled. The data lives in a temporary directory (a real
SQLite file, as ``faunalite serve`` uses) unless ``--memory``. About 10-20 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import tempfile
import time
from collections.abc import Callable
from typing import Any

from faunalite.engine import Engine, QueryRequest
from faunalite.server.app import create_app
from faunalite.wire.request import parse_query_body

SECRET = "secret"
MAP_FOLD = "Array.sequence(0, 10000).map(x => x * 2).fold(0, (a, b) => a + b)"
QUERIES = {
    "1 + 1": ("1 + 1", 1.3),
    "point read": ('Coll.byId("1")', 2.0),
    "index lookup": ('Coll.byName("x").first()', 2.0),
}
SETUP = [
    'Collection.create({name: "Coll", indexes: {byName: {terms: [{field: "name"}]}}})',
    'Coll.create({id: "1", name: "x", n: 1})',
]


CLOCK: Callable[[], float] = time.process_time
"""The clock every figure is read on (``--wall``: ``time.perf_counter``)."""


def best_per_call(action: Callable[[], Any], calls: int) -> float:
    """Seconds per call of ``action`` over one round of ``calls`` calls."""
    started = CLOCK()
    for _ in range(calls):
        action()
    return (CLOCK() - started) / calls


class AsgiDriver:
    """Calls the ASGI app directly, one request at a time, on one event loop."""

    def __init__(self, engine: Engine) -> None:
        self.app = create_app(engine, root_secret=SECRET)
        self.loop = asyncio.new_event_loop()

    async def _request(self, path: str, body: bytes) -> int:
        scope = {
            "type": "http",
            "method": "POST" if body else "GET",
            "path": path,
            "query_string": b"",
            "headers": [
                (b"authorization", f"Bearer {SECRET}".encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, send)
        return status

    def call(self, path: str, body: bytes = b"") -> int:
        return self.loop.run_until_complete(self._request(path, body))

    def timed(self, path: str, body: bytes, calls: int) -> float:
        async def loop() -> float:
            started = CLOCK()
            for _ in range(calls):
                await self._request(path, body)
            return (CLOCK() - started) / calls

        return self.loop.run_until_complete(loop())


def query_body(text: str) -> bytes:
    return json.dumps({"query": text, "arguments": {}}).encode()


def engine_request(text: str) -> QueryRequest:
    return QueryRequest(body=parse_query_body(query_body(text)))


def plain_map_fold() -> int:
    return functools.reduce(lambda a, b: a + b, map(lambda x: x * 2, range(10000)), 0)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=7, help="interleaved rounds (best kept)")
    options.add_argument("--calls", type=int, default=200, help="requests per round")
    options.add_argument("--memory", action="store_true", help="in-memory storage")
    options.add_argument("--wall", action="store_true", help="elapsed time, not CPU time")
    arguments = options.parse_args()
    global CLOCK
    if arguments.wall:
        CLOCK = time.perf_counter
    with tempfile.TemporaryDirectory() as directory:
        engine = Engine(data_path=None if arguments.memory else directory)
        try:
            run(engine, arguments.rounds, arguments.calls)
        finally:
            engine.close()


def run(engine: Engine, rounds: int, calls: int) -> None:
    driver = AsgiDriver(engine)
    for text in SETUP:
        reply = engine.run(engine_request(text))
        assert reply.status == 200, reply.body
    for text, _ in QUERIES.values():
        reply = engine.run(engine_request(text))
        assert reply.status == 200, reply.body
        assert driver.call("/query/1", query_body(text)) == 200
    assert driver.call("/ping") == 200
    fold_reply = engine.run(engine_request(MAP_FOLD))
    assert fold_reply.body["data"] == plain_map_fold(), fold_reply.body

    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    requests = {name: engine_request(text) for name, (text, _) in QUERIES.items()}
    bodies = {name: query_body(text) for name, (text, _) in QUERIES.items()}
    fold_request = engine_request(MAP_FOLD)
    fold_calls = max(calls // 40, 3)
    for _ in range(rounds):
        keep("ping", driver.timed("/ping", b"", calls))
        for name in QUERIES:
            keep(f"asgi {name}", driver.timed("/query/1", bodies[name], calls))
            keep(f"engine {name}", best_per_call(lambda r=requests[name]: engine.run(r), calls))
        keep("engine map+fold", best_per_call(lambda: engine.run(fold_request), fold_calls))
        keep("python map+fold", best_per_call(plain_map_fold, fold_calls * 10))
    driver.loop.close()

    ping = best["ping"]
    print(f"{'measure':<34} {'µs/call':>9} {'ratio':>7}  target")
    print(f"{'/ping (constant endpoint)':<34} {ping * 1e6:>9.1f} {1.0:>7.2f}")
    for name, (_, target) in QUERIES.items():
        seconds = best[f"asgi {name}"]
        print(
            f"{'ASGI ' + name + ' / ping':<34} {seconds * 1e6:>9.1f} {seconds / ping:>7.2f}  ≤{target}"
        )
    one_plus_one = best["engine 1 + 1"]
    for name in QUERIES:
        seconds = best[f"engine {name}"]
        label = f"Engine.run {name} / 1 + 1"
        print(f"{label:<34} {seconds * 1e6:>9.1f} {seconds / one_plus_one:>7.2f}")
    python = best["python map+fold"]
    fold = best["engine map+fold"]
    print(f"{'plain Python map+fold':<34} {python * 1e6:>9.1f} {1.0:>7.2f}")
    print(f"{'Engine.run map+fold / Python':<34} {fold * 1e6:>9.1f} {fold / python:>7.2f}  ≤15")


if __name__ == "__main__":
    main()

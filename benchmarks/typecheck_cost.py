"""What static typechecking costs next to evaluation, for typical queries.

For each query: the time to typecheck it once without the cache (``check_query``), the time
of a cached check (``TypecheckCache.check``, what a repeated query pays), the time to
evaluate it (``run_query`` on an in-memory context, parse excluded), and a whole
``Engine.run`` with ``X-Typecheck`` off and on (transaction, reply and all), in microseconds
per run, side by side. No storage: these queries read none.

Usage::

    .venv/bin/python benchmarks/typecheck_cost.py             # about 10 s
    .venv/bin/python benchmarks/typecheck_cost.py --runs 200
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from faunalite.engine import Engine, QueryRequest
from faunalite.fql.context import QueryContext
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.typer import TypecheckCache, check_query
from faunalite.fql.values import Time
from faunalite.wire.request import parse_query_body

QUERIES = [
    "if (true) 42 else 41",
    "1 + 2 + 3",
    "{ let a = [1, 2, 3]; let b = { total: 6, items: a }; b.total }",
    "((x) => { if (true) x + '2' else x })('hi')",
    "({ foo: 1, bar: 2, baz: 3 }) { qux: .bar + .baz, foo, bar }",
    "[1, 2, 3].map(x => x * 2).reduce((a, b) => a + b)",
    "{ let items = [{ n: 1 }, { n: 2 }, { n: 3 }]\n items.map(.n).fold(0, (a, b) => a + b) }",
]


def per_run_microseconds(action: Callable[[], object], runs: int) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        action()
    return (time.perf_counter() - started) / runs * 1e6


def time_query(engine: Engine, query: str, runs: int) -> list[float]:
    """Microseconds per run of: an uncached check, a cached check, an evaluation, and the
    engine's whole run unchecked and checked."""
    tree = parse_query(query)
    cache = TypecheckCache()
    body = parse_query_body(json.dumps({"query": query}).encode())
    actions: list[Callable[[], object]] = [
        lambda: check_query(tree, {}),
        lambda: cache.check(tree, 0, {}),
        lambda: run_query(tree, QueryContext(snapshot_time=Time(0))),
        lambda: engine.run(QueryRequest(body=body, typecheck=False)),
        lambda: engine.run(QueryRequest(body=body, typecheck=True)),
    ]
    return [per_run_microseconds(action, runs) for action in actions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    runs = parser.parse_args().runs
    columns = ("check", "cached", "evaluate", "run off", "run on")
    print(f"{'query':<52}" + "".join(f"{name:>10}" for name in columns) + "  (µs per run)")
    engine = Engine()
    for query in QUERIES:
        timings = time_query(engine, query, runs)
        shown = query.replace("\n", " ")
        shown = shown if len(shown) <= 50 else shown[:47] + "..."
        print(f"{shown:<52}" + "".join(f"{timing:>10.1f}" for timing in timings))
    engine.close()


if __name__ == "__main__":
    main()

"""What static typechecking costs next to evaluation, for typical queries.

For each query: the time to typecheck it once without the cache (``check_query``), the time
of a cached check (``TypecheckCache.check``, what a repeated query pays), and the time to
evaluate it (``run_query`` on an in-memory context, parse excluded), in microseconds per run,
side by side. No storage: these queries read none.

Usage::

    .venv/bin/python benchmarks/typecheck_cost.py             # about 10 s
    .venv/bin/python benchmarks/typecheck_cost.py --runs 200
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from faunalite.fql.ast import QueryTree
from faunalite.fql.context import QueryContext
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.typer import TypecheckCache, check_query
from faunalite.fql.values import Time

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


def time_query(tree: QueryTree, runs: int) -> list[float]:
    """Microseconds per run of: an uncached check, a cached check, an evaluation."""
    cache = TypecheckCache()
    actions: list[Callable[[], object]] = [
        lambda: check_query(tree, {}),
        lambda: cache.check(tree, 0, {}),
        lambda: run_query(tree, QueryContext(snapshot_time=Time(0))),
    ]
    return [per_run_microseconds(action, runs) for action in actions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    runs = parser.parse_args().runs
    print(f"{'query':<62} {'check':>9} {'cached':>9} {'evaluate':>9}  (µs per run)")
    for query in QUERIES:
        timings = time_query(parse_query(query), runs)
        shown = query.replace("\n", " ")
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        print(f"{shown:<62} {timings[0]:>9.1f} {timings[1]:>9.1f} {timings[2]:>9.1f}")


if __name__ == "__main__":
    main()

"""Data-path costs of faunalite: bulk inserts, point reads, index lookups and paging.

    .venv/bin/python benchmarks/engine_data.py [--budget 60] [--max-docs 1000000]

Everything goes through the HTTP server with the ``fauna`` driver (one keep-alive connection),
against a server storing its data in a SQLite file in a temporary directory. The collection
grows in stages (1 000, 100 000, then 1 000 000 if the measured insert rate says it fits in the
time budget); at each stage a point read by id and an index lookup are timed over random
documents, so the table shows whether their cost stays flat as the collection grows. Finally
10 000 documents are paged through with the driver's ``paginate``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from fauna import fql
from fauna.client import Client
from fauna.query import Query
from faunalite.testing import serve_in_background

BATCH = 1000
"""Documents created per insert query."""
LOOKUPS = 200
"""Timed queries per point-read / lookup measurement."""
PAGED = 10_000
PAGE_SIZE = 100


def grow(client: Client, start: int, target: int) -> tuple[int, float]:
    """Create documents ``start <= n < target``; returns (documents, seconds)."""
    started = time.perf_counter()
    for first in range(start, target, BATCH):
        last = min(first + BATCH, target)
        client.query(
            fql(
                "Set.sequence(${a}, ${b}).forEach(i => Item.create({ key: i, n: i % 97 }))",
                a=first,
                b=last,
            )
        )
    return target - start, time.perf_counter() - started


def mean_ms(client: Client, queries: list[Query]) -> float:
    started = time.perf_counter()
    for query in queries:
        client.query(query)
    return (time.perf_counter() - started) * 1000 / len(queries)


def measure_reads(client: Client, size: int, rng: random.Random) -> tuple[float, float]:
    """Mean ms of a point read by id and of an index lookup, over random documents."""
    keys = [rng.randrange(size) for _ in range(LOOKUPS)]
    ids = client.query(fql("${keys}.map(k => Item.byKey(k).first()!.id)", keys=keys)).data
    by_id = [fql("Item.byId(${id})!", id=doc_id) for doc_id in ids]
    by_key = [fql("Item.byKey(${k}).first()!", k=key) for key in keys]
    return mean_ms(client, by_id), mean_ms(client, by_key)


def page_through(client: Client) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    query = fql("Item.byKey2({ to: ${last} }).pageSize(${size})", last=PAGED - 1, size=PAGE_SIZE)
    for page in client.paginate(query):
        count += len(page)
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds for inserts")
    parser.add_argument("--max-docs", type=int, default=1_000_000)
    options = parser.parse_args()
    rng = random.Random(7)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as directory:
        data_path = str(Path(directory) / "bench.sqlite3")
        with serve_in_background(data_path=data_path) as server:
            client = Client(endpoint=server.endpoint, secret=server.secret, max_attempts=1)
            client.query(
                fql(
                    'Collection.create({ name: "Item", indexes: {'
                    ' byKey: { terms: [{ field: "key" }] },'
                    ' byKey2: { values: [{ field: "key" }] } } })'
                )
            )
            size, spent = 0, 0.0
            for target in (1_000, 100_000, 1_000_000):
                if target > options.max_docs:
                    break
                if size and spent and (target - size) * spent / size > options.budget - spent:
                    rows.append((f"{target:>9,} docs", "skipped: would exceed the time budget"))
                    break
                added, seconds = grow(client, size, target)
                size, spent = target, spent + seconds
                rows.append((f"insert to {target:,}", f"{added / seconds:,.0f} docs/s"))
                point, lookup = measure_reads(client, size, rng)
                rows.append((f"{size:>9,} docs: read by id", f"{point:.2f} ms/query"))
                rows.append((f"{size:>9,} docs: index lookup", f"{lookup:.2f} ms/query"))
            if size >= PAGED:
                count, seconds = page_through(client)
                rows.append(
                    (
                        f"paginate {count:,} docs ({PAGE_SIZE}/page)",
                        f"{seconds:.2f} s, {count / seconds:,.0f} docs/s",
                    )
                )
            client.close()
    width = max(len(name) for name, _ in rows)
    print("faunalite engine data benchmark (HTTP + fauna driver, SQLite file)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()

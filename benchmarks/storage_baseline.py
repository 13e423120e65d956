"""Raw storage throughput: how fast SQLiteStorage writes, reads and looks up by index.

Run: ``.venv/bin/python benchmarks/storage_baseline.py [--docs N] [--file PATH]``.
Prints figures, asserts nothing. The last lines compare an index lookup with a scan of the
whole collection, to show that lookups do not scan.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from faunalite.storage import ROOT_SCOPE, IndexEntry, SQLiteStorage

R = ROOT_SCOPE


def timed(label: str, count: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    print(f"{label:<46} {elapsed * 1000:9.1f} ms  {count / elapsed:12,.0f} /s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args()
    n: int = args.docs
    directory = tempfile.TemporaryDirectory()
    path = args.file or Path(directory.name) / "bench.db"
    store = SQLiteStorage(path)
    print(f"store: {path}  documents: {n:,}")

    def bulk_load() -> None:
        with store.transaction(write=True) as txn:
            for key in range(1, n + 1):
                group, score = key % 1000, (key * 7919) % 10007
                txn.put(
                    R,
                    "Item",
                    key,
                    {"group": group, "score": score, "name": f"item {key}"},
                    index_entries={"byGroup": [IndexEntry((group,), (score,))]},
                )

    timed("bulk load, one transaction (docs)", n, bulk_load)

    def small_commits() -> None:
        for key in range(n + 1, n + 201):
            with store.transaction(write=True) as txn:
                txn.put(R, "Item", key, {"group": 1, "score": 1})

    timed("200 single-document commits (fsync each)", 200, small_commits)

    def point_reads() -> None:
        with store.transaction() as txn:
            for key in range(1, n + 1, max(1, n // 10_000)):
                txn.get(R, "Item", key)

    reads = len(range(1, n + 1, max(1, n // 10_000)))
    timed("point reads by id", reads, point_reads)

    def lookups() -> None:
        with store.transaction() as txn:
            for group in range(1000):
                txn.index_scan(R, "Item", "byGroup", (group,), limit=16)

    lookup_time = timed("index lookups (first page of 16)", 1000, lookups) / 1000

    def full_scan() -> None:
        with store.transaction() as txn:
            txn.scan(R, "Item")

    scan_time = timed("one full collection scan", 1, full_scan)
    print(f"a lookup costs 1/{scan_time / lookup_time:,.0f} of a scan of {n:,} documents")
    store.close()
    directory.cleanup()


if __name__ == "__main__":
    main()

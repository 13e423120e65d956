"""SQLite-specific: lookups go through B-tree indexes, never a scan of the collection."""

from __future__ import annotations

import sqlite3

import pytest

from faunalite.storage import ROOT_SCOPE, EventCursor, IndexEntry, SQLiteStorage

R = ROOT_SCOPE
DOCS = 100_000


@pytest.fixture(scope="module")
def big_store() -> SQLiteStorage:
    """100 000 documents, each indexed by one of 1 000 groups and sorted by a score."""
    store = SQLiteStorage()
    with store.transaction(write=True) as txn:
        for key in range(1, DOCS + 1):
            group, score = key % 1000, (key * 7919) % 10007
            txn.put(
                R,
                "Item",
                key,
                {"group": group, "score": score},
                index_entries={"byGroup": [IndexEntry((group,), (score,))]},
            )
    return store


def traced(store: SQLiteStorage) -> list[str]:
    statements: list[str] = []
    store._writer.set_trace_callback(
        statements.append
    )  # the traced reads run in write transactions
    return statements


def plan(connection: sqlite3.Connection, sql: str) -> str:
    return " | ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}"))


def vm_steps(store: SQLiteStorage, action: object) -> int:
    """SQLite virtual machine steps (in units of 100) spent while running ``action()``."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store._writer.set_progress_handler(count, 100)
    try:
        action()  # type: ignore[operator]
    finally:
        store._writer.set_progress_handler(None, 0)
    return steps


def test_index_lookup_uses_the_primary_key_range(big_store: SQLiteStorage) -> None:
    statements = traced(big_store)
    with big_store.transaction(write=True) as txn:
        hits = txn.index_scan(R, "Item", "byGroup", (7,), lower=(100,), upper=(5000,), limit=16)
    big_store._writer.set_trace_callback(None)
    assert len(hits) == 16
    assert [h.values for h in hits] == sorted(h.values for h in hits)
    query = next(s for s in statements if "FROM index_entries" in s)
    described = plan(big_store._writer, query)
    assert (
        "SEARCH index_entries USING PRIMARY KEY (scope=? AND coll=? AND idx=? AND terms=?"
        in described
    )
    assert "SCAN" not in described and "TEMP B-TREE" not in described


def test_index_lookup_cost_does_not_grow_with_the_collection(big_store: SQLiteStorage) -> None:
    def lookup() -> None:
        with big_store.transaction(write=True) as txn:
            assert len(txn.index_scan(R, "Item", "byGroup", (7,), limit=16)) == 16

    # A scan of 100 000 entries would take millions of VM steps; a seek takes a few hundred.
    assert vm_steps(big_store, lookup) * 100 < 20_000


def test_reads_by_key_scans_and_change_log_use_indexes(big_store: SQLiteStorage) -> None:
    statements = traced(big_store)
    with big_store.transaction(write=True) as txn:
        assert txn.get(R, "Item", 5000) is not None
        assert len(txn.scan(R, "Item", after=5000, limit=10)) == 10
        txn.events_after(R, ["Item"], EventCursor(0, 0), limit=10)
        txn.unique_conflicts(R, "Item", "byGroup", (7,))
    big_store._writer.set_trace_callback(None)
    for statement in statements:
        if statement.startswith("SELECT") and "FROM meta" not in statement:
            described = plan(big_store._writer, statement)
            assert "SCAN" not in described, (statement, described)


def test_writes_find_the_previous_version_and_entries_without_scanning(
    big_store: SQLiteStorage,
) -> None:
    statements = traced(big_store)
    with big_store.transaction(write=True) as txn:
        txn.put(R, "Item", 77, {"group": 8}, index_entries={"byGroup": [IndexEntry((8,), (1,))]})
        txn.delete(R, "Item", 78)
    big_store._writer.set_trace_callback(None)
    checked = 0
    for statement in statements:
        if statement.startswith(("SELECT", "UPDATE", "DELETE")) and "meta" not in statement:
            described = plan(big_store._writer, statement)
            assert "SCAN" not in described, (statement, described)
            checked += 1
    assert checked >= 4

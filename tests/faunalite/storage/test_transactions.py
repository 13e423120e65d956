"""Transactions: atomic commit, rollback without a trace, increasing commit timestamps,
snapshots."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from faunalite.storage import ROOT_SCOPE, SQLiteStorage, Storage, TransactionStateError
from faunalite.storage.clock import next_txn_ts

R = ROOT_SCOPE


class Boom(Exception):
    pass


def test_an_exception_rolls_back_every_write_of_the_transaction(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 1})
        committed = txn.txn_ts
    with pytest.raises(Boom), store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 2})
        txn.put(R, "Book", 2, {"v": 2})
        child = txn.create_database(R, "child")
        txn.bump_schema_version(R)
        raise Boom
    assert store.last_txn_ts == committed
    with store.transaction() as txn:
        assert txn.get(R, "Book", 1).data == {"v": 1}  # type: ignore[union-attr]
        assert txn.get(R, "Book", 2) is None
        assert txn.database(child.scope) is None
        assert txn.schema_version(R) == 0
        assert len(txn.history(R, "Book", 1)) == 1
    # The store is still usable after a rollback and later commits stay ordered.
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 3, {})
        assert txn.txn_ts > committed


def test_commit_timestamps_strictly_increase(store: Storage) -> None:
    seen = []
    for n in range(50):
        with store.transaction(write=True) as txn:
            txn.put(R, "Book", n, {})
            seen.append(txn.txn_ts)
    assert seen == sorted(set(seen))


def test_commit_ts_moves_on_when_the_clock_stalls_or_goes_back() -> None:
    assert next_txn_ts(1000, now_us=lambda: 500) == 1001
    assert next_txn_ts(1000, now_us=lambda: 1000) == 1001
    assert next_txn_ts(1000, now_us=lambda: 2000) == 2000


def test_commit_ts_survives_a_restart_with_a_clock_in_the_past(tmp_path: Path) -> None:
    far_future = 2**62
    path = tmp_path / "data.db"
    with SQLiteStorage(path) as store, store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {})
    # Pretend an earlier run committed far in the future (a clock that has since stepped back).
    with SQLiteStorage(path) as store:
        store._writer.execute("UPDATE meta SET value = ? WHERE name = 'last_txn_ts'", (far_future,))
    with SQLiteStorage(path) as store:
        assert store.last_txn_ts == far_future
        with store.transaction(write=True) as txn:
            assert txn.txn_ts == far_future + 1


def test_a_transaction_cannot_be_used_after_it_ends(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        pass
    with pytest.raises(TransactionStateError):
        txn.get(R, "Book", 1)


def test_a_read_transaction_does_not_see_later_commits(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 1})
        first = txn.txn_ts
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 2})
    with store.transaction(snapshot_ts=first) as txn:
        assert txn.snapshot_ts == first
        assert txn.get(R, "Book", 1).data == {"v": 1}  # type: ignore[union-attr]
        assert [d.data for d in txn.scan(R, "Book")] == [{"v": 1}]
    with store.transaction(snapshot_ts=2**62) as txn:
        assert txn.snapshot_ts == store.last_txn_ts  # capped at the latest commit


def test_write_transaction_reads_at_past_instants_see_committed_state(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 1})
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 2})
        assert txn.get(R, "Book", 1, at_ts=txn.snapshot_ts).data == {"v": 1}  # type: ignore[union-attr]
        assert txn.get(R, "Book", 1, at_ts=txn.txn_ts).data == {"v": 2}  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["sqlite-file", "memory"])
def test_readers_keep_their_snapshot_while_a_writer_commits(kind: str, tmp_path: Path) -> None:
    from faunalite.storage.memory import MemoryStorage

    store: Storage = SQLiteStorage(tmp_path / "d.db") if kind == "sqlite-file" else MemoryStorage()
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 1})
    with store.transaction() as reader:
        writer_done = threading.Event()

        def write_concurrently() -> None:
            with store.transaction(write=True) as txn:
                txn.put(R, "Book", 1, {"v": 2})
                txn.put(R, "Book", 2, {"v": 2})
            writer_done.set()

        thread = threading.Thread(target=write_concurrently)
        thread.start()
        assert writer_done.wait(5), "a reader must not block the writer"
        assert reader.get(R, "Book", 1).data == {"v": 1}  # type: ignore[union-attr]
        assert [d.key for d in reader.scan(R, "Book")] == [1]
        thread.join()
    with store.transaction() as txn:
        assert txn.get(R, "Book", 1).data == {"v": 2}  # type: ignore[union-attr]
    store.close()


def test_writers_are_serialised(store_factory: Callable[[], Storage]) -> None:
    store = store_factory()
    with store.transaction(write=True) as txn:
        txn.put(R, "Counter", 1, {"n": 0})

    def increment() -> None:
        for _ in range(20):
            with store.transaction(write=True) as txn:
                current = txn.get(R, "Counter", 1)
                assert current is not None
                txn.put(R, "Counter", 1, {"n": current.data["n"] + 1})

    threads = [threading.Thread(target=increment) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.transaction() as txn:
        assert txn.get(R, "Counter", 1).data == {"n": 80}  # type: ignore[union-attr]


def test_nested_transactions_on_one_thread_are_refused(store: Storage) -> None:
    with store.transaction(write=True):
        inner = store.transaction(write=True)
        with pytest.raises(TransactionStateError):
            inner.__enter__()


def test_committed_data_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    with SQLiteStorage(path) as store, store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 1})
        ts = txn.txn_ts
    with SQLiteStorage(path) as store, store.transaction() as txn:
        assert store.last_txn_ts == ts
        assert txn.get(R, "Book", 1).data == {"v": 1}  # type: ignore[union-attr]

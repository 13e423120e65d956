"""``SQLiteStorage`` snapshot readers: they never wait for the writer, and the ts they run at
is "now" without ever claiming to see a commit they miss. File and ``:memory:`` stores alike
(a memory store runs on a scratch file so that it has readers too)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from faunalite.storage import ROOT_SCOPE, SQLiteStorage

R = ROOT_SCOPE


@pytest.fixture(params=["file", "memory"])
def sqlite_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLiteStorage]:
    store = SQLiteStorage(tmp_path / "data.db") if request.param == "file" else SQLiteStorage()
    yield store
    store.close()


class OpenWriter:
    """A write transaction held open in another thread until ``release()``."""

    def __init__(self, store: SQLiteStorage) -> None:
        self.store = store
        self.opened = threading.Event()
        self._release = threading.Event()
        self.txn_ts = 0
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        with self.store.transaction(write=True) as txn:
            txn.put(R, "Book", 2, {"v": "pending"})
            self.txn_ts = txn.txn_ts
            self.opened.set()
            self._release.wait(30)

    def __enter__(self) -> OpenWriter:
        self._thread.start()
        assert self.opened.wait(30)
        return self

    def release(self) -> None:
        self._release.set()
        self._thread.join()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _commit_one(store: SQLiteStorage) -> int:
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": "committed"})
        return txn.txn_ts


def test_a_reader_runs_while_a_writer_is_open(sqlite_store: SQLiteStorage) -> None:
    _commit_one(sqlite_store)
    with OpenWriter(sqlite_store) as writer:
        # Answered while the writer still holds the write lock (no deadlock, no wait).
        with sqlite_store.transaction() as txn:
            assert txn.get(R, "Book", 1).data == {"v": "committed"}  # type: ignore[union-attr]
            assert txn.get(R, "Book", 2) is None
            read_ts = txn.txn_ts
        assert not writer._release.is_set()
        # The reader ran before the commit in flight, and said so.
        assert read_ts < writer.txn_ts


def test_a_reader_runs_at_now_after_the_last_commit(sqlite_store: SQLiteStorage) -> None:
    committed = _commit_one(sqlite_store)
    with sqlite_store.transaction() as txn:
        assert txn.txn_ts == txn.snapshot_ts
        assert txn.txn_ts >= committed


def test_a_later_commit_gets_a_ts_after_every_reader(sqlite_store: SQLiteStorage) -> None:
    _commit_one(sqlite_store)
    with sqlite_store.transaction() as txn:
        read_ts = txn.txn_ts
    assert _commit_one(sqlite_store) > read_ts


def test_a_memory_store_leaves_no_scratch_file(tmp_path: Path) -> None:
    store = SQLiteStorage()
    scratch = store._scratch_dir
    assert scratch is not None and os.path.isdir(scratch)
    _commit_one(store)
    store.close()
    assert not os.path.exists(scratch)
    assert store.path == ":memory:"

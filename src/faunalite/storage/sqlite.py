"""``SQLiteStorage``: the durable faunalite store, one SQLite file (or ``:memory:``).

Concurrency: one writer connection guarded by a lock, so write transactions run one at a time
(``BEGIN IMMEDIATE`` ... ``COMMIT``) and commit in ``txn_ts`` order. File stores give each
read-only transaction a pooled reader connection inside ``BEGIN``; WAL then serves it a stable
snapshot while the writer goes on. A ``:memory:`` database lives in a single connection, so
there reads take the writer lock too (they are serialised, which is fine for tests).

Durability: WAL with ``synchronous=FULL`` (see ``sqlite_schema``); ``txn_ts`` and the id
high-water mark are written in the same SQLite transaction as the data, so a reopened store
continues strictly after its last durable commit.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from faunalite.storage.base import StoreBase
from faunalite.storage.clock import SnowflakeIds, next_txn_ts
from faunalite.storage.interface import CommitInfo, Storage, Transaction, TransactionStateError
from faunalite.storage.notify import CommitHub
from faunalite.storage.sqlite_schema import configure, initialise
from faunalite.storage.sqlite_txn import SQLiteTransaction

MEMORY = ":memory:"


def _meta(connection: sqlite3.Connection, name: str) -> int:
    row = connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return int(row[0])


class SQLiteStorage(StoreBase):
    """A store in one SQLite file (see the module docstring). Implements ``Storage``."""

    def __init__(self, path: str | os.PathLike[str] = MEMORY) -> None:
        self._path = os.fspath(path)
        self._in_memory = self._path == MEMORY
        self._writer = self._connect()
        initialise(self._writer)
        self._last_ts = _meta(self._writer, "last_txn_ts")
        super().__init__(
            SnowflakeIds(floor_ms=_meta(self._writer, "id_high_water_ms") + 1),
            CommitHub(self._last_ts),
        )
        self._write_lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []
        self._all_readers: list[sqlite3.Connection] = []
        self._busy_threads: set[int] = set()

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves. check_same_thread=False: the
        # locks below, not the thread that opened it, decide who uses a connection.
        connection = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        configure(connection, in_memory=self._in_memory)
        return connection

    @property
    def path(self) -> str:
        return self._path

    @property
    def last_txn_ts(self) -> int:
        return self._last_ts

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(
        self, *, write: bool = False, snapshot_ts: int | None = None
    ) -> Iterator[SQLiteTransaction]:
        self._check_can_open(write=write, snapshot_ts=snapshot_ts)
        thread = threading.get_ident()
        with self._pool_lock:
            if thread in self._busy_threads:
                raise TransactionStateError("this thread already has an open transaction")
            self._busy_threads.add(thread)
        committed: list[CommitInfo] = []
        try:
            if write:
                with self._write_transaction(committed) as txn:
                    yield txn
            elif self._in_memory:
                with self._write_lock, self._read_transaction(self._writer, snapshot_ts) as txn:
                    yield txn
            else:
                with (
                    self._reader() as connection,
                    self._read_transaction(connection, snapshot_ts) as txn,
                ):
                    yield txn
        finally:
            with self._pool_lock:
                self._busy_threads.discard(thread)
        # Subscribers run once the transaction is over and every lock released, so a callback
        # may open a transaction of its own.
        for info in committed:
            self._hub.publish(info)

    @contextmanager
    def _write_transaction(self, committed: list[CommitInfo]) -> Iterator[SQLiteTransaction]:
        """Run one write transaction; on commit, append its ``CommitInfo`` to ``committed``."""
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            txn = SQLiteTransaction(
                self._writer,
                write=True,
                snapshot_ts=self._last_ts,
                txn_ts=next_txn_ts(self._last_ts),
            )
            try:
                yield txn
                info = txn.write_commit_records(self._ids.high_water_ms)
                self._writer.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:
                    self._writer.execute("ROLLBACK")
                raise
            finally:
                txn.end()
            self._last_ts = txn.txn_ts
        committed.append(info)

    @contextmanager
    def _read_transaction(
        self, connection: sqlite3.Connection, snapshot_ts: int | None
    ) -> Iterator[SQLiteTransaction]:
        connection.execute("BEGIN")
        try:
            # This first read pins the WAL snapshot the whole transaction sees.
            latest = _meta(connection, "last_txn_ts")
            snapshot = latest if snapshot_ts is None else min(snapshot_ts, latest)
            txn = SQLiteTransaction(connection, write=False, snapshot_ts=snapshot, txn_ts=snapshot)
            try:
                yield txn
            finally:
                txn.end()
        finally:
            connection.execute("ROLLBACK")

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        with self._pool_lock:
            connection = self._readers.pop() if self._readers else None
        if connection is None:
            connection = self._connect()
            with self._pool_lock:
                self._all_readers.append(connection)
        try:
            yield connection
        finally:
            with self._pool_lock:
                self._readers.append(connection)

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        with self._write_lock, self._pool_lock:
            if self._busy_threads:
                raise TransactionStateError("close() while transactions are open")
            self._closed = True
            for connection in self._all_readers:
                connection.close()
            if not self._in_memory:
                # Fold the WAL into the main file so the store is a single file at rest.
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._writer.close()

    def __enter__(self) -> SQLiteStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _conforms(store: SQLiteStorage, txn: SQLiteTransaction) -> tuple[Storage, Transaction]:
    """Never called: makes mypy prove the classes implement the interface."""
    return store, txn

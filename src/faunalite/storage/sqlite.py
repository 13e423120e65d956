"""``SQLiteStorage``: the durable faunalite store, one SQLite file (or ``:memory:``).

Concurrency: one writer connection guarded by a lock (a ``FairLock``: writers take turns in
arrival order), so write transactions run one at a time
(``BEGIN IMMEDIATE`` ... ``COMMIT``) and commit in ``txn_ts`` order. Each read-only
transaction gets a pooled reader connection inside ``BEGIN``; WAL then serves it a stable
snapshot while the writer goes on, so readers never wait for writers or for each other. A
``:memory:`` store works the same way on a scratch file in a private temporary directory
(not synced, removed on ``close()``), since an SQLite memory database lives in a single
connection and would serialise every reader behind the writer.

Durability: WAL with ``synchronous=FULL`` (see ``sqlite_schema``); ``txn_ts`` and the id
high-water mark are written in the same SQLite transaction as the data, so a reopened store
continues strictly after its last durable commit.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from faunalite.storage import clock
from faunalite.storage.base import StoreBase
from faunalite.storage.clock import SnowflakeIds, next_txn_ts
from faunalite.storage.fair_lock import FairLock
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
        self._scratch_dir = tempfile.mkdtemp(prefix="faunalite-") if self._in_memory else None
        if self._scratch_dir is not None:
            # Also removed if the store is never closed (at garbage collection or exit).
            weakref.finalize(self, shutil.rmtree, self._scratch_dir, ignore_errors=True)
        self._file = (
            os.path.join(self._scratch_dir, "memory.sqlite3") if self._scratch_dir else self._path
        )
        self._writer = self._connect()
        initialise(self._writer)
        self._last_ts = _meta(self._writer, "last_txn_ts")
        super().__init__(
            SnowflakeIds(floor_ms=_meta(self._writer, "id_high_water_ms") + 1),
            CommitHub(self._last_ts),
        )
        self._write_lock = FairLock()
        self._pool_lock = threading.Lock()
        self._ts_guard = threading.Lock()
        self._pending_ts: int | None = None
        """The ts of the write transaction in flight, if any."""
        self._read_floor = 0
        """The greatest ts a reader has run at."""
        self._readers: list[sqlite3.Connection] = []
        self._all_readers: list[sqlite3.Connection] = []
        self._busy_threads: set[int] = set()

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves. check_same_thread=False: the
        # locks below, not the thread that opened it, decide who uses a connection.
        connection = sqlite3.connect(
            self._file, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        configure(connection, scratch=self._in_memory)
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
            with self._ts_guard:
                # After every read ts handed out, so no reader claims to see past this commit.
                txn_ts = next_txn_ts(max(self._last_ts, self._read_floor))
                self._pending_ts = txn_ts
            txn = SQLiteTransaction(
                self._writer, write=True, snapshot_ts=self._last_ts, txn_ts=txn_ts
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
                with self._ts_guard:
                    self._pending_ts = None
            self._last_ts = txn.txn_ts
        committed.append(info)

    def _read_ts(self, latest: int) -> int:
        """The ts a snapshot reader runs at, given the last commit its snapshot holds: now,
        as in FaunaDB, but before any commit still in flight (which the snapshot misses);
        later commits get a greater ts (see ``_write_transaction``). Call under ``_ts_guard``."""
        read_ts = clock.wall_clock_us()
        pending = self._pending_ts
        if pending is not None and pending > latest:
            read_ts = min(read_ts, pending - 1)
        read_ts = max(read_ts, latest)
        self._read_floor = max(self._read_floor, read_ts)
        return read_ts

    @contextmanager
    def _read_transaction(
        self, connection: sqlite3.Connection, snapshot_ts: int | None
    ) -> Iterator[SQLiteTransaction]:
        with self._ts_guard:
            connection.execute("BEGIN")
            # This first read pins the WAL snapshot the whole transaction sees.
            latest = _meta(connection, "last_txn_ts")
            current = self._read_ts(latest)
        try:
            # A past snapshot is capped at the last commit; a current one reads at "now".
            snapshot = current if snapshot_ts is None else min(snapshot_ts, latest)
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
            if self._scratch_dir is not None:
                shutil.rmtree(self._scratch_dir, ignore_errors=True)

    def __enter__(self) -> SQLiteStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _conforms(store: SQLiteStorage, txn: SQLiteTransaction) -> tuple[Storage, Transaction]:
    """Never called: makes mypy prove the classes implement the interface."""
    return store, txn

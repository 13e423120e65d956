"""``MemoryStorage``: the storage interface over plain dicts, for tests and throwaway servers.

It shows the interface does not depend on SQL, and it is checked by the same tests as
``SQLiteStorage``. It is not durable and not built for size: a write transaction works on a
copy of the whole state (copying containers, sharing the immutable encoded blobs) and
publishes it on commit, and index scans sort the matching entries.

Concurrency: writers take a lock and run one at a time; a reader keeps a reference to the state
published when it began, which no one mutates, so it reads a snapshot without locking.
Data is stored encoded (``codec``), as in SQLite, so callers never share mutable values.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from faunalite.storage.base import (
    StoreBase,
    TransactionBase,
    decode_event,
    wanted_entries,
)
from faunalite.storage.clock import SnowflakeIds, next_txn_ts
from faunalite.storage.codec import decode_value, encode_value
from faunalite.storage.interface import (
    MAX_TS,
    ROOT_SCOPE,
    ChangeEvent,
    CommitInfo,
    DatabaseInfo,
    DocKey,
    Document,
    DocVersion,
    DuplicateDatabaseError,
    EventCursor,
    IndexEntry,
    IndexHit,
    IndexPosition,
    Storage,
    StorageError,
    StoredValue,
    Transaction,
    TransactionStateError,
    UnknownDatabaseError,
)
from faunalite.storage.keys import prefix_upper_bound, tuple_key
from faunalite.storage.notify import CommitHub

_Version = tuple[int, int, bytes | None]
"""(start_ts, end_ts, blob or None for a tombstone), oldest first per document."""
_EntryKey = tuple[bytes, bytes, DocKey, int]
"""(terms key, values key, document key, start_ts)."""
_Entry = tuple[int, bytes]
"""(end_ts, covered values blob)."""
_Change = tuple[int, int, int, str, DocKey, str, bytes | None, bytes | None]


def _key_order(key: DocKey) -> tuple[int, int, str]:
    """Document keys in SQLite's order: integers first, then text."""
    return (0, key, "") if isinstance(key, int) else (1, 0, key)


@dataclass(slots=True)
class _Database:
    parent: int | None
    name: str
    schema_version: int = 0


@dataclass(slots=True)
class _State:
    last_ts: int = 0
    next_scope: int = 1
    databases: dict[int, _Database] = field(default_factory=lambda: {0: _Database(None, "")})
    docs: dict[tuple[int, str], dict[DocKey, list[_Version]]] = field(default_factory=dict)
    entries: dict[tuple[int, str, str], dict[_EntryKey, _Entry]] = field(default_factory=dict)
    changes: list[_Change] = field(default_factory=list)

    def clone(self) -> _State:
        return _State(
            self.last_ts,
            self.next_scope,
            {s: _Database(d.parent, d.name, d.schema_version) for s, d in self.databases.items()},
            {c: {k: list(v) for k, v in docs.items()} for c, docs in self.docs.items()},
            {i: dict(e) for i, e in self.entries.items()},
            list(self.changes),
        )


class MemoryTransaction(TransactionBase):
    """A transaction over one ``_State`` (see the module docstring). Implements ``Transaction``."""

    def __init__(self, state: _State, *, write: bool, snapshot_ts: int, txn_ts: int) -> None:
        super().__init__(write=write, snapshot_ts=snapshot_ts, txn_ts=txn_ts)
        self._s = state

    # -- databases ------------------------------------------------------------------------

    def _db(self, scope: int) -> _Database:
        try:
            return self._s.databases[scope]
        except KeyError:
            raise UnknownDatabaseError(f"no database has scope {scope}") from None

    def _info(self, scope: int) -> DatabaseInfo:
        db = self._db(scope)
        names: list[str] = []
        at = scope
        while at != ROOT_SCOPE:
            names.append(self._s.databases[at].name)
            parent = self._s.databases[at].parent
            assert parent is not None
            at = parent
        return DatabaseInfo(scope, db.parent, db.name, tuple(reversed(names)), db.schema_version)

    def database(self, scope: int) -> DatabaseInfo | None:
        self._check()
        return self._info(scope) if scope in self._s.databases else None

    def _child(self, parent: int, name: str) -> int | None:
        for scope, db in self._s.databases.items():
            if db.parent == parent and db.name == name:
                return scope
        return None

    def find_database(self, path: Sequence[str]) -> DatabaseInfo | None:
        self._check()
        scope: int | None = ROOT_SCOPE
        for name in path:
            assert scope is not None
            scope = self._child(scope, name)
            if scope is None:
                return None
        assert scope is not None
        return self._info(scope)

    def child_databases(self, scope: int) -> list[DatabaseInfo]:
        self._check()
        children = [s for s, db in self._s.databases.items() if db.parent == scope]
        return sorted((self._info(s) for s in children), key=lambda info: info.name)

    def create_database(self, parent: int, name: str) -> DatabaseInfo:
        self._check(writing=True)
        self._db(parent)
        if self._child(parent, name) is not None:
            raise DuplicateDatabaseError(f"a database named {name!r} already exists")
        scope = self._s.next_scope
        self._s.next_scope += 1
        self._s.databases[scope] = _Database(parent, name)
        return self._info(scope)

    def rename_database(self, scope: int, name: str) -> DatabaseInfo:
        self._check(writing=True)
        db = self._db(scope)
        if db.parent is None:
            raise StorageError("the root database has no name")
        if self._child(db.parent, name) not in (None, scope):
            raise DuplicateDatabaseError(f"a database named {name!r} already exists")
        db.name = name
        return self._info(scope)

    def delete_database(self, scope: int) -> None:
        self._check(writing=True)
        if scope == ROOT_SCOPE:
            raise StorageError("the root database cannot be deleted")
        self._db(scope)
        gone = {scope}
        while True:
            more = {s for s, db in self._s.databases.items() if db.parent in gone} - gone
            if not more:
                break
            gone |= more
        for s in gone:
            del self._s.databases[s]
        self._s.docs = {k: v for k, v in self._s.docs.items() if k[0] not in gone}
        self._s.entries = {k: v for k, v in self._s.entries.items() if k[0] not in gone}
        self._s.changes = [c for c in self._s.changes if c[2] not in gone]
        self._forget_touched_scopes(gone)

    def schema_version(self, scope: int) -> int:
        self._check()
        return self._db(scope).schema_version

    def bump_schema_version(self, scope: int) -> int:
        self._check(writing=True)
        db = self._db(scope)
        db.schema_version += 1
        return db.schema_version

    # -- documents ------------------------------------------------------------------------

    def _versions(self, scope: int, collection: str, key: DocKey) -> list[_Version]:
        return self._s.docs.get((scope, collection), {}).get(key, [])

    def get(
        self, scope: int, collection: str, key: DocKey, *, at_ts: int | None = None
    ) -> Document | None:
        self._check()
        ts = self._read_ts(at_ts)
        for start, end, blob in self._versions(scope, collection, key):
            if start <= ts < end:
                return (
                    None
                    if blob is None
                    else Document(scope, collection, key, start, decode_value(blob))
                )
        return None

    def history(
        self, scope: int, collection: str, key: DocKey, *, limit: int | None = None
    ) -> list[DocVersion]:
        self._check()
        ts = self._read_ts(None)
        found = [
            DocVersion(key, start, None if blob is None else decode_value(blob))
            for start, _, blob in reversed(self._versions(scope, collection, key))
            if start <= ts
        ]
        return found if limit is None else found[:limit]

    def scan(
        self,
        scope: int,
        collection: str,
        *,
        start: DocKey | None = None,
        end: DocKey | None = None,
        after: DocKey | None = None,
        reverse: bool = False,
        limit: int | None = None,
        at_ts: int | None = None,
    ) -> list[Document]:
        self._check()
        ts = self._read_ts(at_ts)
        found: list[Document] = []
        docs = self._s.docs.get((scope, collection), {})
        low = None if start is None else _key_order(start)
        high = None if end is None else _key_order(end)
        past = None if after is None else _key_order(after)
        for key in sorted(docs, key=_key_order, reverse=reverse):
            order = _key_order(key)
            if (low is not None and order < low) or (high is not None and order > high):
                continue
            if past is not None and (order >= past if reverse else order <= past):
                continue
            for v_start, v_end, blob in docs[key]:
                if v_start <= ts < v_end and blob is not None:
                    found.append(Document(scope, collection, key, v_start, decode_value(blob)))
            if limit is not None and len(found) >= limit:
                break
        return found

    def put(
        self,
        scope: int,
        collection: str,
        key: DocKey,
        data: StoredValue,
        *,
        index_entries: Mapping[str, Sequence[IndexEntry]] | None = None,
    ) -> Document:
        self._check(writing=True)
        blob = encode_value(data)
        versions = self._s.docs.setdefault((scope, collection), {}).setdefault(key, [])
        self._touch((scope, collection, key), versions[-1][2] if versions else None)
        self._supersede(versions, blob)
        self._replace_entries(scope, collection, key, None, index_entries or {})
        return Document(scope, collection, key, self._txn_ts, data)

    def _supersede(self, versions: list[_Version], blob: bytes | None) -> None:
        """Make ``blob`` the current version (``None``: a tombstone, undone if pointless)."""
        if versions and versions[-1][0] == self._txn_ts:
            versions.pop()
            if versions:
                versions[-1] = (versions[-1][0], MAX_TS, versions[-1][2])
        if versions and blob is None and versions[-1][2] is None:
            return
        if not versions and blob is None:
            return
        if versions:
            versions[-1] = (versions[-1][0], self._txn_ts, versions[-1][2])
        versions.append((self._txn_ts, MAX_TS, blob))

    def delete(self, scope: int, collection: str, key: DocKey) -> Document | None:
        self._check(writing=True)
        versions = self._versions(scope, collection, key)
        if not versions or versions[-1][2] is None:
            return None
        start, _, blob = versions[-1]
        assert blob is not None
        self._touch((scope, collection, key), blob)
        self._supersede(versions, None)
        self._replace_entries(scope, collection, key, None, {})
        return Document(scope, collection, key, start, decode_value(blob))

    def drop_collection(self, scope: int, collection: str) -> None:
        self._check(writing=True)
        self._s.docs.pop((scope, collection), None)
        self._s.entries = {
            k: v for k, v in self._s.entries.items() if (k[0], k[1]) != (scope, collection)
        }
        self._s.changes = [c for c in self._s.changes if (c[2], c[3]) != (scope, collection)]
        self._forget_touched_collection(scope, collection)

    def rename_collection(self, scope: int, old: str, new: str) -> None:
        self._check(writing=True)
        if (scope, old) in self._s.docs:
            self._s.docs[(scope, new)] = self._s.docs.pop((scope, old))
        self._s.entries = {
            ((s, new, i) if (s, c) == (scope, old) else (s, c, i)): v
            for (s, c, i), v in self._s.entries.items()
        }
        self._s.changes = [
            (c[0], c[1], c[2], new, *c[4:]) if (c[2], c[3]) == (scope, old) else c
            for c in self._s.changes
        ]
        self._rename_touched_collection(scope, old, new)

    def prune_history(self, scope: int, collection: str, before_ts: int) -> int:
        self._check(writing=True)
        removed = 0
        docs = self._s.docs.get((scope, collection), {})
        for key, versions in list(docs.items()):
            kept = [v for v in versions if v[1] > before_ts]
            removed += len(versions) - len(kept)
            if kept and kept[0][2] is None and kept[0][0] <= before_ts:
                kept.pop(0)
            if kept:
                docs[key] = kept
            else:
                del docs[key]
        for (s, c, _), entries in self._s.entries.items():
            if (s, c) == (scope, collection):
                for ek in [ek for ek, (end, _) in entries.items() if end <= before_ts]:
                    del entries[ek]
        self._s.changes = [
            c
            for c in self._s.changes
            if not (c[2] == scope and c[3] == collection and c[0] <= before_ts)
        ]
        return removed

    # -- indexes --------------------------------------------------------------------------

    def _replace_entries(
        self,
        scope: int,
        collection: str,
        key: DocKey,
        only_index: str | None,
        entries_by_index: Mapping[str, Sequence[IndexEntry]],
    ) -> None:
        wanted = wanted_entries(entries_by_index)
        for (s, c, index), table in self._s.entries.items():
            if (s, c) != (scope, collection) or only_index not in (None, index):
                continue
            for ek, (end, covered) in list(table.items()):
                if ek[2] != key or end != MAX_TS:
                    continue
                ident = (index, ek[0], ek[1])
                if wanted.get(ident) == covered:
                    del wanted[ident]
                elif ek[3] == self._txn_ts:
                    del table[ek]
                else:
                    table[ek] = (self._txn_ts, covered)
        for (index, terms, vals), covered in wanted.items():
            table = self._s.entries.setdefault((scope, collection, index), {})
            table[(terms, vals, key, self._txn_ts)] = (MAX_TS, covered)

    def drop_index(self, scope: int, collection: str, index: str) -> None:
        self._check(writing=True)
        self._s.entries.pop((scope, collection, index), None)

    def index_scan(
        self,
        scope: int,
        collection: str,
        index: str,
        terms: Sequence[StoredValue] = (),
        *,
        descending: Sequence[bool] = (),
        lower: Sequence[StoredValue] | None = None,
        upper: Sequence[StoredValue] | None = None,
        key_lower: DocKey | None = None,
        key_upper: DocKey | None = None,
        after: IndexPosition | None = None,
        reverse: bool = False,
        limit: int | None = None,
        at_ts: int | None = None,
    ) -> list[IndexHit]:
        self._check()
        ts = self._read_ts(at_ts)
        terms_key = tuple_key(terms)
        low = None if lower is None else tuple_key(lower, descending)
        high = None if upper is None else prefix_upper_bound(tuple_key(upper, descending))
        hits: list[tuple[bytes, DocKey, bytes]] = []
        for (t, vals, key, start), (end, covered) in self._s.entries.get(
            (scope, collection, index), {}
        ).items():
            if t != terms_key or not start <= ts < end:
                continue
            if (low is not None and vals < low) or (high is not None and vals > high):
                continue
            order = _key_order(key)
            if (key_lower is not None and order < _key_order(key_lower)) or (
                key_upper is not None and order > _key_order(key_upper)
            ):
                continue
            if after is not None:
                past = (
                    (vals, order) < (after.values_key, _key_order(after.key))
                    if reverse
                    else ((vals, order) > (after.values_key, _key_order(after.key)))
                )
                if not past:
                    continue
            hits.append((vals, key, covered))
        hits.sort(key=lambda hit: (hit[0], _key_order(hit[1])), reverse=reverse)
        if limit is not None:
            hits = hits[:limit]
        return [
            IndexHit(key, tuple(decode_value(covered)), IndexPosition(vals, key))
            for vals, key, covered in hits
        ]

    def unique_conflicts(
        self,
        scope: int,
        collection: str,
        index: str,
        terms: Sequence[StoredValue],
        *,
        exclude: DocKey | None = None,
    ) -> list[DocKey]:
        self._check()
        terms_key = tuple_key(terms)
        keys = {
            ek[2]
            for ek, (end, _) in self._s.entries.get((scope, collection, index), {}).items()
            if ek[0] == terms_key and end == MAX_TS and ek[2] != exclude
        }
        return sorted(keys, key=_key_order)

    # -- change log -----------------------------------------------------------------------

    def events_after(
        self,
        scope: int,
        collections: Collection[str] | None,
        after: EventCursor,
        *,
        limit: int | None = None,
    ) -> list[ChangeEvent]:
        self._check()
        changes = self._s.changes
        position = bisect.bisect_right(changes, (after.txn_ts, after.ordinal), key=lambda c: c[:2])
        found: list[ChangeEvent] = []
        for change in changes[position:]:
            ts, _, s, coll = change[:4]
            if ts > self._snapshot_ts or (limit is not None and len(found) >= limit):
                break
            if s != scope or (collections is not None and coll not in collections):
                continue
            found.append(decode_event(*change))
        return found

    def _current_blob(self, scope: int, collection: str, key: DocKey) -> bytes | None:
        versions = self._versions(scope, collection, key)
        return versions[-1][2] if versions else None

    def record_commit(self) -> CommitInfo:
        """Append this transaction's change events and advance the state's commit ts."""
        changes = self._net_changes(self._current_blob)
        self._s.changes += [c.log_row(self._txn_ts, n) for n, c in enumerate(changes, start=1)]
        self._s.last_ts = self._txn_ts
        return self._commit_info(changes)


class MemoryStorage(StoreBase):
    """A non-durable store in process memory (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(SnowflakeIds(), CommitHub())
        self._state = _State()
        self._write_lock = threading.Lock()
        self._writer_thread: int | None = None

    @property
    def last_txn_ts(self) -> int:
        return self._state.last_ts

    @contextmanager
    def transaction(
        self, *, write: bool = False, snapshot_ts: int | None = None
    ) -> Iterator[MemoryTransaction]:
        self._check_can_open(write=write, snapshot_ts=snapshot_ts)
        if not write:
            state = self._state
            snapshot = state.last_ts if snapshot_ts is None else min(snapshot_ts, state.last_ts)
            txn = MemoryTransaction(state, write=False, snapshot_ts=snapshot, txn_ts=snapshot)
            try:
                yield txn
            finally:
                txn.end()
            return
        if not self._write_lock.acquire(blocking=False):
            # A writer waiting on itself would hang forever; other threads just queue.
            if self._writer_thread == threading.get_ident():
                raise TransactionStateError("this thread already has an open transaction")
            self._write_lock.acquire()
        self._writer_thread = threading.get_ident()
        try:
            working = self._state.clone()
            txn = MemoryTransaction(
                working,
                write=True,
                snapshot_ts=working.last_ts,
                txn_ts=next_txn_ts(working.last_ts),
            )
            try:
                yield txn
                info = txn.record_commit()
            finally:
                txn.end()
            self._state = working
        finally:
            self._writer_thread = None
            self._write_lock.release()
        self._hub.publish(info)

    def close(self) -> None:
        self._closed = True


def _conforms(store: MemoryStorage, txn: MemoryTransaction) -> tuple[Storage, Transaction]:
    """Never called: makes mypy prove the classes implement the interface."""
    return store, txn

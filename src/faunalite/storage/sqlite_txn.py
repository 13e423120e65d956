"""One transaction of ``SQLiteStorage``: the SQL behind every ``Transaction`` method.

The connection is already inside an SQLite transaction when this object is built (``BEGIN
IMMEDIATE`` for writers, ``BEGIN`` for readers, which pins a WAL snapshot); ``SQLiteStorage``
commits or rolls it back. Rows carry validity ranges ``[start_ts, end_ts)``, so a read at any
retained instant is a filter on those columns (see ``sqlite_schema`` for the tables).

A document written several times in one transaction keeps one version at ``txn_ts`` (the
last write wins) and produces one change event comparing its state before and after the
transaction, so a create followed by a delete in the same query leaves no trace.

Point reads (``get``) are remembered for the rest of the transaction until it writes anything:
one query reads the same document (and the same definitions) several times, and decoding the
stored blob is most of a read's cost. The documents handed out are shared between those reads,
so their ``data`` is read-only, as it is everywhere in the model (writes build new values).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from faunalite.storage.base import TransactionBase, decode_event, wanted_entries
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
    StorageError,
    StoredValue,
    UnknownDatabaseError,
)
from faunalite.storage.keys import prefix_upper_bound, tuple_key

READ_CACHE_ENTRIES = 256
"""Point reads one transaction remembers; a query reading more documents than this by key (a
large index walk) forgets the oldest, so the memory a transaction holds stays bounded."""
SCAN_SEEDS_READS = 32
"""A scan returning at most this many documents also remembers them as point reads."""


def _limit(limit: int | None) -> int:
    return -1 if limit is None else limit


class SQLiteTransaction(TransactionBase):
    """A transaction on one SQLite connection (see the module docstring)."""

    def __init__(
        self, connection: sqlite3.Connection, *, write: bool, snapshot_ts: int, txn_ts: int
    ) -> None:
        super().__init__(write=write, snapshot_ts=snapshot_ts, txn_ts=txn_ts)
        self._db = connection
        self._reads: dict[tuple[int, str, DocKey, int], Document | None] = {}

    def _check(self, *, writing: bool = False) -> None:
        super()._check(writing=writing)
        if writing:
            # Every write goes through here first: what was read before may have changed.
            self._reads.clear()

    # -- databases ------------------------------------------------------------------------

    def _database_row(self, scope: int) -> tuple[int, int | None, str, int] | None:
        row = self._db.execute(
            "SELECT scope, parent, name, schema_version FROM databases WHERE scope = ?", (scope,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def _info(self, row: tuple[int, int | None, str, int]) -> DatabaseInfo:
        names: list[str] = []
        parent = row[1]
        if parent is not None:
            names.append(row[2])
        while parent is not None and parent != ROOT_SCOPE:
            above = self._database_row(parent)
            if above is None:
                raise StorageError(f"database {row[0]} has a missing ancestor {parent}")
            names.append(above[2])
            parent = above[1]
        return DatabaseInfo(row[0], row[1], row[2], tuple(reversed(names)), row[3])

    def _require_database(self, scope: int) -> tuple[int, int | None, str, int]:
        row = self._database_row(scope)
        if row is None:
            raise UnknownDatabaseError(f"no database has scope {scope}")
        return row

    def database(self, scope: int) -> DatabaseInfo | None:
        self._check()
        row = self._database_row(scope)
        return None if row is None else self._info(row)

    def find_database(self, path: Sequence[str]) -> DatabaseInfo | None:
        self._check()
        scope = ROOT_SCOPE
        for name in path:
            row = self._db.execute(
                "SELECT scope FROM databases WHERE parent = ? AND name = ?", (scope, name)
            ).fetchone()
            if row is None:
                return None
            scope = row[0]
        return self.database(scope)

    def child_databases(self, scope: int) -> list[DatabaseInfo]:
        self._check()
        rows = self._db.execute(
            "SELECT scope, parent, name, schema_version FROM databases"
            " WHERE parent = ? ORDER BY name",
            (scope,),
        ).fetchall()
        return [self._info((r[0], r[1], r[2], r[3])) for r in rows]

    def create_database(self, parent: int, name: str) -> DatabaseInfo:
        self._check(writing=True)
        self._require_database(parent)
        try:
            cursor = self._db.execute(
                "INSERT INTO databases (parent, name) VALUES (?, ?)", (parent, name)
            )
        except sqlite3.IntegrityError:
            raise DuplicateDatabaseError(f"a database named {name!r} already exists") from None
        scope = cursor.lastrowid
        assert scope is not None
        return self._info((scope, parent, name, 0))

    def rename_database(self, scope: int, name: str) -> DatabaseInfo:
        self._check(writing=True)
        row = self._require_database(scope)
        if row[1] is None:
            raise StorageError("the root database has no name")
        try:
            self._db.execute("UPDATE databases SET name = ? WHERE scope = ?", (name, scope))
        except sqlite3.IntegrityError:
            raise DuplicateDatabaseError(f"a database named {name!r} already exists") from None
        return self._info((row[0], row[1], name, row[3]))

    def delete_database(self, scope: int) -> None:
        self._check(writing=True)
        if scope == ROOT_SCOPE:
            raise StorageError("the root database cannot be deleted")
        self._require_database(scope)
        subtree = [
            row[0]
            for row in self._db.execute(
                "WITH RECURSIVE tree(scope) AS (SELECT ?"
                " UNION ALL SELECT d.scope FROM databases d JOIN tree ON d.parent = tree.scope)"
                " SELECT scope FROM tree",
                (scope,),
            )
        ]
        for table in ("versions", "index_entries", "changes", "databases"):
            self._db.executemany(f"DELETE FROM {table} WHERE scope = ?", [(s,) for s in subtree])
        self._forget_touched_scopes(set(subtree))

    def schema_version(self, scope: int) -> int:
        self._check()
        return self._require_database(scope)[3]

    def bump_schema_version(self, scope: int) -> int:
        self._check(writing=True)
        version = self._require_database(scope)[3] + 1
        self._db.execute(
            "UPDATE databases SET schema_version = ? WHERE scope = ?", (version, scope)
        )
        return version

    # -- documents ------------------------------------------------------------------------

    def get(
        self, scope: int, collection: str, key: DocKey, *, at_ts: int | None = None
    ) -> Document | None:
        self._check()
        read_ts = self._read_ts(at_ts)
        # Keyed by the instant actually read, so a read "now" and one "at the snapshot" of a
        # reader (the same instant) share an entry.
        cache_key = (scope, collection, key, read_ts)
        reads = self._reads
        if cache_key in reads:
            return reads[cache_key]
        row = self._db.execute(
            "SELECT start_ts, data FROM versions WHERE scope = ? AND coll = ? AND key = ?"
            " AND start_ts <= ? ORDER BY start_ts DESC LIMIT 1",
            (scope, collection, key, read_ts),
        ).fetchone()
        found = None
        if row is not None and row[1] is not None:
            found = Document(scope, collection, key, row[0], decode_value(row[1]))
        if len(reads) >= READ_CACHE_ENTRIES:
            del reads[next(iter(reads))]
        reads[cache_key] = found
        return found

    def history(
        self, scope: int, collection: str, key: DocKey, *, limit: int | None = None
    ) -> list[DocVersion]:
        self._check()
        rows = self._db.execute(
            "SELECT start_ts, data FROM versions WHERE scope = ? AND coll = ? AND key = ?"
            " AND start_ts <= ? ORDER BY start_ts DESC LIMIT ?",
            (scope, collection, key, self._read_ts(None), _limit(limit)),
        ).fetchall()
        return [
            DocVersion(key, ts, None if data is None else decode_value(data)) for ts, data in rows
        ]

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
        sql = [
            "SELECT key, start_ts, data FROM versions WHERE scope = ? AND coll = ?"
            " AND start_ts <= ? AND end_ts > ? AND data IS NOT NULL"
        ]
        args: list[Any] = [scope, collection, ts, ts]
        for bound, op in ((start, ">="), (end, "<="), (after, "<" if reverse else ">")):
            if bound is not None:
                sql.append(f" AND key {op} ?")
                args.append(bound)
        sql.append(" ORDER BY key DESC LIMIT ?" if reverse else " ORDER BY key LIMIT ?")
        args.append(_limit(limit))
        found = [
            Document(scope, collection, key, start_ts, decode_value(data))
            for key, start_ts, data in self._db.execute("".join(sql), args)
        ]
        if len(found) <= SCAN_SEEDS_READS:
            # A short scan (the definitions of a database's collections, read by every query)
            # answers the point reads of the same documents at the same instant.
            reads = self._reads
            for document in found:
                if len(reads) >= READ_CACHE_ENTRIES:
                    del reads[next(iter(reads))]
                reads[(scope, collection, document.key, ts)] = document
        return found

    def _current_version(
        self, scope: int, collection: str, key: DocKey
    ) -> tuple[int, int, bytes | None] | None:
        row = self._db.execute(
            "SELECT rowid, start_ts, data FROM versions WHERE scope = ? AND coll = ?"
            " AND key = ? AND end_ts = ?",
            (scope, collection, key, MAX_TS),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

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
        current = self._current_version(scope, collection, key)
        self._touch((scope, collection, key), None if current is None else current[2])
        if current is not None and current[1] == self._txn_ts:
            self._db.execute("UPDATE versions SET data = ? WHERE rowid = ?", (blob, current[0]))
        else:
            if current is not None:
                self._db.execute(
                    "UPDATE versions SET end_ts = ? WHERE rowid = ?", (self._txn_ts, current[0])
                )
            self._insert_version(scope, collection, key, blob)
        self._replace_entries(scope, collection, key, None, index_entries or {})
        return Document(scope, collection, key, self._txn_ts, data)

    def _insert_version(self, scope: int, collection: str, key: DocKey, blob: bytes | None) -> None:
        self._db.execute(
            "INSERT INTO versions (scope, coll, key, start_ts, end_ts, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (scope, collection, key, self._txn_ts, MAX_TS, blob),
        )

    def delete(self, scope: int, collection: str, key: DocKey) -> Document | None:
        self._check(writing=True)
        current = self._current_version(scope, collection, key)
        if current is None or current[2] is None:
            return None
        self._touch((scope, collection, key), current[2])
        deleted = Document(scope, collection, key, current[1], decode_value(current[2]))
        if current[1] == self._txn_ts:
            # Written earlier in this txn: undo that version rather than stack a tombstone on it.
            self._db.execute("DELETE FROM versions WHERE rowid = ?", (current[0],))
            previous = self._db.execute(
                "SELECT rowid, data FROM versions WHERE scope = ? AND coll = ? AND key = ?"
                " AND end_ts = ?",
                (scope, collection, key, self._txn_ts),
            ).fetchone()
            if previous is not None:
                reopened = "UPDATE versions SET end_ts = ? WHERE rowid = ?"
                if previous[1] is None:
                    self._db.execute(reopened, (MAX_TS, previous[0]))
                else:
                    self._insert_version(scope, collection, key, None)
        else:
            self._db.execute(
                "UPDATE versions SET end_ts = ? WHERE rowid = ?", (self._txn_ts, current[0])
            )
            self._insert_version(scope, collection, key, None)
        self._replace_entries(scope, collection, key, None, {})
        return deleted

    def drop_collection(self, scope: int, collection: str) -> None:
        self._check(writing=True)
        for table in ("versions", "index_entries", "changes"):
            self._db.execute(
                f"DELETE FROM {table} WHERE scope = ? AND coll = ?", (scope, collection)
            )
        self._forget_touched_collection(scope, collection)

    def rename_collection(self, scope: int, old: str, new: str) -> None:
        self._check(writing=True)
        for table in ("versions", "index_entries", "changes"):
            self._db.execute(
                f"UPDATE {table} SET coll = ? WHERE scope = ? AND coll = ?", (new, scope, old)
            )
        self._rename_touched_collection(scope, old, new)

    def prune_history(self, scope: int, collection: str, before_ts: int) -> int:
        self._check(writing=True)
        removed = self._db.execute(
            "DELETE FROM versions WHERE scope = ? AND coll = ? AND end_ts <= ?",
            (scope, collection, before_ts),
        ).rowcount
        self._db.execute(
            "DELETE FROM index_entries WHERE scope = ? AND coll = ? AND end_ts <= ?",
            (scope, collection, before_ts),
        )
        self._db.execute(
            "DELETE FROM changes WHERE scope = ? AND coll = ? AND txn_ts <= ?",
            (scope, collection, before_ts),
        )
        # A tombstone with nothing left before it carries no information any more.
        self._db.execute(
            "DELETE FROM versions AS v WHERE scope = ? AND coll = ? AND data IS NULL"
            " AND start_ts <= ? AND NOT EXISTS (SELECT 1 FROM versions AS w WHERE"
            " w.scope = v.scope AND w.coll = v.coll AND w.key = v.key AND w.start_ts < v.start_ts)",
            (scope, collection, before_ts),
        )
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
        sql = (
            # Without statistics the planner would pick the primary key and scan the whole
            # collection's entries for every write.
            "SELECT idx, terms, vals, start_ts, covered FROM index_entries"
            " INDEXED BY index_entries_by_doc"
            " WHERE scope = ? AND coll = ? AND key = ? AND end_ts = ?"
        )
        args: list[Any] = [scope, collection, key, MAX_TS]
        if only_index is not None:
            sql += " AND idx = ?"
            args.append(only_index)
        pk = "scope = ? AND coll = ? AND idx = ? AND terms = ? AND vals = ? AND key = ? AND start_ts = ?"
        for index, terms, vals, start_ts, covered in self._db.execute(sql, args).fetchall():
            ident = (index, terms, vals)
            if wanted.get(ident) == covered:
                del wanted[ident]  # unchanged: keep the entry and its history as they are
                continue
            row = (scope, collection, index, terms, vals, key, start_ts)
            if start_ts == self._txn_ts:
                self._db.execute(f"DELETE FROM index_entries WHERE {pk}", row)
            else:
                self._db.execute(
                    f"UPDATE index_entries SET end_ts = ? WHERE {pk}", (self._txn_ts, *row)
                )
        self._db.executemany(
            "INSERT INTO index_entries"
            " (scope, coll, idx, terms, vals, key, start_ts, end_ts, covered)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (scope, collection, index, terms, vals, key, self._txn_ts, MAX_TS, covered)
                for (index, terms, vals), covered in wanted.items()
            ],
        )

    def drop_index(self, scope: int, collection: str, index: str) -> None:
        self._check(writing=True)
        self._db.execute(
            "DELETE FROM index_entries WHERE scope = ? AND coll = ? AND idx = ?",
            (scope, collection, index),
        )

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
        sql = [
            "SELECT key, vals, covered FROM index_entries WHERE scope = ? AND coll = ?"
            " AND idx = ? AND terms = ? AND start_ts <= ? AND end_ts > ?"
        ]
        args: list[Any] = [scope, collection, index, tuple_key(terms), ts, ts]
        if lower is not None:
            sql.append(" AND vals >= ?")
            args.append(tuple_key(lower, descending))
        if upper is not None:
            sql.append(" AND vals <= ?")
            args.append(prefix_upper_bound(tuple_key(upper, descending)))
        for bound, op in ((key_lower, ">="), (key_upper, "<=")):
            if bound is not None:
                sql.append(f" AND key {op} ?")
                args.append(bound)
        if after is not None:
            op = "<" if reverse else ">"
            sql.append(f" AND vals {op}= ? AND (vals, key) {op} (?, ?)")
            args += [after.values_key, after.values_key, after.key]
        order = "DESC" if reverse else "ASC"
        sql.append(f" ORDER BY vals {order}, key {order} LIMIT ?")
        args.append(_limit(limit))
        return [
            IndexHit(key, tuple(decode_value(covered)), IndexPosition(vals, key))
            for key, vals, covered in self._db.execute("".join(sql), args)
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
        rows = self._db.execute(
            "SELECT DISTINCT key FROM index_entries WHERE scope = ? AND coll = ? AND idx = ?"
            " AND terms = ? AND end_ts = ? ORDER BY key",
            (scope, collection, index, tuple_key(terms), MAX_TS),
        ).fetchall()
        return [row[0] for row in rows if row[0] != exclude]

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
        sql = [
            "SELECT txn_ts, ordinal, coll, key, action, before, after FROM changes"
            " WHERE scope = ? AND (txn_ts, ordinal) > (?, ?) AND txn_ts <= ?"
        ]
        args: list[Any] = [scope, after.txn_ts, after.ordinal, self._snapshot_ts]
        if collections is not None:
            names = sorted(set(collections))
            if not names:
                return []
            sql.append(f" AND coll IN ({', '.join('?' * len(names))})")
            args += names
        sql.append(" ORDER BY txn_ts, ordinal LIMIT ?")
        args.append(_limit(limit))
        return [
            decode_event(ts, ordinal, scope, coll, key, action, before, after_blob)
            for ts, ordinal, coll, key, action, before, after_blob in self._db.execute(
                "".join(sql), args
            )
        ]

    # -- commit ---------------------------------------------------------------------------

    def _current_blob(self, scope: int, collection: str, key: DocKey) -> bytes | None:
        current = self._current_version(scope, collection, key)
        return None if current is None else current[2]

    def write_commit_records(self, id_high_water_ms: int) -> CommitInfo:
        """Append the change log and the meta counters; the caller then runs ``COMMIT``."""
        self._check(writing=True)
        changes = self._net_changes(self._current_blob)
        self._db.executemany(
            "INSERT INTO changes (txn_ts, ordinal, scope, coll, key, action, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [c.log_row(self._txn_ts, n) for n, c in enumerate(changes, start=1)],
        )
        self._db.executemany(
            "UPDATE meta SET value = ? WHERE name = ?",
            [(self._txn_ts, "last_txn_ts"), (id_high_water_ms, "id_high_water_ms")],
        )
        return self._commit_info(changes)

"""The SQLite file layout of a faunalite store, and how a connection to it is configured.

Tables (every data table is keyed by ``scope``, the numeric id of a database):

* ``meta``: named integers: ``format``, ``last_txn_ts`` (the latest commit),
  ``id_high_water_ms`` (see ``clock.SnowflakeIds``).
* ``databases``: the database tree. The root has scope 0 and no parent; AUTOINCREMENT
  means the scope of a deleted database is never given to a new one.
* ``versions``: one row per document version, valid over ``[start_ts, end_ts)``; ``end_ts`` is
  ``MAX_TS`` while current; ``data`` is NULL for a deletion. ``key`` holds an INTEGER (ids) or
  TEXT (names of named documents).
* ``index_entries``: one row per (index, terms, values, document) over ``[start_ts, end_ts)``.
  Its primary key is the lookup order, so an index scan is a range scan of a B-tree
  (``WITHOUT ROWID`` keeps the rows in that B-tree, no second lookup).
* ``changes``: the change log, ordered by ``(txn_ts, ordinal)``.

Durability: WAL journal with ``synchronous=FULL`` syncs the WAL at every commit, so a commit
that returned survives a kill or a power cut. (NORMAL would only risk the last commits on power
loss, but an acknowledged write must never be lost, so we pay the fsync.)
"""

from __future__ import annotations

import sqlite3

FORMAT_VERSION = 1

DDL = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS databases (
    scope INTEGER PRIMARY KEY AUTOINCREMENT,
    parent INTEGER,
    name TEXT NOT NULL,
    schema_version INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS databases_by_name ON databases (parent, name);

CREATE TABLE IF NOT EXISTS versions (
    scope INTEGER NOT NULL,
    coll TEXT NOT NULL,
    key NOT NULL,
    start_ts INTEGER NOT NULL,
    end_ts INTEGER NOT NULL,
    data BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS versions_by_doc ON versions (scope, coll, key, start_ts);

CREATE TABLE IF NOT EXISTS index_entries (
    scope INTEGER NOT NULL,
    coll TEXT NOT NULL,
    idx TEXT NOT NULL,
    terms BLOB NOT NULL,
    vals BLOB NOT NULL,
    key NOT NULL,
    start_ts INTEGER NOT NULL,
    end_ts INTEGER NOT NULL,
    covered BLOB NOT NULL,
    PRIMARY KEY (scope, coll, idx, terms, vals, key, start_ts)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS index_entries_by_doc ON index_entries (scope, coll, key, end_ts);

CREATE TABLE IF NOT EXISTS changes (
    txn_ts INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    scope INTEGER NOT NULL,
    coll TEXT NOT NULL,
    key NOT NULL,
    action TEXT NOT NULL,
    before BLOB,
    after BLOB,
    PRIMARY KEY (txn_ts, ordinal)
);
CREATE INDEX IF NOT EXISTS changes_by_coll ON changes (scope, coll, txn_ts, ordinal);
"""


def configure(connection: sqlite3.Connection, *, scratch: bool) -> None:
    """Pragmas every connection of a store needs; a ``scratch`` file (the backing of a
    ``:memory:`` store) is never synced, since it does not outlive the process."""
    mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"cannot enable WAL journal (got {mode})")
    connection.execute("PRAGMA synchronous=OFF" if scratch else "PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=10000")
    connection.execute("PRAGMA foreign_keys=OFF")


def initialise(connection: sqlite3.Connection) -> None:
    """Create the tables of a new store (idempotent) and check the format of an old one."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in DDL.split(";"):
            if statement.strip():
                connection.execute(statement)
        row = connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        if row is None:
            connection.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?)",
                [("format", FORMAT_VERSION), ("last_txn_ts", 0), ("id_high_water_ms", 0)],
            )
            connection.execute("INSERT INTO databases (scope, parent, name) VALUES (0, NULL, '')")
        elif row[0] != FORMAT_VERSION:
            raise sqlite3.DatabaseError(
                f"store format {row[0]} is not supported (expected {FORMAT_VERSION})"
            )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise

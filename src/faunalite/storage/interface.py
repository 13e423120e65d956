"""The storage interface: everything the FQL engine may ask of a faunalite store.

Storage keeps *data*, not FQL semantics. It knows databases (as numeric scopes), versioned
documents keyed by ``(scope, collection, key)``, index entries the engine computed, a change log
and a few counters. It does not evaluate FQL, merge updates, check constraints or decide which
documents belong to a set: the engine does that and hands storage the results.

Two implementations follow this interface: ``SQLiteStorage`` (durable, one file or
``:memory:``) and ``MemoryStorage`` (plain dicts, for tests). Both are exercised by the same
parametrised tests, so the engine can rely on the semantics written here and nothing else.

Timestamps are integers, microseconds since the Unix epoch. Each write transaction commits at a
``txn_ts`` strictly greater than every earlier commit of the same store.

Concurrency model: at most one write transaction runs at a time (a writer lock serialises them;
a query that writes holds it for its whole run, which is fine for a local server). Read-only
transactions run concurrently with the writer and with each other, each on a consistent
snapshot. A transaction belongs to the thread that opened it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

ROOT_SCOPE = 0
"""The scope id of the root database (path ``()``)."""

MAX_TS = 2**63 - 1
"""A timestamp later than any commit: "still valid" for version ranges."""

MAX_ORDINAL = 2**31 - 1
"""An ordinal larger than any event's, so ``EventCursor(ts, MAX_ORDINAL)`` means "after ts"."""

DocKey: TypeAlias = "int | str"
"""A document's key within its collection: the id of an ID document, the name of a named one."""

StoredValue: TypeAlias = Any
"""Data of the FQL value model (see ``faunalite.storage.codec``)."""


class StorageError(Exception):
    """Base of the errors storage raises. They are bugs or environment failures, not user
    errors: the engine checks user-level conditions (missing documents...) before writing."""


class ReadOnlyTransactionError(StorageError):
    """A write was attempted in a transaction opened with ``write=False``."""


class TransactionStateError(StorageError):
    """The transaction is used after it ended, from another thread, or opened inside another."""


class UnknownDatabaseError(StorageError):
    """A scope id that does not name a live database."""


class DuplicateDatabaseError(StorageError):
    """A database with this name already exists under the same parent."""


class StorageClosedError(StorageError):
    """The store was closed."""


@dataclass(frozen=True, slots=True, order=True)
class DocRef:
    """A stored reference to a document: collection name plus id (or name, for named docs).

    The engine maps its document values to ``DocRef`` before writing and back after reading.
    """

    collection: str
    id: DocKey


@dataclass(frozen=True, slots=True)
class Document:
    """A live document version: ``data`` as written, ``ts`` the commit ts of that write."""

    scope: int
    collection: str
    key: DocKey
    ts: int
    data: StoredValue


@dataclass(frozen=True, slots=True)
class DocVersion:
    """One entry of a document's history. ``data`` is ``None`` for a deletion (a tombstone)."""

    key: DocKey
    ts: int
    data: StoredValue | None

    @property
    def deleted(self) -> bool:
        return self.data is None


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One entry a document contributes to an index.

    ``terms`` are matched exactly; ``values`` order the results, each ascending unless the same
    position of ``descending`` is true. A document contributes several entries when a field is
    indexed with ``mva`` (one per array element), none when the engine decides it is not
    indexed. ``values`` are returned with each hit (covered values).
    """

    terms: tuple[StoredValue, ...] = ()
    values: tuple[StoredValue, ...] = ()
    descending: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class IndexPosition:
    """Where an index hit sits in index order; pass it back as ``after=`` to resume a scan."""

    values_key: bytes
    key: DocKey


@dataclass(frozen=True, slots=True)
class IndexHit:
    """A document found by an index scan, with its covered values and its position."""

    key: DocKey
    values: tuple[StoredValue, ...]
    position: IndexPosition


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """A database in the tree. ``path`` is the names from the root's child down to it."""

    scope: int
    parent: int | None
    name: str
    path: tuple[str, ...]
    schema_version: int


class ChangeAction(str, enum.Enum):
    """What a transaction did to a document, comparing its state before and after the txn."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True, order=True)
class EventCursor:
    """A totally ordered position in the change log: (commit ts, ordinal within the txn).

    Ordinals start at 1, so ``EventCursor(ts, 0)`` sits just before the events of the txn at
    ``ts`` and ``EventCursor.after_ts(ts)`` just after them.
    """

    txn_ts: int
    ordinal: int

    @classmethod
    def after_ts(cls, ts: int) -> EventCursor:
        return cls(ts, MAX_ORDINAL)


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One committed document change. ``before`` is the state before the txn (``None`` for a
    create), ``after`` the state after it (``None`` for a delete)."""

    cursor: EventCursor
    scope: int
    collection: str
    key: DocKey
    action: ChangeAction
    before: StoredValue | None
    after: StoredValue | None


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """Sent to commit subscribers after each write commit: its ts and what it touched."""

    txn_ts: int
    collections: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    """The ``(scope, collection)`` pairs whose documents changed."""


class Transaction(Protocol):
    """One transaction. Reads see a consistent snapshot; a write transaction also sees its own
    writes. Leaving the ``with`` block normally commits; an exception rolls everything back.

    ``at_ts`` on reads: ``None`` reads the transaction's current view (its own writes
    included); a timestamp reads the committed state as of that instant (``at(ts)``), or the
    transaction's own writes when ``at_ts >= txn_ts``.
    """

    @property
    def is_write(self) -> bool: ...

    @property
    def snapshot_ts(self) -> int:
        """The latest commit visible to this transaction."""

    @property
    def txn_ts(self) -> int:
        """The commit ts of this write transaction (read-only ones: equal to ``snapshot_ts``)."""

    # -- databases ------------------------------------------------------------------------

    def database(self, scope: int) -> DatabaseInfo | None:
        """The live database with this scope id."""

    def find_database(self, path: Sequence[str]) -> DatabaseInfo | None:
        """The database at ``path`` (``()`` is the root)."""

    def child_databases(self, scope: int) -> list[DatabaseInfo]:
        """The direct children of a database, by name."""

    def create_database(self, parent: int, name: str) -> DatabaseInfo:
        """A new empty database under ``parent``. Raises ``DuplicateDatabaseError``."""

    def rename_database(self, scope: int, name: str) -> DatabaseInfo:
        """Give a database a new name under the same parent."""

    def delete_database(self, scope: int) -> None:
        """Remove a database and its whole subtree, with every document, index entry and
        change-log event in them. Not versioned: ``at()`` cannot bring them back."""

    def schema_version(self, scope: int) -> int:
        """The database's schema counter (0 for a new database)."""

    def bump_schema_version(self, scope: int) -> int:
        """Increase the schema counter (the engine calls it on every schema change)."""

    # -- documents ------------------------------------------------------------------------

    def get(
        self, scope: int, collection: str, key: DocKey, *, at_ts: int | None = None
    ) -> Document | None:
        """The live version of a document, ``None`` if it does not exist (or is deleted)."""

    def history(
        self, scope: int, collection: str, key: DocKey, *, limit: int | None = None
    ) -> list[DocVersion]:
        """All retained versions of a document, newest first, tombstones included."""

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
        """Live documents in key order (``Coll.all()``): ``start``/``end`` inclusive bounds,
        ``after`` resumes strictly past a key (strictly before it when ``reverse``)."""

    def put(
        self,
        scope: int,
        collection: str,
        key: DocKey,
        data: StoredValue,
        *,
        index_entries: Mapping[str, Sequence[IndexEntry]] | None = None,
    ) -> Document:
        """Create or replace a document's whole data at ``txn_ts``.

        ``index_entries`` is the document's complete set of index entries after the write,
        by index name: entries of indexes not named are removed.
        """

    def delete(self, scope: int, collection: str, key: DocKey) -> Document | None:
        """Delete a document (a tombstone version) and its index entries. Returns the version
        that was deleted, or ``None`` (and does nothing) if the document was not live."""

    def drop_collection(self, scope: int, collection: str) -> None:
        """Remove every document, version, index entry and event of a collection."""

    def rename_collection(self, scope: int, old: str, new: str) -> None:
        """Move a collection's documents, history, index entries and events to a new name."""

    def prune_history(self, scope: int, collection: str, before_ts: int) -> int:
        """Forget versions, index entries and events that ended at or before ``before_ts``
        (``history_days``); reads as of earlier instants then see less. Returns versions
        removed."""

    # -- indexes --------------------------------------------------------------------------

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
        """Documents whose entry matches ``terms``, in index order (values in the total order,
        inverted where ``descending``, then document key), without scanning the collection.

        ``lower``/``upper`` are inclusive bounds on the value tuple; each may be a prefix
        (``upper=(5,)`` includes ``(5, anything)``). ``key_lower``/``key_upper`` bound the
        document key (the range of an index without values). ``after`` resumes strictly past
        a position (strictly before it when ``reverse``).
        """

    def set_index_entries(
        self,
        scope: int,
        collection: str,
        index: str,
        key: DocKey,
        entries: Sequence[IndexEntry],
    ) -> None:
        """Replace one document's entries in one index, valid from ``txn_ts``. The engine
        builds a new index by calling it for each document of the collection."""

    def drop_index(self, scope: int, collection: str, index: str) -> None:
        """Remove every entry (and all history) of an index."""

    def unique_conflicts(
        self,
        scope: int,
        collection: str,
        index: str,
        terms: Sequence[StoredValue],
        *,
        exclude: DocKey | None = None,
    ) -> list[DocKey]:
        """Live documents (this transaction's writes included) other than ``exclude`` that
        have an entry with these terms: a unique constraint is an index whose terms are the
        unique fields, and a non-empty answer is a violation."""

    # -- change log -----------------------------------------------------------------------

    def events_after(
        self,
        scope: int,
        collections: Collection[str] | None,
        after: EventCursor,
        *,
        limit: int | None = None,
    ) -> list[ChangeEvent]:
        """Committed changes strictly after ``after`` in cursor order, in the given
        collections (all of the scope's when ``None``), up to this transaction's snapshot."""


class Storage(Protocol):
    """A store: opens transactions, issues ids, tells subscribers about commits."""

    def transaction(
        self, *, write: bool = False, snapshot_ts: int | None = None
    ) -> AbstractContextManager[Transaction]:
        """Open a transaction. ``snapshot_ts`` (read-only transactions only) reads as of an
        earlier instant; it is capped at the latest commit."""

    @property
    def last_txn_ts(self) -> int:
        """The ts of the latest commit (0 for a new store)."""

    def new_id(self) -> int:
        """A fresh document id: positive, unique in this store, roughly time-ordered."""

    def subscribe(self, callback: Callable[[CommitInfo], None]) -> Callable[[], None]:
        """Call ``callback`` after every write commit, on the committing thread, outside every
        lock. Returns the function that unsubscribes. From asyncio, have the callback use
        ``loop.call_soon_threadsafe``."""

    def wait_for_commit(self, after_ts: int, timeout: float | None = None) -> int:
        """Block until a commit later than ``after_ts`` (or the timeout); the latest ts."""

    def close(self) -> None:
        """Release the store. Open transactions must have ended."""


def iter_pages(
    fetch: Callable[[Any, int], Sequence[Any]], position_of: Callable[[Any], Any], size: int
) -> Iterator[Any]:
    """Iterate a paged scan to the end: ``fetch(after, size)`` returns the page after
    ``after`` (``None`` first); ``position_of(item)`` is what resumes after ``item``."""
    after: Any = None
    while True:
        page = fetch(after, size)
        yield from page
        if len(page) < size:
            return
        after = position_of(page[-1])

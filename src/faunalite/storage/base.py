"""What both storage engines share, so each engine keeps only how it stores data.

``TransactionBase`` is a transaction's state and its checks (which thread may use it, whether
it has ended, whether it may write, which instant a read sees) plus the bookkeeping that turns
the documents it wrote into change events. ``StoreBase`` is a store's ids, commit
notifications and the checks ``transaction()`` makes before opening one.

``MemoryTransaction``/``MemoryStorage`` and ``SQLiteTransaction``/``SQLiteStorage`` build on
these. Nothing here reads or writes data: that is each engine's own job.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from faunalite.storage.clock import SnowflakeIds
from faunalite.storage.codec import decode_value, encode_value
from faunalite.storage.interface import (
    MAX_TS,
    ChangeAction,
    ChangeEvent,
    CommitInfo,
    DocKey,
    EventCursor,
    IndexEntry,
    ReadOnlyTransactionError,
    StorageClosedError,
    TransactionStateError,
)
from faunalite.storage.keys import tuple_key
from faunalite.storage.notify import CommitHub

CURRENT_TS = MAX_TS - 1
"""The read instant that sees current versions and entries (their ``end_ts`` is ``MAX_TS``)."""

DocId = tuple[int, str, DocKey]
"""(scope, collection, key): one document of the store."""

EntryId = tuple[str, bytes, bytes]
"""(index, terms key, values key): what makes an entry distinct for one document."""


@dataclass(slots=True)
class Touched:
    """A document this transaction wrote: its first-write order and pre-transaction state."""

    order: int
    before: bytes | None


class NetChange(NamedTuple):
    """What a transaction did to one document, comparing its state before and after."""

    scope: int
    collection: str
    key: DocKey
    action: ChangeAction
    before: bytes | None
    after: bytes | None

    def log_row(
        self, txn_ts: int, ordinal: int
    ) -> tuple[int, int, int, str, DocKey, str, bytes | None, bytes | None]:
        """The change-log record: (txn_ts, ordinal, scope, coll, key, action, before, after)."""
        return (
            txn_ts,
            ordinal,
            self.scope,
            self.collection,
            self.key,
            self.action.value,
            self.before,
            self.after,
        )


def wanted_entries(entries_by_index: Mapping[str, Sequence[IndexEntry]]) -> dict[EntryId, bytes]:
    """A document's index entries as stored: distinct ones, each with its covered values."""
    wanted: dict[EntryId, bytes] = {}
    for index, entries in entries_by_index.items():
        for entry in entries:
            ident = (index, tuple_key(entry.terms), tuple_key(entry.values, entry.descending))
            wanted.setdefault(ident, encode_value(list(entry.values)))
    return wanted


def decode_event(
    ts: int,
    ordinal: int,
    scope: int,
    collection: str,
    key: DocKey,
    action: str,
    before: bytes | None,
    after: bytes | None,
) -> ChangeEvent:
    """A change-log record as the ``ChangeEvent`` readers get."""
    return ChangeEvent(
        EventCursor(ts, ordinal),
        scope,
        collection,
        key,
        ChangeAction(action),
        None if before is None else decode_value(before),
        None if after is None else decode_value(after),
    )


class TransactionBase(ABC):
    """A transaction's state and checks (see the module docstring). Subclasses implement the
    data methods of ``Transaction`` and call ``_check`` first in each."""

    def __init__(self, *, write: bool, snapshot_ts: int, txn_ts: int) -> None:
        self._write = write
        self._snapshot_ts = snapshot_ts
        self._txn_ts = txn_ts
        self._owner = threading.get_ident()
        self._open = True
        self._touched: dict[DocId, Touched] = {}

    # -- state ----------------------------------------------------------------------------

    @property
    def is_write(self) -> bool:
        return self._write

    @property
    def snapshot_ts(self) -> int:
        return self._snapshot_ts

    @property
    def txn_ts(self) -> int:
        return self._txn_ts

    def end(self) -> None:
        self._open = False

    def _check(self, *, writing: bool = False) -> None:
        if not self._open:
            raise TransactionStateError("the transaction has ended")
        if threading.get_ident() != self._owner:
            raise TransactionStateError("a transaction must be used by the thread that opened it")
        if writing and not self._write:
            raise ReadOnlyTransactionError("this transaction was opened read-only")

    def _read_ts(self, at_ts: int | None) -> int:
        if at_ts is None:
            return CURRENT_TS if self._write else self._snapshot_ts
        if self._write and at_ts >= self._txn_ts:
            return CURRENT_TS
        return min(at_ts, CURRENT_TS)

    # -- index entries --------------------------------------------------------------------

    @abstractmethod
    def _replace_entries(
        self,
        scope: int,
        collection: str,
        key: DocKey,
        only_index: str | None,
        entries_by_index: Mapping[str, Sequence[IndexEntry]],
    ) -> None:
        """Make ``entries_by_index`` the document's current entries, in every index (or only
        in ``only_index``), valid from ``txn_ts``."""

    def set_index_entries(
        self, scope: int, collection: str, index: str, key: DocKey, entries: Sequence[IndexEntry]
    ) -> None:
        self._check(writing=True)
        self._replace_entries(scope, collection, key, index, {index: entries})

    # -- touched documents and the change log ---------------------------------------------

    def _touch(self, doc: DocId, before: bytes | None) -> None:
        """Note a write to ``doc``; only the first one records its pre-transaction state."""
        if doc not in self._touched:
            self._touched[doc] = Touched(len(self._touched), before)

    def _forget_touched_scopes(self, gone: set[int]) -> None:
        self._touched = {k: v for k, v in self._touched.items() if k[0] not in gone}

    def _forget_touched_collection(self, scope: int, collection: str) -> None:
        self._touched = {
            k: v for k, v in self._touched.items() if (k[0], k[1]) != (scope, collection)
        }

    def _rename_touched_collection(self, scope: int, old: str, new: str) -> None:
        self._touched = {
            ((k[0], new, k[2]) if (k[0], k[1]) == (scope, old) else k): v
            for k, v in self._touched.items()
        }

    def _net_changes(self, current: Callable[[int, str, DocKey], bytes | None]) -> list[NetChange]:
        """One change per touched document, in first-write order; ``current`` gives a
        document's state now. A document created and deleted in the txn leaves no change."""
        changes: list[NetChange] = []
        for (scope, coll, key), touched in sorted(self._touched.items(), key=lambda i: i[1].order):
            after = current(scope, coll, key)
            if touched.before is None and after is None:
                continue
            if touched.before is None:
                action = ChangeAction.CREATE
            elif after is None:
                action = ChangeAction.DELETE
            else:
                action = ChangeAction.UPDATE
            changes.append(NetChange(scope, coll, key, action, touched.before, after))
        return changes

    def _commit_info(self, changes: Sequence[NetChange]) -> CommitInfo:
        return CommitInfo(self._txn_ts, frozenset((c.scope, c.collection) for c in changes))


class StoreBase:
    """A store's document ids and commit notifications (see the module docstring)."""

    def __init__(self, ids: SnowflakeIds, hub: CommitHub) -> None:
        self._ids = ids
        self._hub = hub
        self._closed = False

    def new_id(self) -> int:
        return self._ids.next_id()

    def subscribe(self, callback: Callable[[CommitInfo], None]) -> Callable[[], None]:
        return self._hub.subscribe(callback)

    def wait_for_commit(self, after_ts: int, timeout: float | None = None) -> int:
        return self._hub.wait_for_commit(after_ts, timeout)

    def _check_can_open(self, *, write: bool, snapshot_ts: int | None) -> None:
        """The checks ``transaction()`` makes before opening one."""
        if self._closed:
            raise StorageClosedError("the store is closed")
        if write and snapshot_ts is not None:
            raise ValueError("a write transaction always reads the latest state")

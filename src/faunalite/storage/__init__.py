"""faunalite storage: versioned documents, index entries and a change log behind one interface.

The FQL engine talks to ``Storage``/``Transaction`` (``interface``) and nothing else, so the
durable ``SQLiteStorage`` and the dict-based ``MemoryStorage`` are interchangeable. Storage keeps
data and its order; FQL semantics (merging updates, computing index terms, checking
constraints, deciding set membership) stay in the engine.

Also here: the stored value encoding (``codec``), order-preserving index keys (``keys``),
commit timestamps and document ids (``clock``) and commit notifications (``notify``).
"""

from faunalite.storage.codec import (
    CorruptDataError,
    UnstorableValueError,
    decode_value,
    encode_value,
)
from faunalite.storage.interface import (
    MAX_ORDINAL,
    MAX_TS,
    ROOT_SCOPE,
    ChangeAction,
    ChangeEvent,
    CommitInfo,
    DatabaseInfo,
    DocKey,
    DocRef,
    Document,
    DocVersion,
    DuplicateDatabaseError,
    EventCursor,
    IndexEntry,
    IndexHit,
    IndexPosition,
    ReadOnlyTransactionError,
    Storage,
    StorageClosedError,
    StorageError,
    Transaction,
    TransactionStateError,
    UnknownDatabaseError,
    iter_pages,
)
from faunalite.storage.keys import sort_key, tuple_key
from faunalite.storage.notify import async_commit_queue
from faunalite.storage.sqlite import SQLiteStorage

__all__ = [
    "MAX_ORDINAL",
    "MAX_TS",
    "ROOT_SCOPE",
    "ChangeAction",
    "ChangeEvent",
    "CommitInfo",
    "CorruptDataError",
    "DatabaseInfo",
    "DocKey",
    "DocRef",
    "DocVersion",
    "Document",
    "DuplicateDatabaseError",
    "EventCursor",
    "IndexEntry",
    "IndexHit",
    "IndexPosition",
    "ReadOnlyTransactionError",
    "SQLiteStorage",
    "Storage",
    "StorageClosedError",
    "StorageError",
    "Transaction",
    "TransactionStateError",
    "UnknownDatabaseError",
    "UnstorableValueError",
    "async_commit_queue",
    "decode_value",
    "encode_value",
    "iter_pages",
    "sort_key",
    "tuple_key",
]

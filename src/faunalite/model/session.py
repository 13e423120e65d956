"""One query's view of one database: the ``StorageHooks`` the interpreter calls.

A ``QuerySession`` wraps the storage transaction a query runs in, the database scope the
principal reaches and the principal's role. It answers the interpreter's questions (which
globals are collections or functions, what a collection module offers, whether a document
reference points at nothing, ``isa`` for storage modules, ``at (ts)`` reads) and gives the rest
of the data model its primitives: reading a document version, the schema as it was when the
query started, and the bookkeeping of what the query changed.

It holds no FQL semantics of writes: those live in ``writes`` and ``schema``. Everything a
session reads or writes goes through its one ``Transaction``, so a failed query leaves no trace.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faunalite.fql.errors import Hint, QueryError
from faunalite.fql.values import INT64_MIN, TRANSACTION_TIME, Time, Value
from faunalite.model.access import (
    ADMIN_COLLECTIONS,
    PREDICATE_ROLE,
    UserRole,
    can_read,
    can_write,
    identity_of_role,
    principal_role,
    rights_of,
    sees_unreadable_as_empty,
    user_role_name,
)
from faunalite.storage.codec import encode_value
from faunalite.storage.interface import DatabaseInfo, DocKey, Document, Transaction

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext, QueryStats
    from faunalite.fql.stdlib.registry import TypeTable
    from faunalite.model.documents import DocValue

COLLECTION = "Collection"
FUNCTION = "Function"
DATABASE = "Database"
KEY = "Key"
ROLE = "Role"
CREDENTIAL = "Credential"
TOKEN = "Token"
ACCESS_PROVIDER = "AccessProvider"

NAMED_COLLECTIONS = (COLLECTION, FUNCTION, DATABASE, ROLE, ACCESS_PROVIDER)
"""Native collections whose documents are identified by ``name``."""
ID_NATIVE_COLLECTIONS = (KEY, CREDENTIAL, TOKEN)
"""Native collections whose documents are identified by ``id``."""
NATIVE_COLLECTIONS = (*NAMED_COLLECTIONS, *ID_NATIVE_COLLECTIONS)

HIDDEN_PREFIX = "#"
"""Stored fields and storage collections starting with this are faunalite bookkeeping, never
shown: FQL identifiers cannot start with ``#``, so they cannot clash with user names."""


def is_user_collection(collection: str) -> bool:
    return collection not in NATIVE_COLLECTIONS and not collection.startswith(HIDDEN_PREFIX)


SCHEMA_META = "#schema"
"""Storage collection holding one document, ``version``: the ts of the last schema change."""


BYTES_PER_READ_OP = 4096
"""FaunaDB bills one read op per started 4 KiB read from storage (``QueryMetrics``)..."""
BYTES_PER_WRITE_OP = 1024
"""...and one write op per started 1 KiB written."""


def permission_denied() -> QueryError:
    return QueryError("permission_denied", "Insufficient privileges to perform the action.")


@dataclass(slots=True)
class QueryChanges:
    """What the query has written so far, for the same-query rules and the reply."""

    schema_changed: bool = False
    collections_redefined: set[str] = field(default_factory=set)
    """Names (old and new) of user collections created, updated or deleted."""
    collections_with_doc_writes: set[str] = field(default_factory=set)
    """User collections one of whose documents was written."""


class QuerySession:
    """The data model's hooks for one query (implements ``StorageHooks``).

    ``txn`` is the query's write transaction; ``database`` the database the principal
    reaches; ``role`` its built-in role (``admin``, ``server``, ``server-readonly``,
    ``client``), a user-defined role (``@role/<name>``: the ``Role`` document's privileges as
    of the query's start, none if there is no such role), a document identity
    (``@doc/<Collection>/<id>``: the roles whose ``membership`` takes that document, found on
    first use, ``faunalite.model.identity``), a JWT's ``@provider/<name>`` (whose ``user_role``
    ``DataModel.query_session`` sets from the provider's roles) or another role string, treated
    as ``client``. ``token`` is the id of the ``Token`` the request authenticated with, if any.
    ``new_id`` issues document ids (the store's snowflakes); ``stats`` are the query's counters,
    if any.
    """

    def __init__(
        self,
        txn: Transaction,
        database: DatabaseInfo,
        role: str,
        new_id: Callable[[], int],
        stats: QueryStats | None = None,
        *,
        token: int | None = None,
    ) -> None:
        self.txn = txn
        self.new_id = new_id
        self.stats = stats
        self.database = database
        self.scope = database.scope
        self.identity = identity_of_role(role)
        """The document the request acts as (``Query.identity()``): collection and id."""
        self.token = token
        self.role = role
        self.rights = rights_of(role)
        self._membership_pending = False
        self._user_role = self._load_user_role(role)
        self.txn_ts = txn.txn_ts
        self.start_ts = txn.snapshot_ts
        self.changes = QueryChanges()
        self._read_ts: list[int | None] = []
        self._charged_reads: set[tuple[str, DocKey, int | None]] = set()
        self._global_cache: dict[str, Value | None] = {}
        self._table_cache: dict[str, TypeTable | None] = {}
        self.cache: dict[str, Any] = {}
        """Per-query memo of derived lookups (schema as of the query's start...)."""
        self.query_context: QueryContext | None = None
        """The running query's context, for FQL stored in definitions (check constraints,
        computed fields) that storage hooks evaluate without a ``ctx`` of their own."""
        self.rollback_requested = False
        self.snapshot_reads = False
        """Set for an event source's session: it reads each event's documents at the
        event's instant, as FaunaDB evaluates an event at its transaction's time, so those
        reads (and what they lead to) are plain ``read``s of a role, not ``history_read``s."""

    def rollback(self) -> None:
        """Discard the query's writes when its session ends (the query failed)."""
        self.rollback_requested = True

    # -- time --------------------------------------------------------------------------------

    @property
    def read_ts(self) -> int | None:
        """The instant reads see now: ``None`` for the query's own view (own writes included),
        a microsecond ts inside ``at (ts) { ... }``."""
        return self._read_ts[-1] if self._read_ts else None

    @contextmanager
    def reading_at(self, ts: Value) -> Iterator[None]:
        # Reads inside check the collection's retention themselves (``model.retention``):
        # FaunaDB refuses a read below the MVT, not an ``at`` that reads nothing.
        if ts is TRANSACTION_TIME or not isinstance(ts, Time):
            self._read_ts.append(None)
        else:
            # Storage holds 64-bit timestamps; before the earliest of them nothing existed,
            # so reading at Time('-999999999-01-01T00:00:00Z') reads at that earliest one.
            micros = max(ts.epoch_ns // 1000, INT64_MIN)
            self._read_ts.append(None if micros >= self.txn_ts else micros)
        try:
            yield
        finally:
            self._read_ts.pop()

    def transaction_time(self) -> Time:
        return Time(self.txn_ts * 1000)

    # -- raw reads ---------------------------------------------------------------------------

    def get(self, collection: str, key: DocKey, at_ts: int | None = None) -> Document | None:
        """A live document version (``at_ts`` ``None``: the query's current view)."""
        return self.txn.get(self.scope, collection, key, at_ts=at_ts)

    def get_at_start(self, collection: str, key: DocKey) -> Document | None:
        """A document as it was when the query started (committed state only)."""
        if self.start_ts <= 0:
            return None
        return self.txn.get(self.scope, collection, key, at_ts=self.start_ts)

    def was_deleted(self, collection: str, key: DocKey) -> bool:
        """Whether the document once existed and its latest version is a deletion."""
        versions = self.txn.history(self.scope, collection, key, limit=1)
        return bool(versions) and versions[0].deleted

    # -- billing -----------------------------------------------------------------------------

    def charge_read(self, document: Document, at_ts: int | None = None) -> None:
        """Bill reading ``document`` (as of ``at_ts``) for the response ``stats``.

        A version is billed once per query, however often its fields are used: FaunaDB keeps
        what a query read in a per-query cache. Its stored blob's size counts towards
        ``storage_bytes_read``; each started 4 KiB is one read op. Schema lookups the engine
        does on its own behalf (definitions, the schema version) are not billed.
        """
        if self.stats is None or document.ts >= self.txn_ts:
            # A version this query wrote comes from the transaction's own write buffer, not
            # from storage, so FaunaDB bills no read for it (e.g. rendering a created doc).
            return
        seen = (document.collection, document.key, at_ts)
        if seen in self._charged_reads:
            return
        self._charged_reads.add(seen)
        size = len(encode_value(document.data))
        self.stats.storage_bytes_read += size
        self.stats.read_ops += max(1, math.ceil(size / BYTES_PER_READ_OP))

    def charge_page_read(self) -> None:
        """Bill one read op for a page of a collection scan or of index entries (the page itself,
        not the documents on it)."""
        if self.stats is not None:
            self.stats.read_ops += 1

    def charge_write(self, data: Any) -> None:
        """Bill writing one document version (``data`` ``None``: a deletion's tombstone)."""
        if self.stats is None:
            return
        size = 0 if data is None else len(encode_value(data))
        self.stats.storage_bytes_write += size
        self.stats.write_ops += max(1, math.ceil(size / BYTES_PER_WRITE_OP))

    # -- access control ---------------------------------------------------------------------

    @property
    def user_role(self) -> UserRole | None:
        """The user-defined privileges the session acts with, ``None`` for a built-in role.
        A document identity's roles come from memberships, whose predicates are FQL: they
        are evaluated here, on first use, when the query's context exists."""
        if self._membership_pending:
            self._membership_pending = False
            from faunalite.model.identity import membership_role

            identity = identity_of_role(self.role)
            assert identity is not None
            with self.acting_as(PREDICATE_ROLE):
                found = membership_role(self, identity)
            self._user_role = found
        return self._user_role

    @user_role.setter
    def user_role(self, privileges: UserRole | None) -> None:
        """Grant privileges found outside the session (a JWT's access-provider roles)."""
        self._membership_pending = False
        self._user_role = privileges

    def _load_user_role(self, role: str) -> UserRole | None:
        if identity_of_role(role) is not None:
            self._membership_pending = True
            return UserRole(role, {})
        name = user_role_name(role)
        if name is None:
            return None
        found = self.txn.get(self.scope, ROLE, name)
        return UserRole.from_stored(name, found.data if found is not None else None)

    @contextmanager
    def acting_as(self, role: str) -> Iterator[None]:
        """Run a block with another role's rights (a function's ``role``, a predicate's
        read-only rights); ``role`` is a principal's role string (``principal_role``)."""
        saved = (self.role, self.rights, self._user_role, self._membership_pending)
        self._membership_pending = False
        self.role, self.rights = role, rights_of(role)
        self._user_role = self._load_user_role(role)
        try:
            yield
        finally:
            self.role, self.rights, self._user_role, self._membership_pending = saved

    def act_as_function_role(self, stored_role: str) -> AbstractContextManager[None]:
        """``acting_as`` for a function's stored ``role`` (``server``, ``MyRole``)."""
        return self.acting_as(principal_role(stored_role))

    def require_admin(self) -> None:
        """Databases and keys are managed by admin principals only."""
        if not self.rights.admin:
            raise permission_denied()

    def require_read(self, collection: str | None = None) -> None:
        """The role may read ``collection``'s documents (``None``: any readable ones)."""
        if self.user_role is not None:
            if collection is None or not self.may_read(collection):
                raise permission_denied()
        elif not can_read(self.role, collection):
            raise permission_denied()

    def require_write(self, collection: str | None = None) -> None:
        """The role may write ``collection``'s documents (``None``: any writable ones).

        A user-defined role's writes are checked one by one, with the document written, as
        they happen (``faunalite.model.roles``); here it only passes the first gate."""
        if self.user_role is not None:
            if collection in ADMIN_COLLECTIONS:
                raise permission_denied()
        elif not can_write(self.role, collection):
            raise permission_denied()

    def may_read(self, collection: str) -> bool:
        """Whether the role reads ``collection``'s documents at all; an unreadable one is a
        null with the cause ``permission denied``, as in FaunaDB. A user-defined role that
        holds ``read`` may still refuse a document (``may_read_document``)."""
        if collection in ADMIN_COLLECTIONS:
            return self.rights.admin
        if self.user_role is not None:
            return self.user_role.holds(collection, "read")
        return self.rights.read

    def may_read_document(self, doc: DocValue) -> bool:
        """Whether the role reads this document (a user role's ``read`` policies, or its
        ``history_read`` ones for a document read at a past instant)."""
        if self.user_role is None:
            return self.may_read(doc.collection)
        from faunalite.model.roles import may_read_document

        return may_read_document(self, self.user_role, doc)

    def may_call(self, function: str, arguments: list[Value]) -> bool:
        """Whether the role calls the user-defined function ``function`` with ``arguments``."""
        if self.user_role is None:
            return self.rights.call
        from faunalite.model.roles import role_allows

        return role_allows(self, self.user_role, function, "call", arguments)

    def set_is_readable(self, collection: str) -> bool:
        """For a Set over ``collection``'s documents: ``permission_denied`` when the role reads
        no documents at all, ``False`` when it skips every one of them (``server`` on
        ``Key``), ``True`` when it reads them (see ``faunalite.model.access``); a user role's
        sets then skip each document it may not read (``may_read_document``)."""
        if self.user_role is not None:
            if self.may_read(collection):
                return True
            raise permission_denied()
        if can_read(self.role, collection):
            return True
        if sees_unreadable_as_empty(self.role):
            return False
        raise permission_denied()

    # -- StorageHooks --------------------------------------------------------------------------

    def resolve_global(self, name: str) -> Value | None:
        if name not in self._global_cache:
            self._global_cache[name] = _resolve_global(self, name)
        return self._global_cache[name]

    def knows_global(self, name: str) -> bool:
        """Whether ``name`` is one of the database's collections, UDFs or aliases (as the
        typechecker's global environment sees them: a role that may not read it still
        sees the name, so a lookup the role is refused counts as known)."""
        try:
            return self.resolve_global(name) is not None
        except QueryError:
            return True

    def user_collection_table(self, name: str) -> TypeTable | None:
        """The table of the user collection named ``name`` (not an alias, not a native
        collection) as of the query's start, for the typechecker."""
        from faunalite.model.collections import user_collection_name

        if user_collection_name(self, name) != name:
            return None
        try:
            return self.module_table(name)
        except QueryError:
            return None

    def module_table(self, name: str) -> TypeTable | None:
        if name not in self._table_cache:
            self._table_cache[name] = _module_table(self, name)
        return self._table_cache[name]

    def missing_document_error(self, value: Value) -> QueryError | None:
        from faunalite.model.documents import DocValue

        if isinstance(value, DocValue):
            return value.missing_error()
        return None

    def is_member(self, value: Value, module_name: str) -> bool | None:
        from faunalite.model.documents import is_member

        return is_member(self, value, module_name)


# The lookups behind the hooks live with the collections and functions they find; they are
# installed here by ``faunalite.model`` at import so this module stays free of them.
GlobalResolver = Callable[[QuerySession, str], "Value | None"]
TableResolver = Callable[[QuerySession, str], "TypeTable | None"]
_GLOBAL_RESOLVERS: list[GlobalResolver] = []
_TABLE_RESOLVERS: list[TableResolver] = []


def add_global_resolver(resolver: GlobalResolver) -> None:
    """Add a lookup for global names not in the stdlib (collections, UDFs)."""
    _GLOBAL_RESOLVERS.append(resolver)


def add_table_resolver(resolver: TableResolver) -> None:
    """Add a lookup for the static member table of a non-stdlib module."""
    _TABLE_RESOLVERS.append(resolver)


def _resolve_global(session: QuerySession, name: str) -> Value | None:
    for resolver in _GLOBAL_RESOLVERS:
        found = resolver(session, name)
        if found is not None:
            return found
    return None


def _module_table(session: QuerySession, name: str) -> TypeTable | None:
    for resolver in _TABLE_RESOLVERS:
        found = resolver(session, name)
        if found is not None:
            return found
    return None


def created_in_this_query_hints(
    ctx: Any, session: QuerySession, collection: str, name: str
) -> list[Hint]:
    """FaunaDB's hint when ``Collection("X")``/``Function("X")`` names a definition that does
    not exist as of the query's start but was created by the query itself."""
    if session.get(collection, name) is None:
        return []
    thing = "collection" if collection == COLLECTION else "function"
    message = f"A {thing} cannot be created and used in the same query."
    return [Hint("hint", message, getattr(ctx, "current_span", None))]


def session_of(ctx: Any) -> QuerySession:
    """The session of the running query, from a native method's ``ctx`` (a ``QueryContext``).

    Without one (storage-free evaluation) every storage operation fails as on an empty
    database with no rights.
    """
    storage = getattr(ctx, "storage", None)
    if not isinstance(storage, QuerySession):
        raise permission_denied()
    return storage

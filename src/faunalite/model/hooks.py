"""The data model's face to the engine: one store, one transaction per query, key secrets.

``DataModel`` owns the storage of one faunalite server. The engine asks it:

* ``query_session(database, role, stats)``: a context manager that opens the query's
  transaction (a writer, or a snapshot reader) in the principal's database and yields the ``QuerySession`` to put in the
  ``QueryContext`` (``context.storage``). Leaving the block commits; ``session.rollback()``
  before leaving (or an exception) discards every write, so a failed query leaves no trace.
  A write query that commits also prunes its database's expired history, at most once per
  ``history_gc_interval_s`` (``faunalite.model.retention``).
* ``database_exists(path)``, ``principal_for_key(secret)``, ``principal_for_token(secret)``
  and ``access_provider_for(global_id, issuer)`` (for JWTs) for authentication;
* ``resolver(session)`` to decode ``@mod``/``@doc``/``@ref`` arguments in that database.

Importing this module registers every document, collection, function, database and key
member with the interpreter and the wire encoder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from faunalite.model import (  # noqa: F401  (imported to register their members)
    access_providers,
    collections,
    constraints,
    databases,
    doc_methods,
    encoding,
    functions,
    identity,
    indexes,
    migrations,
    roles,
    typed_writes,
)
from faunalite.model.access import user_role_name
from faunalite.model.access_providers import (
    ProviderRecord,
    find_access_provider,
    jwt_user_role,
    provider_name,
)
from faunalite.model.databases import authenticate_key
from faunalite.model.encoding import SessionResolver
from faunalite.model.identity import authenticate_token, identity_is_live
from faunalite.model.retention import prune_expired_history
from faunalite.model.schema import schema_version
from faunalite.model.session import ROLE, QuerySession
from faunalite.storage import SQLiteStorage, Storage
from faunalite.storage.interface import DatabaseInfo, Transaction

if TYPE_CHECKING:
    from faunalite.fql.context import QueryStats


class _RollBack(Exception):
    """Raised inside the transaction block to discard the query's writes."""


class UnknownDatabase(Exception):
    """The principal's database no longer exists (the request is then unauthorized)."""


def _role_exists(txn: Transaction, info: DatabaseInfo, role: str, token: int | None) -> bool:
    """A user-defined role must still exist when a query starts: a secret naming a deleted
    ``Role`` grants nothing from then on (401); likewise a document identity whose document
    (or token) is gone."""
    name = user_role_name(role)
    if name is not None:
        return txn.get(info.scope, ROLE, name) is not None
    return identity_is_live(txn, info.scope, role, token, txn.txn_ts)


def open_session(
    txn: Transaction,
    info: DatabaseInfo,
    role: str,
    new_id: Callable[[], int],
    stats: QueryStats | None = None,
    *,
    token: int | None = None,
    claims: Mapping[str, Any] | None = None,
) -> QuerySession | None:
    """A session in ``txn`` for a principal that still holds what its secret named (its
    ``Role``, identity document, token or JWT's provider roles), ``None`` when it no longer
    does. Queries (``DataModel.query_session``) and event sources
    (``faunalite.events.translate``) both open their sessions here."""
    if not _role_exists(txn, info, role, token):
        return None
    session = QuerySession(txn, info, role, new_id, stats, token=token)
    provider = provider_name(role)
    if provider is not None:
        session.user_role = jwt_user_role(session, provider, claims or {})
        if session.user_role is None:
            return None
    return session


class DataModel:
    """The storage of one server and the sessions queries run in."""

    def __init__(
        self, storage: Storage | None = None, *, history_gc_interval_s: float = 60.0
    ) -> None:
        """``history_gc_interval_s``: how often, at most, a write query in a database also
        prunes that database's history older than each collection's retention (0: every
        write query)."""
        self.storage: Storage = storage or SQLiteStorage()
        self.history_gc_interval_s = history_gc_interval_s
        self._last_history_gc: dict[int, float] = {}

    def _collect_history_if_due(self, session: QuerySession) -> None:
        """Prune the session's database (``model.retention``) inside the query's write
        transaction, just before it commits, when the last pruning there is older than
        ``history_gc_interval_s``."""
        now = time.monotonic()
        last = self._last_history_gc.get(session.scope)
        if last is not None and now - last < self.history_gc_interval_s:
            return
        self._last_history_gc[session.scope] = now
        prune_expired_history(session)

    def close(self) -> None:
        self.storage.close()

    @contextmanager
    def query_session(
        self,
        database: tuple[str, ...],
        role: str,
        stats: QueryStats | None = None,
        *,
        write: bool = True,
        token: int | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> Iterator[QuerySession]:
        """The session of one query (see the module docstring). Raises ``UnknownDatabase``.
        ``write=False`` opens a snapshot reader: any write raises
        ``ReadOnlyTransactionError``, and the query must then run again as a writer.
        ``token``: the id of the ``Token`` the request authenticated with, if any.
        ``claims``: the payload of the verified JWT a ``@provider/...`` role runs with; the
        provider's roles that apply to it become the session's privileges (none: unknown)."""
        try:
            with self.storage.transaction(write=write) as txn:
                info = txn.find_database(database)
                session = None
                if info is not None:
                    session = open_session(
                        txn, info, role, self.storage.new_id, stats, token=token, claims=claims
                    )
                if session is None:
                    raise UnknownDatabase("/".join(database))
                yield session
                if session.rollback_requested:
                    raise _RollBack
                if write:
                    self._collect_history_if_due(session)
        except _RollBack:
            pass

    def access_provider_for(self, global_id: str, issuer: str) -> ProviderRecord | None:
        """The access provider a JWT's audience (a database's global id) and issuer name."""
        with self.storage.transaction() as txn:
            return find_access_provider(txn, global_id, issuer)

    def database_exists(self, path: tuple[str, ...]) -> bool:
        if not path:
            # The root database always exists: no transaction (the server asks this before
            # every query, and the query's own session finds the database again anyway).
            return True
        with self.storage.transaction() as txn:
            return txn.find_database(path) is not None

    def principal_for_key(self, secret: str) -> tuple[tuple[str, ...], str] | None:
        """The database path and role a live key's secret grants (a key past its ``ttl``, or
        deleted, grants nothing); scopes on the secret are ``faunalite.server.auth``'s job."""
        with self.storage.transaction() as txn:
            return authenticate_key(txn, secret, time.time_ns())

    def principal_for_token(self, secret: str) -> tuple[tuple[str, ...], str, int] | None:
        """The database path, ``@doc/<Coll>/<id>`` role and token id a live token's secret
        grants (a token past its ``ttl``, or deleted, grants nothing)."""
        with self.storage.transaction() as txn:
            return authenticate_token(txn, secret, time.time_ns())

    @staticmethod
    def resolver(session: QuerySession) -> SessionResolver:
        return SessionResolver(session)

    @staticmethod
    def schema_version(session: QuerySession) -> int:
        """What the reply reports: the current version, or the starting one after a rollback."""
        return schema_version(session, at_start=session.rollback_requested)

"""History retention: how far back a collection's documents can be read, replayed or kept.

FaunaDB gives every collection a *minimum valid time* (MVT): its transaction's snapshot time
less ``history_days``, less a fixed 15-minute offset that keeps set cursors and short replays
stable when ``history_days`` is 0 (``Collection.MVTOffset``, ``deriveMinValidTime``), and never
before the Unix epoch. A collection with no ``history_days`` at all keeps everything.

* ``min_valid_ts(snapshot_ts, history_days)``: that rule, in microseconds.
* ``stored_min_valid_ts(txn, scope, collection)`` / ``collection_min_valid_ts(session, …)``:
  the MVT of a user collection (memoised per query for a session); native collections keep
  all their history here.
* ``too_far_in_the_past(start_ts)``: the message of FaunaDB's ``invalid_stream_start_time``
  error event, for a stream or feed starting (or resuming) below its collection's MVT.
* ``check_read_at(session, collection, at_ts)``: an ``at (ts)`` read below the MVT fails as
  FaunaDB's does (``invalid_request``, HTTP 400, ``Requested timestamp … less than minimum
  allowed timestamp …``).
* ``prune_expired_history(session)``: forget the versions no read at or after the MVT can see,
  in every user collection of the session's database (called by the data model, at most once a
  minute per database, inside a write transaction).

Not here: FaunaDB's MVT *floor* (the MVT never moves back when ``history_days`` grows, so
pruned versions cannot reappear). faunalite deletes what it prunes, so they cannot reappear
either; versions not yet pruned when ``history_days`` grows become readable again.
"""

from __future__ import annotations

from faunalite.fql.errors import RequestLevelError
from faunalite.fql.timefmt import format_time
from faunalite.model.session import COLLECTION, QuerySession, is_user_collection
from faunalite.storage.interface import Transaction

MVT_OFFSET_US = 15 * 60 * 1_000_000
"""FaunaDB's ``Collection.MVTOffset``: 15 minutes of history every collection keeps."""
DAY_US = 86_400 * 1_000_000

_MVT_CACHE_KEY = "retention.min_valid_ts"


def min_valid_ts(snapshot_ts: int, history_days: int | None) -> int:
    """The oldest instant (µs) a transaction at ``snapshot_ts`` may read a collection at."""
    if history_days is None:
        return 0
    return max(snapshot_ts - history_days * DAY_US - MVT_OFFSET_US, 0)


def stored_history_days(definition: object) -> int | None:
    """``history_days`` of a stored collection definition (``None``: keep all history)."""
    if not isinstance(definition, dict) or "history_days" not in definition:
        return None
    days = definition["history_days"]
    if isinstance(days, bool) or not isinstance(days, int | float):
        return None
    return int(days)


def stored_min_valid_ts(txn: Transaction, scope: int, collection: str) -> int:
    """The MVT of ``collection`` in database ``scope`` for a transaction at ``txn.txn_ts``
    (its snapshot, for a reader): 0 for native collections and unknown names."""
    if not is_user_collection(collection):
        return 0
    definition = txn.get(scope, COLLECTION, collection)
    if definition is None:
        return 0
    return min_valid_ts(txn.txn_ts, stored_history_days(definition.data))


def collection_min_valid_ts(session: QuerySession, collection: str) -> int:
    """``stored_min_valid_ts`` in the session's database, memoised for the query."""
    cache: dict[str, int] = session.cache.setdefault(_MVT_CACHE_KEY, {})
    if collection not in cache:
        cache[collection] = stored_min_valid_ts(session.txn, session.scope, collection)
    return cache[collection]


def below_mvt_message(at_ts: int, mvt: int) -> str:
    return (
        f"Requested timestamp {format_time(at_ts * 1000)} less than minimum allowed"
        f" timestamp {format_time(mvt * 1000)}."
    )


def too_far_in_the_past(start_ts: int) -> str:
    return (
        f"Stream start time {format_time(start_ts * 1000)} is too far in the past."
        " Recreate the stream and try again."
    )


def check_read_at(session: QuerySession, collection: str, at_ts: int | None) -> None:
    """Refuse a read of ``collection`` as of ``at_ts`` (``None``: now) older than its MVT."""
    if at_ts is None:
        return
    mvt = collection_min_valid_ts(session, collection)
    if at_ts < mvt:
        raise RequestLevelError("invalid_request", below_mvt_message(at_ts, mvt))


def prune_expired_history(session: QuerySession) -> int:
    """Forget, in each user collection of the session's database, the versions, index entries
    and events that ended at or before its MVT. Returns the number of versions removed.

    The version live at the MVT is kept (it is what a read at the MVT sees), and so is every
    current version. A running query reads at its own snapshot, which is never more than its
    timeout behind now, far inside the 15 minutes every collection keeps."""
    removed = 0
    for definition in session.txn.scan(session.scope, COLLECTION):
        name = definition.key
        if not isinstance(name, str) or not is_user_collection(name):
            continue
        mvt = min_valid_ts(session.txn_ts, stored_history_days(definition.data))
        if mvt > 0:
            removed += session.txn.prune_history(session.scope, name, mvt)
    return removed

"""Unit tests of document reads: expiry by ``ttl``, ``ttl_days`` defaults, deleted collections."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.fql.context import QueryContext
from faunalite.fql.values import Time
from faunalite.model.documents import UserDoc, is_expired
from faunalite.model.hooks import DataModel
from faunalite.model.session import COLLECTION, QuerySession
from faunalite.model.writes import NANOS_PER_DAY, create_user_document, default_ttl
from faunalite.storage import Document


@pytest.fixture
def session() -> Iterator[QuerySession]:
    model = DataModel()
    with model.query_session((), "admin") as running:
        running.txn.put(running.scope, COLLECTION, "Dogs", {"ttl_days": 3})
        running.txn.put(running.scope, COLLECTION, "Cats", {})
        yield running
    model.close()


def _document(session: QuerySession, data: dict[str, object]) -> Document:
    return session.txn.put(session.scope, "Dogs", 1, data)


def test_expiry_compares_ttl_with_the_read_instant(session: QuerySession) -> None:
    now_ns = session.txn_ts * 1000
    assert not is_expired(session, _document(session, {"data": {}}), None)
    assert is_expired(session, _document(session, {"ttl": Time(now_ns)}), None)
    alive = _document(session, {"ttl": Time(now_ns + 1000)})
    assert not is_expired(session, alive, None)
    # Read in the past (`at`), a document that has expired since was still alive.
    expired = _document(session, {"ttl": Time(now_ns - 1000)})
    assert is_expired(session, expired, None)
    assert not is_expired(session, expired, session.txn_ts - 2)


def test_default_ttl_is_creation_time_plus_ttl_days(session: QuerySession) -> None:
    assert default_ttl(session, "Dogs") == Time(session.txn_ts * 1000 + 3 * NANOS_PER_DAY)
    assert default_ttl(session, "Cats") is None
    assert default_ttl(session, "Nope") is None


def test_create_applies_ttl_days_unless_a_ttl_is_given(session: QuerySession) -> None:
    ctx = QueryContext(snapshot_time=session.transaction_time(), storage=session)
    made = create_user_document(ctx, session, "Dogs", {}, plain=False)
    assert made.fql_get_field("ttl") == default_ttl(session, "Dogs")
    given = Time(session.txn_ts * 1000 + 5)
    explicit = create_user_document(ctx, session, "Dogs", {"ttl": given}, plain=False)
    assert explicit.fql_get_field("ttl") == given
    plain = create_user_document(ctx, session, "Cats", {}, plain=False)
    assert plain.fql_get_field("ttl") is None


def test_documents_of_a_deleted_collection(session: QuerySession) -> None:
    orphan = UserDoc(session, "Gone", 7)
    assert orphan.cause() == "collection deleted"
    error = orphan.missing_error()
    assert error is not None
    assert error.message == "Document with id 7 does not exist because the collection was deleted."
    missing = UserDoc(session, "Cats", 7)
    assert missing.cause() == "not found"
    assert missing.not_found_message() == "Collection `Cats` does not contain document with id 7."

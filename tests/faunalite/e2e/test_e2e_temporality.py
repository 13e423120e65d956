"""Time through the driver: ``at (ts)`` reads, retention, ``ttl``/``ttl_days`` and ``txn_ts``.

Retention: a read older than the collection's history (``history_days`` plus 15 minutes) fails
as in FaunaDB; ``test_e2e_history_retention`` moves the clock to test the window itself.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import InvalidRequestError, QueryRuntimeError


def iso_time(txn_ts: int) -> str:
    """A ``txn_ts`` (microseconds since the epoch) as the ISO string FQL's ``Time()`` takes."""
    seconds, micros = divmod(txn_ts, 1_000_000)
    instant = datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=micros)
    return instant.isoformat().replace("+00:00", "Z")


@pytest.fixture
def dogs(db: Client) -> Client:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    return db


def test_at_reads_the_version_of_the_first_transaction(dogs: Client) -> None:
    created = dogs.query(fql('Dogs.create({ id: "1", name: "Scout" })'))
    first = iso_time(created.txn_ts)
    dogs.query(fql('Dogs("1")!.update({ name: "Rex" })'))
    dogs.query(fql('Dogs.create({ id: "2", name: "Later" })'))

    assert dogs.query(fql('at (Time(${t})) { Dogs.byId("1")!.name }', t=first)).data == "Scout"
    assert dogs.query(fql('Dogs.byId("1")!.name')).data == "Rex"
    # The document obtained inside `at` keeps its read time when used outside.
    assert dogs.query(fql('(at (Time(${t})) { Dogs.byId("1") }).name', t=first)).data == "Scout"
    # So do sets, and the documents they yield.
    names = dogs.query(fql("(at (Time(${t})) { Dogs.all() }).map(.name).toArray()", t=first))
    assert names.data == ["Scout"]
    # Before its creation the document does not exist.
    before = iso_time(created.txn_ts - 1)
    assert dogs.query(fql('at (Time(${t})) { Dogs.byId("1").exists() }', t=before)).data is False


def test_at_a_time_before_the_retained_history_is_refused(dogs: Client) -> None:
    # FaunaDB's "returns a 400 when reading before MVT" (history_days 0).
    dogs.query(fql('Dogs.create({ id: "1", name: "Scout" })'))
    for query in (
        'at (Time("2000-01-01T00:00:00.000Z")) { Dogs.byId("1")!.name }',
        'at (Time("2000-01-01T00:00:00.000Z")) { Dogs.all().count() }',
    ):
        with pytest.raises(InvalidRequestError) as raised:
            dogs.query(fql(query))
        assert raised.value.status_code == 400
        assert raised.value.code == "invalid_request"
        assert raised.value.message.startswith(
            "Requested timestamp 2000-01-01T00:00:00Z less than minimum allowed timestamp "
        )


def test_at_a_deleted_document_still_reads_its_past(dogs: Client) -> None:
    created = dogs.query(fql('Dogs.create({ id: "1", name: "Scout" })'))
    dogs.query(fql('Dogs("1")!.delete()'))
    assert dogs.query(fql('Dogs.byId("1").exists()')).data is False
    past = iso_time(created.txn_ts)
    assert dogs.query(fql('at (Time(${t})) { Dogs.byId("1")!.name }', t=past)).data == "Scout"


def test_history_is_kept_beyond_history_days_zero(dogs: Client) -> None:
    # history_days is 0 (FaunaDB's default); faunalite keeps the old versions anyway.
    assert dogs.query(fql("Dogs.definition.history_days")).data == 0
    created = dogs.query(fql('Dogs.create({ id: "1", n: 0 })'))
    for n in range(1, 4):
        dogs.query(fql('Dogs("1")!.update({ n: ${n} })', n=n))
    query = 'at (Time(${t})) { Dogs.byId("1")!.n }'
    assert dogs.query(fql(query, t=iso_time(created.txn_ts))).data == 0


def test_at_rejects_future_times_and_non_times(dogs: Client) -> None:
    with pytest.raises(QueryRuntimeError) as caught:
        dogs.query(fql("at (Time.now().add(1, 'day')) { 1 }"))
    assert caught.value.code == "invalid_argument"
    assert caught.value.message == (
        "invalid argument `at_time`: cannot evaluate `at` in the future"
    )
    with pytest.raises(QueryRuntimeError) as caught:
        dogs.query(fql("at (1) { 1 }"))
    assert caught.value.code == "type_mismatch"
    assert caught.value.message == "expected type: Time, received Int"
    # `at (TransactionTime())` is "now": writes are allowed.
    assert dogs.query(fql('at (TransactionTime()) { Dogs.create({ id: "3" }).id }')).data == "3"


def test_ttl_days_gives_documents_a_default_ttl(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Sessions", ttl_days: 2 })'))
    success = db.query(fql('Sessions.create({ id: "1" })'))
    expected_ns = success.txn_ts * 1000 + 2 * 86_400 * 1_000_000_000
    ttl = db.query(fql('Sessions.byId("1")!.ttl')).data
    assert int(ttl.timestamp()) * 1_000_000_000 + ttl.microsecond * 1000 == expected_ns
    assert db.query(fql('Sessions.byId("1")!.ttl == Sessions.byId("1")!.ts.add(2, "days")')).data
    # An explicit ttl wins over the default.
    explicit = db.query(
        fql('Sessions.create({ id: "2", ttl: Time("2999-01-01T00:00:00Z") }).ttl')
    ).data
    assert explicit.year == 2999
    # Collections without ttl_days give no ttl.
    db.query(fql('Collection.create({ name: "Plain" })'))
    assert db.query(fql('Plain.create({ id: "1" }).ttl')).data is None


def test_documents_past_their_ttl_read_as_missing(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Sessions" })'))
    created = db.query(
        fql('Sessions.create({ id: "1", ttl: Time.now().add(300, "milliseconds") })')
    )
    db.query(fql('Sessions.create({ id: "2" })'))
    assert db.query(fql('Sessions.byId("1").exists()')).data is True
    time.sleep(0.4)
    assert db.query(fql('Sessions.byId("1").exists()')).data is False
    assert db.query(fql('Sessions.byId("1") == null')).data is True
    assert db.query(fql("Sessions.all().map(.id).toArray()")).data == ["2"]
    with pytest.raises(QueryRuntimeError) as caught:
        db.query(fql('Sessions.byId("1")!'))
    assert caught.value.code == "document_not_found"
    # Before it expired, it was there.
    query = 'at (Time(${t})) { Sessions.byId("1").exists() }'
    assert db.query(fql(query, t=iso_time(created.txn_ts))).data is True


def test_txn_ts_is_monotonic_across_queries(dogs: Client) -> None:
    stamps: list[int] = []
    for n in range(10):
        stamps.append(dogs.query(fql("Dogs.create({ n: ${n} })", n=n)).txn_ts)
        stamps.append(dogs.query(fql("Dogs.all().count()")).txn_ts)
    assert stamps == sorted(stamps)
    writes = stamps[::2]
    assert len(set(writes)) == len(writes)
    # A document's ts is the txn_ts of the query that wrote it.
    last = dogs.query(fql("Dogs.create({})"))
    assert last.txn_ts > stamps[-1]
    ts = dogs.query(fql("Dogs.all().last()!.ts")).data
    assert int(ts.timestamp()) * 1_000_000 + ts.microsecond == last.txn_ts

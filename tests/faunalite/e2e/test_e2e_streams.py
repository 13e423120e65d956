"""Event streams through the ``fauna`` driver: ``set.eventSource()`` and ``/stream/1``.

Each test writes through the driver while a ``StreamConsumer`` reads the stream in a thread,
and checks the events FaunaDB would send: their order, types, data, cursors and errors.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from fauna import fql
from fauna.client import Client, FeedOptions, StreamOptions
from fauna.errors import AbortError, FaunaException, QueryRuntimeError
from fauna.query import EventSource
from faunalite.server.events import HEARTBEAT_SECONDS
from faunalite.testing import BackgroundServer

from .stream_consumer import StreamConsumer


@pytest.fixture
def products(db: Client) -> Client:
    db.query(fql('Collection.create({ name: "Product" })'))
    return db


def _create(client: Client, **fields: Any) -> Any:
    return client.query(fql("Product.create(${fields})", fields=fields)).data


def _update(client: Client, doc: Any, **fields: Any) -> None:
    client.query(fql("Product.byId(${id})!.update(${fields})", id=doc.id, fields=fields))


def _delete(client: Client, doc: Any) -> None:
    client.query(fql("Product.byId(${id})!.delete()", id=doc.id))


def test_a_stream_sees_add_update_and_remove_in_order(products: Client) -> None:
    source = products.query(fql("Product.all().eventSource()")).data
    assert isinstance(source, EventSource)
    with StreamConsumer(products, source) as consumer:
        doc = _create(products, name="lamp", price=10)
        _update(products, doc, price=12)
        _delete(products, doc)
        added, updated, removed = consumer.wait_for(3)
    assert [added["type"], updated["type"], removed["type"]] == ["add", "update", "remove"]
    assert added["data"]["price"] == 10
    assert updated["data"]["price"] == 12
    # A remove carries the document as it was before the deletion.
    assert removed["data"]["price"] == 12
    assert added["txn_ts"] < updated["txn_ts"] < removed["txn_ts"]
    assert len({added["cursor"], updated["cursor"], removed["cursor"]}) == 3
    assert set(added["stats"]) == {
        "read_ops",
        "storage_bytes_read",
        "compute_ops",
        "processing_time_ms",
        "rate_limits_hit",
    }


def test_the_stream_starts_with_a_status_event_when_asked(products: Client) -> None:
    # A query returning an event source is run by the driver itself.
    source = fql("Product.all().toStream()")
    with StreamConsumer(products, source, StreamOptions(status_events=True)) as consumer:
        _create(products, name="desk")
        status, added = consumer.wait_for(2)
    assert status["type"] == "status"
    assert isinstance(status["cursor"], str)
    assert status["txn_ts"] <= added["txn_ts"]
    assert added["type"] == "add"


def test_writes_before_the_source_was_created_are_not_replayed(products: Client) -> None:
    _create(products, name="old")
    source = products.query(fql("Product.all().eventSource()")).data
    with StreamConsumer(products, source) as consumer:
        _create(products, name="new")
        [event] = consumer.wait_for(1)
        time.sleep(0.1)
        assert len(consumer.events) == 1
    assert event["data"]["name"] == "new"


def test_where_turns_updates_into_adds_and_removes(products: Client) -> None:
    source = products.query(fql("Product.where(.price > 5).eventSource()")).data
    with StreamConsumer(products, source) as consumer:
        doc = _create(products, name="cup", price=1)  # not in the set: no event
        _update(products, doc, price=10)  # enters the set
        _update(products, doc, price=11)  # stays in the set
        _update(products, doc, price=2)  # leaves the set
        _delete(products, doc)  # already out: no event
        _create(products, name="marker", price=50)
        events = consumer.wait_for(4)
    assert [(event["type"], event["data"]["price"]) for event in events] == [
        ("add", 10),
        ("update", 11),
        ("remove", 11),
        ("add", 50),
    ]


def test_map_projection_and_captured_variables_shape_the_data(products: Client) -> None:
    mapped = products.query(
        fql(
            """
            let factor = ${factor}
            Product.where(.price >= factor).map(p => { name: p.name, total: p.price * factor })
              .eventSource()
            """,
            factor=3,
        )
    ).data
    projected = products.query(fql("Product.all().eventSource() { name }")).data
    with (
        StreamConsumer(products, mapped) as mapped_events,
        StreamConsumer(products, projected) as projected_events,
    ):
        _create(products, name="pen", price=2)
        _create(products, name="ink", price=4)
        [priced] = mapped_events.wait_for(1)
        first, second = projected_events.wait_for(2)
    assert priced["data"] == {"name": "ink", "total": 12}
    assert [first["data"], second["data"]] == [{"name": "pen"}, {"name": "ink"}]


def test_single_document_and_index_sources(db: Client) -> None:
    db.query(
        fql(
            'Collection.create({ name: "Product", '
            'indexes: { byColor: { terms: [{ field: ".color" }] } } })'
        )
    )
    watched = _create(db, name="chair", color="red")
    other = _create(db, name="sofa", color="red")
    single = db.query(fql("Set.single(Product.byId(${id})!).eventSource()", id=watched.id)).data
    by_color = db.query(fql('Product.byColor("blue").eventSource()')).data
    with (
        StreamConsumer(db, single) as single_events,
        StreamConsumer(db, by_color) as color_events,
    ):
        _update(db, other, color="green")
        _update(db, watched, color="blue")  # enters byColor("blue")
        _update(db, watched, color="red")  # leaves it
        updated, again = single_events.wait_for(2)
        entered, left = color_events.wait_for(2)
    assert [updated["data"]["color"], again["data"]["color"]] == ["blue", "red"]
    assert [entered["type"], left["type"]] == ["add", "remove"]
    assert entered["data"].id == watched.id


def test_events_on_skips_updates_of_other_fields(products: Client) -> None:
    source = products.query(fql("Product.all().eventsOn(.price, .stock.count)")).data
    with StreamConsumer(products, source) as consumer:
        doc = _create(products, name="bag", price=5, stock={"count": 1})
        _update(products, doc, name="big bag")  # no watched field changed: no event
        _update(products, doc, stock={"count": 2})
        _update(products, doc, price=6)
        events = consumer.wait_for(3)
    assert [event["type"] for event in events] == ["add", "update", "update"]
    assert [event["data"]["name"] for event in events] == ["bag", "big bag", "big bag"]


def test_a_failing_predicate_ends_the_stream_with_its_error(products: Client) -> None:
    source = products.query(
        fql(
            'Product.where(p => if (p.name == "bad") abort("no bad names") else true).eventSource()'
        )
    ).data
    with StreamConsumer(products, source) as consumer:
        _create(products, name="good")
        _create(products, name="bad")
        [event] = consumer.wait_for(1)
        error = consumer.wait_for_error()
    assert event["data"]["name"] == "good"
    assert isinstance(error, AbortError)
    assert error.abort == "no bad names"


def test_writes_in_a_stream_function_are_refused(products: Client) -> None:
    source = products.query(
        fql('Product.all().map(p => Product.create({ name: "copy" })).eventSource()')
    ).data
    with StreamConsumer(products, source) as consumer:
        _create(products, name="original")
        error = consumer.wait_for_error()
    assert isinstance(error, QueryRuntimeError)
    assert error.code == "invalid_effect"
    assert error.message == "Writes are disallowed in stream subscriptions."


def test_resuming_from_a_cursor_or_start_ts_gives_exactly_the_later_events(
    products: Client,
) -> None:
    source = products.query(fql("Product.all().eventSource()")).data
    with StreamConsumer(products, source) as consumer:
        for number in range(5):
            _create(products, number=number)
        events = consumer.wait_for(5)
    third = events[2]
    from_cursor = StreamOptions(cursor=third["cursor"])
    from_ts = StreamOptions(start_ts=third["txn_ts"])
    with (
        StreamConsumer(products, source, from_cursor) as resumed,
        StreamConsumer(products, source, from_ts) as started,
    ):
        resumed_numbers = [event["data"]["number"] for event in resumed.wait_for(2)]
        started_numbers = [event["data"]["number"] for event in started.wait_for(2)]
        time.sleep(0.1)
        assert len(resumed.events) == len(started.events) == 2
    assert resumed_numbers == started_numbers == [3, 4]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("Product.all().order(.price).eventSource()", "streaming is not supported on order sets"),
        ("Product.all().distinct().toStream()", "streaming is not supported on distinct sets"),
        ("Set.sequence(0, 3).eventSource()", "streaming is not supported on sequence sets"),
        ("[1, 2].toSet().eventSource()", "streaming is not supported on array sets"),
        ("Product.all().map(.price).eventsOn(.price)", "must be called on the source set"),
    ],
)
def test_unstreamable_sets_are_invalid_receivers(
    products: Client, query: str, message: str
) -> None:
    with pytest.raises(QueryRuntimeError) as raised:
        products.query(fql(query))
    assert raised.value.code == "invalid_receiver"
    assert message in raised.value.message


def test_events_on_takes_field_paths_only(products: Client) -> None:
    with pytest.raises(QueryRuntimeError) as raised:
        products.query(fql("Product.all().eventsOn(p => p.price + 1)"))
    assert raised.value.code == "invalid_argument"


def test_a_stream_replaying_too_many_events_fails(products: Client) -> None:
    source = products.query(fql("Product.all().eventSource()")).data
    products.query(fql("Set.sequence(0, 130).forEach(n => Product.create({ n: n }))"))
    start = StreamOptions(start_ts=source_creation_ts(products, source))
    with StreamConsumer(products, source, start) as consumer:
        error = consumer.wait_for_error()
        assert len(consumer.events) == 128
    assert isinstance(error, QueryRuntimeError)
    assert error.code == "stream_replay_volume_exceeded"


def source_creation_ts(client: Client, source: EventSource) -> int:
    """The txn time of the query that made ``source`` (a feed's first cursor starts there)."""
    page = next(iter(client.feed(source, FeedOptions(page_size=1))))
    ts: int = page.events[0]["txn_ts"] - 1
    return ts


def test_an_idle_stream_sends_status_heartbeats(
    faunalite_server: BackgroundServer, products: Client
) -> None:
    assert faunalite_server.app is not None
    events = faunalite_server.app.events
    source = products.query(fql("Product.all().eventSource()")).data
    events.heartbeat_seconds = 0.1
    try:
        with StreamConsumer(products, source, StreamOptions(status_events=True)) as consumer:
            first, heartbeat = consumer.wait_for(2)
            _create(products, name="after the heartbeat")
            added = consumer.wait_for(3)[2]
    finally:
        events.heartbeat_seconds = HEARTBEAT_SECONDS
    assert [first["type"], heartbeat["type"]] == ["status", "status"]
    assert heartbeat["txn_ts"] >= first["txn_ts"]
    assert added["type"] == "add"


def test_deleting_the_database_ends_its_streams(root: Client, db_name: str, db: Client) -> None:
    db.query(fql('Collection.create({ name: "Product" })'))
    source = db.query(fql("Product.all().eventSource()")).data
    with StreamConsumer(db, source) as consumer:
        _create(db, name="last")
        consumer.wait_for(1)
        root.query(fql("Database.byName(${name})!.delete()", name=db_name))
        error = consumer.wait_for_error()
    assert isinstance(error, FaunaException)
    assert "Stream authentication is no longer valid." in str(error)


def test_an_event_source_can_be_sent_back_in_a_query(products: Client) -> None:
    source = products.query(fql("Product.where(.price > 1).eventSource()")).data
    mapped = products.query(fql("${source}.map(.name)", source=source)).data
    assert products.query(fql("${source}.toString()", source=source)).data == "[event source]"
    with StreamConsumer(products, mapped) as consumer:
        _create(products, name="cheap", price=1)
        _create(products, name="dear", price=2)
        [event] = consumer.wait_for(1)
    assert event["data"] == "dear"


def test_a_forged_event_source_argument_is_refused(products: Client) -> None:
    with pytest.raises(FaunaException) as raised:
        products.query(fql("${source}.toString()", source=EventSource("Zm9yZ2Vk")))
    assert "invalid event source" in str(raised.value)


def test_deleting_the_key_ends_its_streams(
    faunalite_server: BackgroundServer, products: Client
) -> None:
    key = products.query(fql('Key.create({ role: "server" }) { id, secret }')).data
    with Client(endpoint=faunalite_server.endpoint, secret=key["secret"]) as with_key:
        source = with_key.query(fql("Product.all().eventSource()")).data
        with StreamConsumer(with_key, source) as consumer:
            _create(products, name="seen")
            consumer.wait_for(1)
            products.query(fql("Key.byId(${id})!.delete()", id=key["id"]))
            error = consumer.wait_for_error()
    assert isinstance(error, FaunaException)
    assert "permission_loss" in str(error)
    assert "Stream authentication is no longer valid." in str(error)

# ruff: noqa  (the README examples are copied verbatim, imports and spacing included)
"""Every example of the seed README, run as written against a scripted FaunaDB.

Configuration comes the way the README says it does: ``FAUNA_SECRET`` and
``FAUNA_ENDPOINT``. The HTTP pool the examples' ``Client()`` calls pick up is
put in ``fauna.global_http_client`` (a pool clients use but never close), so
the example code itself stays untouched. Each example's code sits between
the ``# --- seed ---`` markers, copied verbatim.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fauna_fakes import (
    FakeFauna,
    data_event,
    error_event,
    query_success,
    status_event,
    stream_response,
    tagged_doc,
)

import fauna
from fauna.errors import FaunaException as AnyFaunaError
from fauna.http import HTTPXClient

ENDPOINT = "http://seed.test:8443"

# The README decorates a method with ``@static_method``, which Python does not
# define; it is supplied here so the example can run as written.
static_method = staticmethod


@pytest.fixture(autouse=True)
def readme_environment(monkeypatch: pytest.MonkeyPatch, fake: FakeFauna) -> None:
    monkeypatch.setenv("FAUNA_SECRET", "secret")
    monkeypatch.setenv("FAUNA_ENDPOINT", ENDPOINT)
    pool = HTTPXClient(httpx.Client(transport=fake.transport()))
    monkeypatch.setattr(fauna, "global_http_client", pool, raising=False)


def product(name: str, price: float) -> dict[str, Any]:
    return {"name": name, "price": {"@double": repr(price)}, "category": "toys"}


def product_events() -> list[dict[str, Any]]:
    return [
        status_event(100, "c0"),
        data_event("add", product("ball", 60.0), 101, "c1"),
        data_event("update", product("ball", 70.0), 102, "c2"),
        data_event("remove", product("kite", 55.0), 103, "c3"),
    ]


def test_basic_usage(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(
        query_success(tagged_doc("1", "Collection", name="Dogs")),
        query_success(tagged_doc("391", "Dogs", name="Scout")),
    )
    # --- seed ---
    from fauna import fql
    from fauna.client import Client
    from fauna.encoding import QuerySuccess
    from fauna.errors import FaunaException

    client = Client()
    # The client defaults to using using the value stored FAUNA_SECRET for its secret.
    # Either set the FAUNA_SECRET env variable or retrieve it from a secret store.
    # As a best practice, don't store your secret directly in your code.

    try:
        # create a collection
        q1 = fql('Collection.create({ name: "Dogs" })')
        client.query(q1)

        # create a document
        q2 = fql('Dogs.create({ name: "Scout" })')
        res: QuerySuccess = client.query(q2)
        doc = res.data
        print(doc)
    except FaunaException as e:
        # handle errors
        print(e)
    # --- seed ---
    out = capsys.readouterr().out
    assert "Scout" in out and "391" in out
    assert [str(r.url) for r in fake.sent()] == [f"{ENDPOINT}/query/1"] * 2
    assert all(r.headers["Authorization"] == "Bearer secret" for r in fake.sent())


def test_query_composition(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success({"@int": "8"}))
    # --- seed ---
    from fauna import fql
    from fauna.client import Client

    client = Client()

    def add_two(x):  # type: ignore[no-untyped-def]
        return fql("${x} + 2", x=x)

    q = fql("${y} + 4", y=add_two(2))
    res = client.query(q)
    print(res.data)  # 8
    # --- seed ---
    assert capsys.readouterr().out == "8\n"
    assert json.loads(fake.sent()[0].content)["query"] == {
        "fql": [{"fql": [{"value": {"@int": "2"}}, " + 2"]}, " + 4"]
    }


def test_serialization_example() -> None:
    # --- seed ---
    class MyClass:
        def __init__(self, my_prop):  # type: ignore[no-untyped-def]
            self.my_prop = my_prop

        def to_dict(self):  # type: ignore[no-untyped-def]
            return {"my_prop": self.my_prop}

        @static_method
        def from_result(obj):  # type: ignore[no-untyped-def]
            return MyClass(obj["my_prop"])

    # --- seed ---
    assert MyClass.from_result({"my_prop": 1}).to_dict() == {"my_prop": 1}


def test_query_timeout(fake: FakeFauna) -> None:
    fake.query(query_success(None), query_success(None))
    # --- seed ---
    from datetime import timedelta
    from fauna.client import Client

    client = Client(query_timeout=timedelta(seconds=20))
    # --- seed ---
    from fauna import fql

    myQuery = fql("1")
    client.query(myQuery)
    # --- seed ---
    from datetime import timedelta
    from fauna.client import Client, QueryOptions

    response = client.query(myQuery, QueryOptions(query_timeout=timedelta(seconds=20)))
    # --- seed ---
    assert response.data is None
    for request in fake.sent():
        assert request.headers["X-Query-Timeout-Ms"] == "20000"
        assert request.extensions["timeout"]["read"] == 25.0


@pytest.mark.parametrize(
    ("setting", "phase", "expected"),
    [
        ("client_buffer_timeout", "read", 25.0),
        ("http_idle_timeout", None, None),
        ("http_connect_timeout", "connect", 6.0),
        ("http_pool_timeout", "pool", 6.0),
        ("http_read_timeout", "read", 6.0),
        ("http_write_timeout", "write", 6.0),
    ],
)
def test_timeout_settings(
    fake: FakeFauna, setting: str, phase: str | None, expected: float | None
) -> None:
    fake.query(query_success(None))
    # --- seed --- (one constructor per README section; the value differs only for the buffer)
    from datetime import timedelta
    from fauna.client import Client

    seconds = 20 if setting == "client_buffer_timeout" else 6
    client = Client(**{setting: timedelta(seconds=seconds)})
    # --- seed ---
    from fauna import fql

    client.query(fql("1"))
    if phase is not None:
        assert fake.sent()[0].extensions["timeout"][phase] == expected
    client.close()


def test_query_stats(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success(tagged_doc("1", "Collection", name="Dogs")))
    # --- seed ---
    from fauna import fql
    from fauna.client import Client
    from fauna.encoding import QuerySuccess, QueryStats
    from fauna.errors import ServiceError

    client = Client()

    def emit_stats(stats: QueryStats):  # type: ignore[no-untyped-def]
        print(f"Compute Ops: {stats.compute_ops}")
        print(f"Read Ops: {stats.read_ops}")
        print(f"Write Ops: {stats.write_ops}")

    try:
        q = fql('Collection.create({ name: "Dogs" })')
        qs: QuerySuccess = client.query(q)
        emit_stats(qs.stats)
    except ServiceError as e:
        if e.stats is not None:
            emit_stats(e.stats)
        # more error handling...
    # --- seed ---
    assert capsys.readouterr().out == "Compute Ops: 1\nRead Ops: 0\nWrite Ops: 0\n"


def test_stream_with_token(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(
        query_success(
            {
                "initialPage": {"@set": {"data": [product("ball", 60.0)]}},
                "streamToken": {"@stream": "product-token"},
            }
        )
    )
    # The stream runs until FaunaDB ends it; here with an error event.
    fake.reply(
        "/stream/1", stream_response([*product_events(), error_event("permission_loss", "gone")])
    )
    with pytest.raises(AnyFaunaError, match="permission_loss"):
        # --- seed ---
        import fauna

        from fauna import fql
        from fauna.client import Client, StreamOptions

        client = Client()
        response = client.query(
            fql("""
          let set = Product.all()
          { 
            initialPage: set.pageSize(10),
            streamToken: set.toStream() { name, price, category }
          }
          """)
        )

        initialPage = response.data["initialPage"]
        streamToken = response.data["streamToken"]

        with client.stream(streamToken) as stream:
            for event in stream:
                print(event["type"])
                print(event["data"])
                eventType = event["type"]
                if eventType == "add":
                    print("add event")
                    ## handle add event
                elif eventType == "update":
                    print("update event")
                    ## handle update event
                elif eventType == "remove":
                    print("remove event")
                    ## handle remove event
        # --- seed ---
    out = capsys.readouterr().out
    assert "add event" in out and "update event" in out and "remove event" in out
    assert fake.bodies("/stream/1") == [{"token": "product-token"}]


def test_stream_from_query(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success({"@stream": "t"}))
    fake.reply(
        "/stream/1",
        stream_response(
            [*product_events(), error_event("stream_overflow", "Too many events to process.")]
        ),
    )
    with pytest.raises(AnyFaunaError):
        # --- seed ---
        import fauna

        from fauna import fql
        from fauna.client import Client

        client = Client()

        with client.stream(
            fql("Product.all().where(.price > 50).toStream() { name, price, category }")
        ) as stream:
            for event in stream:
                print(event["type"])
                print(event["data"])
        # --- seed ---
    assert capsys.readouterr().out.splitlines()[::2] == ["add", "update", "remove"]


def test_close_a_stream(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success({"@stream": "t"}))
    fake.reply("/stream/1", stream_response(product_events()))
    # --- seed ---
    import fauna

    from fauna import fql
    from fauna.client import Client

    client = Client()

    events = []

    with client.stream(
        fql("Product.all().where(.price > 50).toStream() { name, price, category }")
    ) as stream:
        for event in stream:
            print(event["type"])
            print(event["data"])

            events.append(event)
            # Close the stream after 2 events
            if len(events) == 2:
                print("Closing the stream ...")
                stream.close()
    # --- seed ---
    assert [e["type"] for e in events] == ["add", "update"]
    assert "Closing the stream ..." in capsys.readouterr().out


def test_stream_error_handling(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success({"@stream": "t"}))
    fake.reply(
        "/stream/1",
        stream_response(
            [status_event(1, "c0"), error_event("abort", "Query aborted.", abort="no")]
        ),
    )
    # --- seed ---
    import fauna

    from fauna import fql
    from fauna.client import Client
    from fauna.errors import FaunaException

    client = Client()

    try:
        with client.stream(
            fql("Product.all().where(.price > 50).toStream() { name, price, category }")
        ) as stream:
            for event in stream:
                print(event["type"])
                print(event["data"])
    except FaunaException as e:
        print("error ocurred with stream: ", e)
    # --- seed ---
    assert capsys.readouterr().out.startswith("error ocurred with stream:  400: abort")

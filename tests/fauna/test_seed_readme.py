"""Every example of the seed README, run as written against a scripted FaunaDB.

Configuration comes the way the README says it does: ``FAUNA_SECRET`` and
``FAUNA_ENDPOINT``. The HTTP pool the examples' ``Client()`` calls pick up is
put in ``fauna.global_http_client`` (a pool clients use but never close), so
the example code itself stays untouched. The examples are the seed README's
code blocks, verbatim, from ``seed_examples`` (shared with
``test_seed_readme_live.py``, which checks them against the README); each is
exec'd as a script of its own, in a fresh ``__main__`` namespace.
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
from seed_examples import (
    BASIC_USAGE,
    CLIENT_BUFFER_TIMEOUT,
    CLOSE_A_STREAM,
    CONNECT_TIMEOUT,
    IDLE_TIMEOUT,
    POOL_TIMEOUT,
    QUERY_COMPOSITION,
    QUERY_STATS,
    QUERY_TIMEOUT,
    QUERY_TIMEOUT_PER_QUERY,
    READ_TIMEOUT,
    SERIALIZATION,
    STREAM_ERROR_HANDLING,
    STREAM_FROM_QUERY,
    STREAM_WITH_TOKEN,
    WRITE_TIMEOUT,
    compile_example,
)

import fauna
from fauna import fql
from fauna.errors import FaunaException as AnyFaunaError
from fauna.http import HTTPXClient

ENDPOINT = "http://seed.test:8443"


def run(title: str, code: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a README example as a script: in a fresh ``__main__`` namespace, or the one given."""
    if namespace is None:
        namespace = {"__name__": "__main__"}
    exec(compile_example(title, code), namespace)
    return namespace


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
    run("Basic Usage", BASIC_USAGE)
    out = capsys.readouterr().out
    assert "Scout" in out and "391" in out
    assert [str(r.url) for r in fake.sent()] == [f"{ENDPOINT}/query/1"] * 2
    assert all(r.headers["Authorization"] == "Bearer secret" for r in fake.sent())


def test_query_composition(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success({"@int": "8"}))
    run("Query Composition", QUERY_COMPOSITION)
    assert capsys.readouterr().out == "8\n"
    assert json.loads(fake.sent()[0].content)["query"] == {
        "fql": [{"fql": [{"value": {"@int": "2"}}, " + 2"]}, " + 4"]
    }


def test_serialization_example() -> None:
    # The README decorates ``from_result`` with ``@static_method``, which Python does not
    # define (it is ``staticmethod``); the name is supplied so the example runs as written.
    namespace = {"__name__": "__main__", "static_method": staticmethod}
    MyClass = run("Serialization", SERIALIZATION, namespace)["MyClass"]
    assert MyClass.from_result({"my_prop": 1}).to_dict() == {"my_prop": 1}


def test_query_timeout(fake: FakeFauna) -> None:
    fake.query(query_success(None), query_success(None))
    namespace = run("Query Timeout", QUERY_TIMEOUT)
    # The second snippet goes on with the first one's ``client`` and a ``myQuery`` the README
    # leaves to the reader, defined (and sent once) here.
    myQuery = namespace["myQuery"] = fql("1")
    namespace["client"].query(myQuery)
    run("Query Timeout (per query)", QUERY_TIMEOUT_PER_QUERY, namespace)
    response = namespace["response"]
    assert response.data is None
    for request in fake.sent():
        assert request.headers["X-Query-Timeout-Ms"] == "20000"
        assert request.extensions["timeout"]["read"] == 25.0


TIMEOUT_EXAMPLES = {
    "client_buffer_timeout": ("Client Timeout", CLIENT_BUFFER_TIMEOUT),
    "http_idle_timeout": ("Idle Timeout", IDLE_TIMEOUT),
    "http_connect_timeout": ("Connect Timeout", CONNECT_TIMEOUT),
    "http_pool_timeout": ("Pool Timeout", POOL_TIMEOUT),
    "http_read_timeout": ("Read Timeout", READ_TIMEOUT),
    "http_write_timeout": ("Write Timeout", WRITE_TIMEOUT),
}
"""The README's timeout sections: one ``Client(<setting>=...)`` example each."""


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
    title, example = TIMEOUT_EXAMPLES[setting]
    client = run(title, example)["client"]
    client.query(fql("1"))
    if phase is not None:
        assert fake.sent()[0].extensions["timeout"][phase] == expected
    client.close()


def test_query_stats(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success(tagged_doc("1", "Collection", name="Dogs")))
    run("Query Stats", QUERY_STATS)
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
        run("Using a Stream Token", STREAM_WITH_TOKEN)
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
        run("Using the client stream method directly", STREAM_FROM_QUERY)
    assert capsys.readouterr().out.splitlines()[::2] == ["add", "update", "remove"]


def test_close_a_stream(fake: FakeFauna, capsys: pytest.CaptureFixture[str]) -> None:
    fake.query(query_success({"@stream": "t"}))
    fake.reply("/stream/1", stream_response(product_events()))
    events = run("Close a stream", CLOSE_A_STREAM)["events"]
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
    run("Error Handling", STREAM_ERROR_HANDLING)
    assert capsys.readouterr().out.startswith("error ocurred with stream:  400: abort")

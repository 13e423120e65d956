"""Every example of the seed README, run as written against a real faunalite server.

``test_seed_readme.py`` checks what each example sends and how it reads canned replies; this
module runs the same examples end to end. Each example is the seed README's code block,
verbatim (byte for byte, indentation and trailing spaces included), kept as a string in
``seed_examples`` (shared with ``test_seed_readme.py``) and run with ``exec`` the way a user's
script would run: in a fresh ``__main__`` namespace, configured
only through ``FAUNA_ENDPOINT`` and ``FAUNA_SECRET``, which its ``Client()`` reads. Each test
gets a server of its own, so examples that create ``Dogs`` or ``Product`` do not collide.

Every example runs in a thread of its own with its printed output captured; waits are bounded,
so an example that hangs fails its test in seconds instead of blocking the suite. The streaming
examples loop until their stream ends: the test writes Products once the stream is open, and
ends the loops that never end by themselves from the outside, by closing ``stream`` (the name
the example binds) from the test thread, by deleting the database the stream reads, or by
stopping the server.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from seed_examples import (
    BASIC_USAGE,
    CLIENT_BUFFER_TIMEOUT,
    CLOSE_A_STREAM,
    CONNECT_TIMEOUT,
    EXAMPLES,
    IDLE_TIMEOUT,
    POOL_TIMEOUT,
    QUERY_COMPOSITION,
    QUERY_STATS,
    QUERY_TIMEOUT,
    QUERY_TIMEOUT_PER_QUERY,
    READ_TIMEOUT,
    SEED_README,
    SERIALIZATION,
    STREAM_ERROR_HANDLING,
    STREAM_FROM_QUERY,
    STREAM_WITH_TOKEN,
    WRITE_TIMEOUT,
    compile_example,
    readme_python_blocks,
)

import faunalite
from fauna import fql
from fauna.client import Client
from fauna.encoding import QueryStats
from fauna.query import Document, EventSource, Page
from faunalite.testing import BackgroundServer

WAIT_SECONDS = 5.0
"""The longest any example, or any event it waits for, may take."""


# -- running an example --------------------------------------------------------------------


class RunningExample:
    """A README example executing in a thread of its own, as a script would run it."""

    def __init__(self, title: str, code: str, namespace: dict[str, Any] | None = None) -> None:
        self.title = title
        self.namespace: dict[str, Any] = (
            {"__name__": "__main__"} if namespace is None else namespace
        )
        self.error: BaseException | None = None
        _namespaces.append(self.namespace)
        # Compiled as its own script, without this module's ``from __future__ import annotations``.
        self._code = compile_example(title, code)
        self._thread = threading.Thread(target=self._run, name=title, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            exec(self._code, self.namespace)
        except BaseException as error:  # handed to the test thread by finish()
            self.error = error

    def wait_for_event(self, event_type: str) -> None:
        """Wait until the example's loop variable ``event`` holds an event of ``event_type``."""

        def arrived() -> bool:
            event = self.namespace.get("event")
            return isinstance(event, dict) and event.get("type") == event_type

        wait_until(lambda: arrived() or not self._thread.is_alive(), f"a {event_type} event")
        if not arrived():
            self.finish()
            raise AssertionError(f"{self.title} ended before a {event_type} event")

    def finish(self, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        """Wait for the example to end; its namespace, or the exception it raised."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"{self.title} still running after {timeout} s"
        if self.error is not None:
            raise self.error
        return self.namespace


_namespaces: list[dict[str, Any]] = []
"""The namespaces of the examples the current test ran."""


@pytest.fixture(autouse=True)
def _close_example_clients() -> Iterator[None]:
    """The examples never close their clients; the test does, so no pool outlives it."""
    yield
    while _namespaces:
        for value in list(_namespaces.pop().values()):
            if isinstance(value, Client):
                value.close()


def run(title: str, code: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    return RunningExample(title, code, namespace).finish()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[BackgroundServer]:
    """A fresh faunalite, and the environment the examples' ``Client()`` reads."""
    with faunalite.serve_in_background() as running:
        monkeypatch.setenv("FAUNA_ENDPOINT", running.endpoint)
        monkeypatch.setenv("FAUNA_SECRET", running.secret)
        yield running


@pytest.fixture
def admin(server: BackgroundServer) -> Iterator[Client]:
    """The test's own client, for setting data up and writing while a stream is open."""
    with Client(endpoint=server.endpoint, secret=server.secret, max_attempts=1) as client:
        yield client


# -- Basic Usage ---------------------------------------------------------------------------

DOCUMENT_REPR = re.compile(
    r"Document\(id='\d+',coll=Module\(name='Dogs'\),ts=FaunaTime\([^)]*\),"
    r"data=\{'name':'Scout'\}\)\n"
)


def test_basic_usage(server: BackgroundServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run("Basic Usage", BASIC_USAGE)
    out = capsys.readouterr().out
    assert DOCUMENT_REPR.fullmatch(out), out
    doc = namespace["doc"]
    assert isinstance(doc, Document) and doc["name"] == "Scout"


def test_basic_usage_run_twice_prints_why_the_collection_was_not_created(
    server: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    run("Basic Usage", BASIC_USAGE)
    capsys.readouterr()
    namespace = run("Basic Usage", BASIC_USAGE)
    assert "doc" not in namespace
    out = capsys.readouterr().out
    assert out.startswith("400: constraint_failure\nFailed to create Collection.\n"), out
    assert "name: The identifier `Dogs` is reserved." in out


# -- Query Composition ---------------------------------------------------------------------


def test_query_composition(server: BackgroundServer, capsys: pytest.CaptureFixture[str]) -> None:
    run("Query Composition", QUERY_COMPOSITION)
    assert capsys.readouterr().out == "8\n"


# -- Serialization / Deserialization -------------------------------------------------------


def test_serialization_round_trips_through_faunadb(admin: Client) -> None:
    # The README decorates ``from_result`` with ``@static_method``, which Python does not
    # define (it is ``staticmethod``); as in test_seed_readme.py, the name is supplied.
    namespace = run("Serialization", SERIALIZATION, {"static_method": staticmethod})
    my_class = namespace["MyClass"]
    result = admin.query(fql("${obj}", obj=my_class(42).to_dict())).data
    assert result == {"my_prop": 42}
    assert my_class.from_result(result).my_prop == 42


# -- Client Configuration: timeouts --------------------------------------------------------


def test_query_timeout_for_the_client_and_for_one_query(server: BackgroundServer) -> None:
    namespace = run("Query Timeout", QUERY_TIMEOUT)
    # The second snippet goes on with the first one's ``client`` and a ``myQuery`` the README
    # leaves to the reader, defined here as in test_seed_readme.py.
    namespace["myQuery"] = fql("1")
    run("Query Timeout (per query)", QUERY_TIMEOUT_PER_QUERY, namespace)
    assert namespace["response"].data == 1


@pytest.mark.parametrize(
    "title, snippet",
    [
        ("Client Timeout", CLIENT_BUFFER_TIMEOUT),
        ("Idle Timeout", IDLE_TIMEOUT),
        ("Connect Timeout", CONNECT_TIMEOUT),
        ("Pool Timeout", POOL_TIMEOUT),
        ("Read Timeout", READ_TIMEOUT),
        ("Write Timeout", WRITE_TIMEOUT),
    ],
)
def test_a_client_with_a_timeout_setting_queries_faunadb(
    server: BackgroundServer, title: str, snippet: str
) -> None:
    client = run(title, snippet)["client"]
    assert client.query(fql("1 + 1")).data == 2


# -- Query Stats ---------------------------------------------------------------------------


def stats_lines(stats: QueryStats) -> str:
    return (
        f"Compute Ops: {stats.compute_ops}\n"
        f"Read Ops: {stats.read_ops}\n"
        f"Write Ops: {stats.write_ops}\n"
    )


def test_query_stats(server: BackgroundServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run("Query Stats", QUERY_STATS)
    stats = namespace["qs"].stats
    assert capsys.readouterr().out == stats_lines(stats)
    assert stats.compute_ops >= 1 and stats.write_ops == 1  # the new collection


def test_query_stats_after_basic_usage_come_from_the_error(
    server: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both examples create ``Dogs``: on one database, the second create fails, and the
    # example prints the stats the ServiceError carries.
    run("Basic Usage", BASIC_USAGE)
    capsys.readouterr()
    namespace = run("Query Stats", QUERY_STATS)
    assert "qs" not in namespace
    out = capsys.readouterr().out
    assert re.fullmatch(r"Compute Ops: [1-9]\d*\nRead Ops: \d+\nWrite Ops: 0\n", out), out


# -- Streaming -----------------------------------------------------------------------------

BIKE = "{'name': 'bike', 'price': 120, 'category': 'sports'}"
BIKE_ON_SALE = "{'name': 'bike', 'price': 99.5, 'category': 'sports'}"


def create_products(client: Client) -> None:
    client.query(fql('Collection.create({ name: "Product" })'))
    client.query(
        fql(
            """[
              Product.create({ name: "cup", price: 9.99, category: "kitchen" }),
              Product.create({ name: "lamp", price: 65.5, category: "home" }),
            ]"""
        )
    )


def wait_for_open_stream(server: BackgroundServer) -> None:
    assert server.app is not None
    app = server.app
    wait_until(lambda: len(app.events.streams) > 0, "the example to open its stream")


def sell_a_bike(client: Client) -> None:
    """An add, an update and a remove of a Product over 50, and a write under 50."""
    bike = client.query(
        fql('Product.create({ name: "bike", price: 120, category: "sports" })')
    ).data
    client.query(fql('Product.create({ name: "pen", price: 2, category: "office" })'))
    client.query(fql("${bike}.update({ price: 99.5 })", bike=bike))
    client.query(fql("${bike}.delete()", bike=bike))


def end_stream_from_outside(example: RunningExample) -> dict[str, Any]:
    """Close the example's ``stream`` from the test thread; its loop then ends."""
    example.namespace["stream"].close()
    return example.finish()


def test_stream_with_a_token(
    server: BackgroundServer, admin: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    create_products(admin)
    example = RunningExample("Using a Stream Token", STREAM_WITH_TOKEN)
    wait_for_open_stream(server)
    sell_a_bike(admin)
    example.wait_for_event("remove")
    namespace = end_stream_from_outside(example)
    pen = "{'name': 'pen', 'price': 2, 'category': 'office'}"
    assert capsys.readouterr().out.splitlines() == [
        *("add", BIKE, "add event"),
        *("add", pen, "add event"),
        *("update", BIKE_ON_SALE, "update event"),
        *("remove", BIKE_ON_SALE, "remove event"),
    ]
    initial_page = namespace["initialPage"]
    assert isinstance(initial_page, Page)
    assert [doc["name"] for doc in initial_page.data] == ["cup", "lamp"]
    assert isinstance(namespace["streamToken"], EventSource)


def test_stream_from_a_query(
    server: BackgroundServer, admin: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    create_products(admin)
    example = RunningExample("Using the client stream method directly", STREAM_FROM_QUERY)
    wait_for_open_stream(server)
    sell_a_bike(admin)
    example.wait_for_event("remove")
    end_stream_from_outside(example)
    assert capsys.readouterr().out.splitlines() == [
        *("add", BIKE),
        *("update", BIKE_ON_SALE),
        *("remove", BIKE_ON_SALE),
    ]


def test_close_a_stream_after_two_events(
    server: BackgroundServer, admin: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    create_products(admin)
    example = RunningExample("Close a stream", CLOSE_A_STREAM)
    wait_for_open_stream(server)
    sell_a_bike(admin)
    namespace = example.finish()  # the example closes its stream itself
    assert [event["type"] for event in namespace["events"]] == ["add", "update"]
    assert capsys.readouterr().out.splitlines() == [
        *("add", BIKE),
        *("update", BIKE_ON_SALE),
        "Closing the stream ...",
    ]


def test_stream_error_handling_when_the_stream_cannot_open(
    server: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # No Product collection: the query that makes the event source fails. Databases are
    # typechecked by default, so FaunaDB's typer rejects the unknown `Product` before the
    # query runs (ext/fql/shared/src/main/scala/typer/TyperExprs.scala, case Expr.Id).
    run("Error Handling", STREAM_ERROR_HANDLING)
    out = capsys.readouterr().out
    assert out.startswith(
        "error ocurred with stream:  400: invalid_query\nThe query failed 1 validation check\n"
    ), out
    assert "error: Unbound variable `Product`" in out


def test_stream_error_handling_when_the_database_goes_away(
    server: BackgroundServer,
    admin: Client,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stream reads a child database, through a key scoped to it (still configured only
    # through FAUNA_SECRET); deleting the database revokes the stream.
    admin.query(fql('Database.create({ name: "shop" })'))
    monkeypatch.setenv("FAUNA_SECRET", f"{server.secret}:shop:admin")
    with Client(endpoint=server.endpoint, secret=f"{server.secret}:shop:admin") as shop:
        create_products(shop)
        example = RunningExample("Error Handling", STREAM_ERROR_HANDLING)
        wait_for_open_stream(server)
        shop.query(fql('Product.create({ name: "bike", price: 120, category: "sports" })'))
        example.wait_for_event("add")
    admin.query(fql('Database.byName("shop")!.delete()'))
    example.finish()
    assert capsys.readouterr().out.splitlines() == [
        "add",
        BIKE,
        "error ocurred with stream:  400: permission_loss",
        "Stream authentication is no longer valid.",
        "---",
        "",
    ]


def test_stream_error_handling_when_the_server_stops(
    server: BackgroundServer, admin: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    create_products(admin)
    example = RunningExample("Error Handling", STREAM_ERROR_HANDLING)
    wait_for_open_stream(server)
    server.stop()
    example.finish()
    out = capsys.readouterr().out
    assert out.startswith("error ocurred with stream:  ConnectError while calling "), out


# -- the examples are the seed README's ----------------------------------------------------


@pytest.mark.skipif(not SEED_README.is_file(), reason=f"no seed README at {SEED_README}")
def test_the_examples_are_the_seed_readmes_code_blocks_verbatim() -> None:
    assert readme_python_blocks(SEED_README) == EXAMPLES

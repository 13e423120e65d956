"""Every example of the seed README, run as written against a real faunalite server.

``test_seed_readme.py`` checks what each example sends and how it reads canned replies; this
module runs the same examples end to end. Each example is the seed README's code block,
verbatim (byte for byte, indentation and trailing spaces included), kept as a string and run
with ``exec`` the way a user's script would run: in a fresh ``__main__`` namespace, configured
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

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import faunalite
from fauna import fql
from fauna.client import Client
from fauna.encoding import QueryStats
from fauna.query import Document, EventSource, Page
from faunalite.testing import BackgroundServer

WAIT_SECONDS = 5.0
"""The longest any example, or any event it waits for, may take."""

# The seed README lives in the shared folder beside the repository (as CI lays it out too).
SEED_README = Path(
    os.environ.get(
        "FAUNA_SEED_README",
        Path(__file__).resolve().parents[3] / "shared" / "seed" / "README.md",
    )
)


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
        # dont_inherit: the example is compiled as its own script, without this module's
        # ``from __future__ import annotations``.
        self._code = compile(code, f"<seed README: {title}>", "exec", dont_inherit=True)
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

BASIC_USAGE = """\
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
"""

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

QUERY_COMPOSITION = """\
from fauna import fql
from fauna.client import Client

client = Client()

def add_two(x):
    return fql("${x} + 2", x=x)

q = fql("${y} + 4", y=add_two(2))
res = client.query(q)
print(res.data) # 8
"""


def test_query_composition(server: BackgroundServer, capsys: pytest.CaptureFixture[str]) -> None:
    run("Query Composition", QUERY_COMPOSITION)
    assert capsys.readouterr().out == "8\n"


# -- Serialization / Deserialization -------------------------------------------------------

SERIALIZATION = """\
class MyClass:
    def __init__ (self, my_prop):
        self.my_prop = my_prop

    def to_dict(self):
        return { 'my_prop': self.my_prop }

    @static_method
    def from_result(obj):
        return MyClass(obj['my_prop'])
"""


def test_serialization_round_trips_through_faunadb(admin: Client) -> None:
    # The README decorates ``from_result`` with ``@static_method``, which Python does not
    # define (it is ``staticmethod``); as in test_seed_readme.py, the name is supplied.
    namespace = run("Serialization", SERIALIZATION, {"static_method": staticmethod})
    my_class = namespace["MyClass"]
    result = admin.query(fql("${obj}", obj=my_class(42).to_dict())).data
    assert result == {"my_prop": 42}
    assert my_class.from_result(result).my_prop == 42


# -- Client Configuration: timeouts --------------------------------------------------------

QUERY_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(query_timeout=timedelta(seconds=20))
"""

QUERY_TIMEOUT_PER_QUERY = """\
from datetime import timedelta
from fauna.client import Client, QueryOptions

response = client.query(myQuery, QueryOptions(query_timeout=timedelta(seconds=20)))
"""

CLIENT_BUFFER_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(client_buffer_timeout=timedelta(seconds=20))
"""

IDLE_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_idle_timeout=timedelta(seconds=6))
"""

CONNECT_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_connect_timeout=timedelta(seconds=6))
"""

POOL_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_pool_timeout=timedelta(seconds=6))
"""

READ_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_read_timeout=timedelta(seconds=6))
"""

WRITE_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_write_timeout=timedelta(seconds=6))
"""


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

QUERY_STATS = """\
from fauna import fql
from fauna.client import Client
from fauna.encoding import QuerySuccess, QueryStats
from fauna.errors import ServiceError

client = Client()

def emit_stats(stats: QueryStats):
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
"""


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

STREAM_WITH_TOKEN = """\
import fauna

from fauna import fql
from fauna.client import Client, StreamOptions

client = Client()
response = client.query(fql('''
  let set = Product.all()
  { 
    initialPage: set.pageSize(10),
    streamToken: set.toStream() { name, price, category }
  }
  '''))
  
initialPage = response.data["initialPage"]
streamToken = response.data["streamToken"]

with client.stream(streamToken) as stream:
  for event in stream:
    print(event["type"])
    print(event["data"])
    eventType = event["type"]
    if (eventType == "add"):
      print("add event")
      ## handle add event
    elif (eventType == "update"):
      print("update event")
      ## handle update event
    elif (eventType == "remove"):
      print("remove event")
      ## handle remove event
"""  # noqa: W291, W293 (verbatim: the README has trailing spaces)

STREAM_FROM_QUERY = """\
import fauna

from fauna import fql
from fauna.client import Client

client = Client()

with client.stream(fql(
  'Product.all().where(.price > 50).toStream() { name, price, category }'
)) as stream:
  for event in stream:
    print(event["type"])
    print(event["data"])
"""

CLOSE_A_STREAM = """\
import fauna

from fauna import fql
from fauna.client import Client

client = Client()

events = []

with client.stream(fql(
  'Product.all().where(.price > 50).toStream() { name, price, category }'
)) as stream:
  for event in stream:
    print(event["type"])
    print(event["data"])

    events.append(event)
    # Close the stream after 2 events
    if len(events) == 2:
      print("Closing the stream ...")
      stream.close()
"""

STREAM_ERROR_HANDLING = """\
import fauna

from fauna import fql
from fauna.client import Client
from fauna.errors import FaunaException

client = Client()

try:
  with client.stream(fql(
    'Product.all().where(.price > 50).toStream() { name, price, category }'
  )) as stream:
    for event in stream:
      print(event["type"])
      print(event["data"])
except FaunaException as e:
  print("error ocurred with stream: ", e)
"""

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
    # No Product collection: the query that makes the event source fails.
    run("Error Handling", STREAM_ERROR_HANDLING)
    out = capsys.readouterr().out
    assert out.startswith(
        "error ocurred with stream:  400: unbound_variable\nUnbound variable `Product`\n"
    ), out


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


# -- the examples above are the seed README's ----------------------------------------------

EXAMPLES = [
    BASIC_USAGE,
    QUERY_COMPOSITION,
    SERIALIZATION,
    QUERY_TIMEOUT,
    QUERY_TIMEOUT_PER_QUERY,
    CLIENT_BUFFER_TIMEOUT,
    IDLE_TIMEOUT,
    CONNECT_TIMEOUT,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    WRITE_TIMEOUT,
    QUERY_STATS,
    STREAM_WITH_TOKEN,
    STREAM_FROM_QUERY,
    CLOSE_A_STREAM,
    STREAM_ERROR_HANDLING,
]


@pytest.mark.skipif(not SEED_README.is_file(), reason=f"no seed README at {SEED_README}")
def test_the_examples_are_the_seed_readmes_code_blocks_verbatim() -> None:
    blocks = re.findall(r"^```python[ \t]*\n(.*?)^```", SEED_README.read_text(), re.S | re.M)
    assert blocks == EXAMPLES

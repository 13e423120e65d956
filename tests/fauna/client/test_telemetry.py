"""OpenTelemetry spans, metrics and traceparent for both clients, over a scripted FaunaDB.

Spans go to opentelemetry-sdk's in-memory exporter and metrics to its
in-memory reader, through providers handed to ``Telemetry`` (OpenTelemetry's
global providers can be set once per process, so tests never set them).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fauna_fakes import (
    TXN_TS,
    FakeFauna,
    data_event,
    feed_page,
    json_response,
    protocol_failure,
    query_failure,
    query_success,
    stats,
    status_event,
    stream_response,
)

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import fauna.telemetry
from fauna import fql
from fauna.client import Client, FeedOptions, QueryOptions
from fauna.errors import AbortError, AuthenticationError, NetworkError
from fauna.query import EventSource
from fauna.telemetry import Telemetry

SOURCE = EventSource("tok")


class Recorder:
    """An SDK tracer and meter provider that keep what they record in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def telemetry(self, **options: Any) -> Telemetry:
        return Telemetry(self.tracer_provider, self.meter_provider, **options)

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def durations(self) -> list[HistogramDataPoint]:
        data = self.reader.get_metrics_data()
        points: list[HistogramDataPoint] = []
        if data is None:
            return points
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == "db.client.operation.duration":
                        assert metric.unit == "s"
                        points.extend(p for p in metric.data.data_points)  # type: ignore[misc]
        return points


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def traced(make_client: Callable[..., Client], recorder: Recorder) -> Client:
    return make_client(telemetry=recorder.telemetry())


@pytest.fixture(autouse=True)
def _no_global_instrumentation() -> Any:
    yield
    fauna.telemetry.uninstrument()


def only_span(recorder: Recorder) -> ReadableSpan:
    (span,) = recorder.spans()
    return span


def sent_traceparent(request: httpx.Request, span: ReadableSpan) -> None:
    context = span.get_span_context()
    assert context is not None
    assert request.headers["traceparent"] == (
        f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"
    )


def test_query_span_follows_the_database_conventions(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.query(query_success({"@int": "3"}, stats_=stats(read_ops=2, write_ops=1)))
    inner = fql("Users.byName(${name}).first()", name="ada")
    assert traced.query(fql("let u = ${u}\nu { id, n: ${n} }", u=inner, n=5)).data == 3
    span = only_span(recorder)
    assert span.name == "query fauna.test:8443"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    attributes = dict(span.attributes or {})
    assert attributes == {
        "db.system.name": "fauna",
        "db.operation.name": "query",
        "db.query.text": "let u = Users.byName(?).first()\nu { id, n: ? }",
        "server.address": "fauna.test",
        "server.port": 8443,
        "fauna.stats.compute_ops": 1,
        "fauna.stats.read_ops": 2,
        "fauna.stats.write_ops": 1,
        "fauna.stats.query_time_ms": 1,
        "fauna.stats.storage_bytes_read": 0,
        "fauna.stats.storage_bytes_write": 0,
        "fauna.stats.contention_retries": 0,
        "fauna.stats.attempts": 1,
        "fauna.txn_ts": TXN_TS,
        "fauna.schema_version": 0,
    }
    sent_traceparent(fake.sent("/query/1")[0], span)
    (point,) = recorder.durations()
    assert point.count == 1
    assert dict(point.attributes or {}) == {
        "db.system.name": "fauna",
        "db.operation.name": "query",
        "server.address": "fauna.test",
        "server.port": 8443,
    }
    assert list(point.explicit_bounds) == [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0]


def test_failed_query_records_error_type_and_status(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.query(query_failure("abort", "nope", abort={"@int": "1"}), status=400)
    with pytest.raises(AbortError):
        traced.query(fql("abort(1)"))
    span = only_span(recorder)
    assert span.status.status_code is StatusCode.ERROR
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "abort"
    assert attributes["db.response.status_code"] == "400"
    assert attributes["fauna.stats.attempts"] == 1
    assert [event.name for event in span.events] == ["exception"]
    (point,) = recorder.durations()
    assert dict(point.attributes or {})["error.type"] == "abort"
    assert dict(point.attributes or {})["db.response.status_code"] == "400"


def test_retries_stay_in_one_span_with_the_attempt_count(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.reply(
        "/query/1",
        json_response(429, protocol_failure("limit_exceeded", "slow down", with_stats=True)),
        json_response(200, query_success({"@int": "1"})),
    )
    traced.query(fql("1"))
    span = only_span(recorder)
    assert dict(span.attributes or {})["fauna.stats.attempts"] == 2
    # Every attempt carries the same trace context: the one operation's span.
    for request in fake.sent("/query/1"):
        sent_traceparent(request, span)


def test_network_failure_is_the_exception_class(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.reply("/query/1", httpx.ReadError("reset"))
    with pytest.raises(NetworkError):
        traced.query(fql("1"))
    attributes = dict(only_span(recorder).attributes or {})
    assert attributes["error.type"] == "NetworkError"
    assert "db.response.status_code" not in attributes


def test_query_span_is_a_child_of_the_current_span(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.query(query_success({"@int": "1"}))
    tracer = recorder.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handler") as parent:
        traced.query(fql("1"))
    query_span, handler = recorder.spans()
    assert query_span.parent is not None
    assert query_span.parent.span_id == parent.get_span_context().span_id
    assert query_span.context is not None and handler.context is not None
    assert query_span.context.trace_id == handler.context.trace_id


def test_a_traceparent_given_in_options_is_sent_as_given(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.query(query_success({"@int": "1"}))
    mine = "00-11111111111111111111111111111111-2222222222222222-01"
    traced.query(fql("1"), QueryOptions(traceparent=mine))
    (request,) = fake.sent("/query/1")
    assert request.headers.get_list("traceparent") == [mine]


def test_each_page_of_a_set_gets_a_span(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.query(
        query_success({"@set": {"data": [{"@int": "1"}], "after": "next"}}),
        query_success({"@set": {"data": [{"@int": "2"}]}}),
    )
    assert list(traced.paginate(fql("Things.all()")).flatten()) == [1, 2]
    first, second = recorder.spans()
    assert [s.name for s in (first, second)] == ["paginate fauna.test:8443"] * 2
    assert dict(first.attributes or {})["db.query.text"] == "Things.all()"
    assert dict(second.attributes or {})["db.query.text"] == "Set.paginate(?)"
    assert sum(point.count for point in recorder.durations()) == 2


def test_each_feed_page_gets_a_span(traced: Client, fake: FakeFauna, recorder: Recorder) -> None:
    event = data_event("add", {"@int": "1"}, txn_ts=201, cursor="c1")
    fake.reply(
        "/feed/1",
        json_response(200, feed_page([event], "c1", has_next=True)),
        json_response(200, feed_page([], "c2", has_next=False)),
    )
    pages = list(traced.feed(SOURCE, FeedOptions(page_size=1)))
    assert len(pages) == 2
    spans = recorder.spans()
    assert [s.name for s in spans] == ["feed fauna.test:8443"] * 2
    attributes = dict(spans[0].attributes or {})
    assert attributes["db.operation.name"] == "feed"
    assert "db.query.text" not in attributes
    assert attributes["fauna.stats.compute_ops"] == 1
    for request, span in zip(fake.sent("/feed/1"), spans, strict=True):
        sent_traceparent(request, span)


def test_a_stream_is_one_span_across_reconnects(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.reply(
        "/stream/1",
        stream_response([status_event(100, "c0"), data_event("add", 1, 101, "c1")], drop=True),
        stream_response([data_event("add", 2, 102, "c2")]),
    )
    with traced.stream(SOURCE) as stream:
        assert [next(stream)["data"], next(stream)["data"]] == [1, 2]
        assert recorder.spans() == []
    span = only_span(recorder)
    assert span.name == "stream fauna.test:8443"
    attributes = dict(span.attributes or {})
    assert attributes["db.operation.name"] == "stream"
    assert attributes["fauna.stream.connections"] == 2
    assert attributes["fauna.stream.events"] == 2
    for request in fake.sent("/stream/1"):
        sent_traceparent(request, span)
    # A stream's length is the consumer's choice, not an operation duration.
    assert recorder.durations() == []


def test_a_failed_stream_ends_its_span_with_the_error(
    traced: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.reply(
        "/stream/1",
        json_response(401, protocol_failure("unauthorized", "bad secret")),
    )
    with pytest.raises(AuthenticationError), traced.stream(SOURCE) as stream:
        next(stream)
    span = only_span(recorder)
    assert dict(span.attributes or {})["error.type"] == "unauthorized"
    assert span.status.status_code is StatusCode.ERROR


def test_scoped_secret_names_the_namespace(
    make_client: Callable[..., Client], fake: FakeFauna, recorder: Recorder
) -> None:
    client = make_client(secret="key:app/tenant1:admin", telemetry=recorder.telemetry())
    fake.query(query_success({"@int": "1"}))
    client.query(fql("1"))
    span = only_span(recorder)
    assert span.name == "query app/tenant1"
    assert dict(span.attributes or {})["db.namespace"] == "app/tenant1"


def test_query_text_can_be_left_out(
    make_client: Callable[..., Client], fake: FakeFauna, recorder: Recorder
) -> None:
    client = make_client(telemetry=recorder.telemetry(query_text=False))
    fake.query(query_success({"@int": "1"}))
    client.query(fql('Secrets.byKey("hunter2")'))
    assert "db.query.text" not in dict(only_span(recorder).attributes or {})


def test_off_by_default_and_no_traceparent(
    client: Client, fake: FakeFauna, recorder: Recorder
) -> None:
    fake.query(query_success({"@int": "1"}))
    client.query(fql("1"))
    assert "traceparent" not in fake.sent("/query/1")[0].headers
    assert recorder.spans() == []


def test_instrument_turns_on_every_default_client_until_uninstrument(
    make_client: Callable[..., Client], fake: FakeFauna, recorder: Recorder
) -> None:
    default = make_client()
    opted_out = make_client(telemetry=False)
    fake.always("/query/1", json_response(200, query_success({"@int": "1"})))
    fauna.telemetry.instrument(recorder.tracer_provider, recorder.meter_provider)
    default.query(fql("1"))
    opted_out.query(fql("2"))
    assert [dict(s.attributes or {})["db.query.text"] for s in recorder.spans()] == ["1"]
    fauna.telemetry.uninstrument()
    default.query(fql("3"))
    assert len(recorder.spans()) == 1


def test_telemetry_argument_is_checked(make_client: Callable[..., Client]) -> None:
    with pytest.raises(TypeError, match="'telemetry' must be"):
        make_client(telemetry="yes")


def test_without_opentelemetry_clients_work_and_turning_it_on_says_what_to_install() -> None:
    # A fresh interpreter in which every opentelemetry import fails.
    script = textwrap.dedent(
        """
        import sys
        sys.modules["opentelemetry"] = None
        import httpx
        import fauna.telemetry
        from fauna import fql
        from fauna.client import Client

        def reply(request):
            assert "traceparent" not in request.headers
            return httpx.Response(200, json={"data": 1, "stats": {}, "txn_ts": 1})

        client = Client(secret="s", transport=httpx.MockTransport(reply))
        assert client.query(fql("1")).data == 1
        for turn_on in (fauna.telemetry.instrument, lambda: Client(telemetry=True)):
            try:
                turn_on()
            except ImportError as error:
                assert "fauna[otel]" in str(error), error
            else:
                raise AssertionError("no ImportError")
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr

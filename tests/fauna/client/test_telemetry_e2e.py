"""Telemetry against a real server (faunalite over loopback HTTP), for both clients.

The spans carry what faunalite reported (stats, ``txn_ts``), and the
``traceparent`` a query sends reaches the server: faunalite answers with a
``traceparent`` in the same trace.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError
from fauna.telemetry import Telemetry
from faunalite.testing import BackgroundServer


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def live(
    make_client: Callable[..., Client],
    faunalite_server: BackgroundServer,
    exporter: InMemorySpanExporter,
) -> Client:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return make_client(
        endpoint=faunalite_server.endpoint,
        secret=faunalite_server.secret,
        transport=None,
        telemetry=Telemetry(tracer_provider=provider),
    )


def test_spans_carry_what_the_server_reported(
    live: Client, exporter: InMemorySpanExporter, faunalite_server: BackgroundServer
) -> None:
    name = f"Otel{uuid.uuid4().hex[:10]}"
    live.query(fql("Collection.create({ name: ${name} })", name=name))
    result = live.query(fql(f"{name}.create({{ n: ${{n}} }})", n=1))
    _create, write = exporter.get_finished_spans()
    attributes = dict(write.attributes or {})
    assert attributes["db.query.text"] == f"{name}.create({{ n: ? }})"
    assert attributes["server.address"] == "127.0.0.1"
    assert attributes["server.port"] == faunalite_server.port
    assert attributes["fauna.stats.write_ops"] >= 1
    assert attributes["fauna.stats.attempts"] == 1
    assert attributes["fauna.txn_ts"] == result.txn_ts
    context = write.get_span_context()
    assert context is not None
    # The server answers within the trace the query's span started.
    assert result.traceparent is not None
    assert result.traceparent.split("-")[1] == f"{context.trace_id:032x}"


def test_a_failed_query_span(live: Client, exporter: InMemorySpanExporter) -> None:
    with pytest.raises(QueryRuntimeError):
        live.query(fql("[1, 2].at(${i})", i=10))
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "index_out_of_bounds"
    assert attributes["db.response.status_code"] == "400"


def test_feed_pages_over_the_wire(live: Client, exporter: InMemorySpanExporter) -> None:
    name = f"OtelFeed{uuid.uuid4().hex[:10]}"
    live.query(fql("Collection.create({ name: ${name} })", name=name))
    source = live.query(fql(f"{name}.all().eventSource()")).data
    live.query(fql(f"{name}.create({{ n: 1 }})"))
    exporter.clear()
    pages = list(live.feed(source))
    assert sum(len(page) for page in pages) == 1
    spans = exporter.get_finished_spans()
    assert [span.name.split()[0] for span in spans] == ["feed"] * len(pages)
    assert all(span.status.status_code is StatusCode.UNSET for span in spans)

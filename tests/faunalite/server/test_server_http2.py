"""Cleartext HTTP/2 (h2c) on the same port as HTTP/1.1, as FaunaDB serves it.

Prior knowledge goes through ``httpx`` with ``h2`` (what fauna-js and fauna-go do); the
``Upgrade: h2c`` handshake is driven by hand with ``h2``'s state machine, since httpx does not
offer it. Hypercorn upgrades requests without a body; one with a body is answered in HTTP/1.1
(a server may ignore ``Upgrade``, RFC 9110 §7.8), which keeps it working for any client.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import h2.config
import h2.connection
import h2.events
import httpx
import pytest

from faunalite.testing import BackgroundServer


@pytest.fixture
def h2c(faunalite_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=faunalite_server.endpoint,
        http1=False,
        http2=True,
        headers={"Authorization": f"Bearer {faunalite_server.secret}"},
        timeout=10,
    ) as client:
        yield client


def test_prior_knowledge_query_round_trip(h2c: httpx.Client) -> None:
    response = h2c.post("/query/1", json={"query": "1 + 1"})
    assert response.http_version == "HTTP/2"
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert response.json()["data"] == 2


def test_prior_knowledge_errors_keep_their_shape(h2c: httpx.Client) -> None:
    response = h2c.post("/query/1", json={"query": "1 +"})
    assert response.http_version == "HTTP/2"
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_query"
    missing = h2c.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json() == {"errors": [{"code": "not found", "description": "Not Found"}]}


def test_one_connection_multiplexes_a_stream_and_queries(
    faunalite_server: BackgroundServer, h2c: httpx.Client
) -> None:
    name = "h2_stream_db"
    h2c.post("/query/1", json={"query": f'Database.create({{ name: "{name}" }})'})
    headers = {"Authorization": f"Bearer {faunalite_server.secret}:{name}:admin"}
    h2c.post("/query/1", json={"query": 'Collection.create({ name: "Thing" })'}, headers=headers)
    token = h2c.post(
        "/query/1", json={"query": "Thing.all().eventSource()"}, headers=headers
    ).json()["data"]
    with h2c.stream("POST", "/stream/1", json={"token": token}, headers=headers) as stream:
        assert stream.http_version == "HTTP/2"
        lines = stream.iter_lines()
        assert json.loads(next(lines))["type"] == "status"
        # The stream stays open while another request goes over the same connection.
        created = h2c.post(
            "/query/1", json={"query": "Thing.create({ n: 1 }) { n }"}, headers=headers
        )
        assert created.json()["data"] == {"n": 1}
        event = json.loads(next(lines))
    assert event["type"] == "add"
    assert event["data"]["@doc"]["n"] == {"@int": "1"}  # events are always tagged


def test_feed_over_prior_knowledge(faunalite_server: BackgroundServer, h2c: httpx.Client) -> None:
    name = "h2_feed_db"
    h2c.post("/query/1", json={"query": f'Database.create({{ name: "{name}" }})'})
    headers = {"Authorization": f"Bearer {faunalite_server.secret}:{name}:admin"}
    h2c.post("/query/1", json={"query": 'Collection.create({ name: "Thing" })'}, headers=headers)
    token = h2c.post(
        "/query/1", json={"query": "Thing.all().eventSource()"}, headers=headers
    ).json()["data"]
    h2c.post("/query/1", json={"query": "Thing.create({ n: 2 })"}, headers=headers)
    page = h2c.post("/feed/1", json={"token": token}, headers=headers)
    assert page.http_version == "HTTP/2"
    body = page.json()
    assert [event["type"] for event in body["events"]] == ["add"]
    assert body["has_next"] is False


def _upgrade(port: int, head: bytes) -> tuple[bytes, int, bytes]:
    """Send an HTTP/1.1 request ``head`` (no body) asking for ``Upgrade: h2c``; return the
    first response line and the status and body of the HTTP/2 response to it (stream 1)."""
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    settings = connection.initiate_upgrade_connection()  # already the header's base64 text
    request = (
        head + b"Host: 127.0.0.1\r\n"
        b"Connection: Upgrade, HTTP2-Settings\r\n"
        b"Upgrade: h2c\r\n"
        b"HTTP2-Settings: " + settings + b"\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        buffered = b""
        while b"\r\n\r\n" not in buffered:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection during the upgrade"
            buffered += chunk
        head_bytes, _, pending = buffered.partition(b"\r\n\r\n")
        status_line = head_bytes.split(b"\r\n")[0]
        sock.sendall(connection.data_to_send())
        status, data, ended = 0, b"", False
        while not ended:
            if not pending:
                pending = sock.recv(65536)
                assert pending, "the server closed the connection before the response ended"
            for event in connection.receive_data(pending):
                if isinstance(event, h2.events.ResponseReceived) and event.stream_id == 1:
                    status = int(dict(event.headers)[b":status"])
                elif isinstance(event, h2.events.DataReceived) and event.stream_id == 1:
                    data += event.data
                    connection.acknowledge_received_data(event.flow_controlled_length, 1)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == 1:
                    ended = True
            pending = b""
            sock.sendall(connection.data_to_send())
    return status_line, status, data


def test_upgrade_from_http1_answers_on_http2(faunalite_server: BackgroundServer) -> None:
    status_line, status, data = _upgrade(faunalite_server.port, b"GET /ping?scope=all HTTP/1.1\r\n")
    assert status_line.startswith(b"HTTP/1.1 101")
    assert status == 200
    assert json.loads(data) == {"resource": "Scope all is OK"}


def test_upgrade_request_with_a_body_is_answered_in_http1(
    faunalite_server: BackgroundServer,
) -> None:
    with httpx.Client(base_url=faunalite_server.endpoint, timeout=10) as client:
        response = client.post(
            "/query/1",
            json={"query": "[1, 2].map(x => x * 10)"},
            headers={
                "Authorization": f"Bearer {faunalite_server.secret}",
                "Connection": "Upgrade, HTTP2-Settings",
                "Upgrade": "h2c",
                "HTTP2-Settings": "",
            },
        )
    assert response.http_version == "HTTP/1.1"
    assert response.status_code == 200
    assert response.json()["data"] == [10, 20]


def test_http1_still_served_on_the_same_port(faunalite_server: BackgroundServer) -> None:
    with httpx.Client(base_url=faunalite_server.endpoint, timeout=10) as client:
        response = client.post(
            "/query/1",
            json={"query": "1 + 1"},
            headers={"Authorization": f"Bearer {faunalite_server.secret}"},
        )
    assert response.http_version == "HTTP/1.1"
    assert response.json()["data"] == 2

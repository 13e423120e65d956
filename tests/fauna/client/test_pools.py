"""The pool a client builds for itself, over real loopback sockets.

Both clients send queries straight to their own pool's transport, skipping
httpx's client layer (``fauna.client._pools``). These tests pin
what must not change because of that: the exact request heads on the wire,
cookies a server (or a load balancer in front of it) sets, gzip bodies, and
proxies named in the environment, which both clients must honour.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fauna_fakes import query_success

from fauna import fql
from fauna.client import QueryOptions
from fauna.client._pools import environment_names_proxies

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class Recorder(ThreadingHTTPServer):
    """Answers every POST with a ``/query/1`` success; keeps each request's head."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.heads: list[tuple[str, list[tuple[str, str]]]] = []
        self.extra_response_headers: dict[str, str] = {}
        self.gzip_bodies = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Recorder

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.heads.append((self.requestline, list(self.headers.items())))
        body = json.dumps(query_success({"@int": "7"})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        if self.server.gzip_bodies:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        for name, value in self.server.extra_response_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def owned_transport(client: Any) -> object:
    return getattr(client, "inner", client)._pool.direct


def test_proxy_variables_are_detected(no_proxies: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not environment_names_proxies()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    assert environment_names_proxies()


def test_direct_path_sends_what_the_client_layer_sends(
    recorder: Recorder,
    no_proxies: None,
    monkeypatch: pytest.MonkeyPatch,
    make_client: Callable[..., Any],
) -> None:
    # Per-query options add, replace and re-case headers; both paths must merge them alike.
    opts = QueryOptions(
        query_tags={"route": "a"},
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        additional_headers={"x-driver": "custom", "X-Extra": "1"},
    )

    def run_queries(*, direct: bool) -> list[tuple[str, list[tuple[str, str]]]]:
        client = make_client(endpoint=recorder.url, transport=None, query_tags={"app": "t"})
        assert (owned_transport(client) is not None) is direct
        assert client.query(fql("1")).data == 7
        assert client.query(fql("2"), opts).data == 7
        assert client.query(fql("3")).data == 7
        heads, recorder.heads = recorder.heads, []
        return heads

    direct = run_queries(direct=True)
    # A proxy variable that exempts loopback sends the same queries through httpx's client layer.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    through_client_layer = run_queries(direct=False)

    assert direct == through_client_layer
    names = [name for name, _ in direct[1][1]]
    assert names[:4] == ["Host", "Accept", "Connection", "User-Agent"]
    sent = dict(direct[1][1])
    assert sent["Accept-Encoding"] == "gzip"
    assert sent["x-driver"] == "custom"
    assert sent["X-Query-Tags"] == "app=t,route=a"
    assert "X-Last-Txn-Ts" in sent


def test_cookies_set_by_the_server_are_sent_back(
    recorder: Recorder, no_proxies: None, make_client: Callable[..., Any]
) -> None:
    client = make_client(endpoint=recorder.url, transport=None)
    assert owned_transport(client) is not None
    client.query(fql("1"))
    recorder.extra_response_headers = {"Set-Cookie": "lb=node-2; Path=/"}
    client.query(fql("2"))
    recorder.extra_response_headers = {}
    client.query(fql("3"))
    cookies = [dict(headers).get("Cookie") for _, headers in recorder.heads]
    assert cookies == [None, None, "lb=node-2"]


def test_gzip_bodies_are_decoded(
    recorder: Recorder, no_proxies: None, make_client: Callable[..., Any]
) -> None:
    recorder.gzip_bodies = True
    client = make_client(endpoint=recorder.url, transport=None)
    assert client.query(fql("1")).data == 7


def test_a_proxy_named_in_the_environment_is_used(
    recorder: Recorder,
    no_proxies: None,
    monkeypatch: pytest.MonkeyPatch,
    make_client: Callable[..., Any],
) -> None:
    # ``recorder`` plays the proxy: a plain-HTTP proxy gets the absolute URL on the request line.
    monkeypatch.setenv("HTTP_PROXY", recorder.url)
    client = make_client(endpoint="http://fauna.invalid:8443", transport=None)
    assert client.query(fql("1")).data == 7
    ((request_line, headers),) = recorder.heads
    assert request_line == "POST http://fauna.invalid:8443/query/1 HTTP/1.1"
    assert dict(headers)["Host"] == "fauna.invalid:8443"

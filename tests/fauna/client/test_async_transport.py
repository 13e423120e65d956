"""How ``AsyncHTTP11Transport`` (the ``AsyncClient``'s default pool) frames responses.

A loopback server answers each request with the next scripted raw reply, so
every framing case (Content-Length, chunked, close-framed, malformed) goes
over a real socket, and the server's connection count shows whether the
pool kept a connection or dropped it.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fauna_fakes import query_success

from fauna import fql
from fauna.client import AsyncClient
from fauna.client._async_transport import AsyncHTTP11Transport
from fauna.errors import NetworkError

BODY = json.dumps(query_success({"@int": "1"})).encode()


class Closing(bytes):
    """A reply after which the server closes the connection."""


class ScriptedServer:
    """Answers each request with the next raw reply; ``None`` means hang up instead."""

    def __init__(self, *replies: bytes | None) -> None:
        self.replies: deque[bytes | None] = deque(replies)
        self.connections = 0
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                self.requests.append(head + await reader.readexactly(length))
                reply = self.replies.popleft()
                if reply is None:
                    return
                writer.write(reply)
                await writer.drain()
                if isinstance(reply, Closing):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def fixed(body: bytes, *extra: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n" % len(
        body
    )
    return head + b"".join(line + b"\r\n" for line in extra) + b"\r\n" + body


def chunked(*chunks: bytes) -> bytes:
    framed = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + framed + b"0\r\nx-trailer: 1\r\n\r\n"
    )


def close_framed(body: bytes) -> Closing:
    """A body that only the end of the connection ends."""
    return Closing(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + body)


@pytest.fixture
async def pool() -> AsyncIterator[httpx.AsyncClient]:
    transport = AsyncHTTP11Transport(httpx.Limits(max_connections=2))
    async with httpx.AsyncClient(transport=transport, timeout=2) as client:
        yield client


async def test_content_length_bodies_reuse_one_connection(pool: httpx.AsyncClient) -> None:
    async with ScriptedServer(fixed(b"one"), fixed(b"two")) as server:
        assert (await pool.post(server.url, content=b"x")).content == b"one"
        assert (await pool.get(server.url)).content == b"two"
    assert server.connections == 1
    assert server.requests[0].startswith(b"POST / HTTP/1.1\r\n")
    assert b"\r\ncontent-length: 1\r\n" in server.requests[0].lower()
    assert server.requests[0].endswith(b"\r\n\r\nx")


async def test_chunked_body_with_extensions_and_trailers(pool: httpx.AsyncClient) -> None:
    async with ScriptedServer(chunked(b"ab", b"c" * 70_000), fixed(b"next")) as server:
        response = await pool.get(server.url)
        assert response.content == b"ab" + b"c" * 70_000
        assert (await pool.get(server.url)).content == b"next"
    assert server.connections == 1, "a chunked body read to its end leaves the connection reusable"


async def test_close_framed_body_is_read_to_eof_and_not_reused(pool: httpx.AsyncClient) -> None:
    async with ScriptedServer(close_framed(b"until the end"), fixed(b"next")) as server:
        assert (await pool.get(server.url)).content == b"until the end"
        assert (await pool.get(server.url)).content == b"next"
    assert server.connections == 2


async def test_connection_close_header_is_honoured(pool: httpx.AsyncClient) -> None:
    async with ScriptedServer(
        Closing(fixed(b"bye", b"Connection: close")), fixed(b"next")
    ) as server:
        assert (await pool.get(server.url)).content == b"bye"
        assert (await pool.get(server.url)).content == b"next"
    assert server.connections == 2


async def test_head_and_no_content_responses_have_no_body(pool: httpx.AsyncClient) -> None:
    head_only = b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\n"
    no_content = b"HTTP/1.1 204 No Content\r\n\r\n"
    async with ScriptedServer(head_only, no_content, fixed(b"next")) as server:
        assert (await pool.head(server.url)).content == b""
        assert (await pool.get(server.url)).status_code == 204
        assert (await pool.get(server.url)).content == b"next"
    assert server.connections == 1


async def test_informational_responses_are_skipped(pool: httpx.AsyncClient) -> None:
    early_hints = b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n"
    async with ScriptedServer(early_hints + fixed(b"final")) as server:
        response = await pool.get(server.url)
    assert (response.status_code, response.content) == (200, b"final")


async def test_response_header_names_keep_their_case(pool: httpx.AsyncClient) -> None:
    async with ScriptedServer(fixed(b"", b"X-Txn-Time:  5 ")) as server:
        response = await pool.get(server.url)
    assert (b"X-Txn-Time", b"5") in response.headers.raw
    assert response.headers["x-txn-time"] == "5"


@pytest.mark.parametrize(
    "reply",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbad header line\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        Closing(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\ncut short"),
        Closing(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\ncut"),
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nabc",
        Closing(b"HTTP/1.1 20"),
        None,
    ],
    ids=[
        "status-line",
        "content-length",
        "header-line",
        "chunk-size",
        "short-body",
        "short-chunk",
        "conflicting-lengths",
        "partial-head",
        "no-response",
    ],
)
async def test_malformed_response_is_a_network_error(reply: bytes | None) -> None:
    async with (
        ScriptedServer(reply, fixed(BODY)) as server,
        AsyncClient(endpoint=server.url, secret="s", max_attempts=1) as client,
    ):
        with pytest.raises(NetworkError, match=r"RemoteProtocolError while calling"):
            await client.query(fql("1"))
        assert client._pool.client._transport.idle_connections == 0  # type: ignore[attr-defined]
        assert (await client.query(fql("1"))).data == 1, "the pool recovers"
    assert server.connections == 2


async def test_oversized_response_head_is_a_network_error() -> None:
    huge = b"HTTP/1.1 200 OK\r\nx-big: " + b"a" * 200_000 + b"\r\ncontent-length: 0\r\n\r\n"
    async with (
        ScriptedServer(huge) as server,
        AsyncClient(endpoint=server.url, secret="s", max_attempts=1) as client,
    ):
        with pytest.raises(NetworkError, match="RemoteProtocolError"):
            await client.query(fql("1"))


async def test_invalid_request_header_is_a_local_protocol_error(pool: httpx.AsyncClient) -> None:
    async with ScriptedServer() as server:
        with pytest.raises(httpx.LocalProtocolError):
            await pool.get(server.url, headers={"x-bad": "line\r\nbreak"})
    assert pool._transport.idle_connections == 0  # type: ignore[attr-defined]


async def test_read_timeout_in_the_middle_of_a_body() -> None:
    stalled = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part"
    async with (
        ScriptedServer(stalled, fixed(BODY)) as server,
        AsyncClient(
            endpoint=server.url,
            secret="s",
            max_attempts=1,
            http_read_timeout=timedelta(milliseconds=50),
        ) as client,
    ):
        with pytest.raises(NetworkError, match="ReadTimeout"):
            await client.query(fql("1"))
        assert (await client.query(fql("1"))).data == 1
    assert server.connections == 2

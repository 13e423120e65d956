"""Sending through a pool the user gave: an ``httpx.Client`` or any ``fauna.http.HTTPClient``.

The original driver drove every pool through its ``HTTPClient`` interface,
and its users (and its own tests) rely on that: they subclass ``HTTPXClient``
and override ``request()``, write an ``HTTPClient`` whose responses offer
only ``json()``, or wrap ``httpx.Client.send`` and look at its ``stream``
argument. So a user's pool is reached the same way here:

* an ``HTTPXClient`` as shipped (or a bare ``httpx.Client``, which the
  client wraps in one) sends through ``httpx.Client.send(request,
  stream=False)`` for queries and feeds and ``send(request, stream=True)``
  for streams, with this driver's per-request timeouts;
* anything else, including an ``HTTPXClient`` subclass that overrides
  ``request()`` or ``stream()``, is called through ``request()`` (whose
  response is read with ``json()`` and then closed) and ``stream()``.

A pool the client built itself takes the short path in ``_pools`` instead.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

import httpx

from fauna.client._client_base import invalid_url, network_error
from fauna.client._debug import log_stream_line
from fauna.client._exchanges import Response
from fauna.client._requests import PreparedRequest
from fauna.http import HTTPClient, HTTPXClient


class StreamConnection(Protocol):
    """One open ``/stream/1`` response: status, body lines, and a way to drop it."""

    @property
    def status(self) -> int: ...

    def read(self) -> bytes: ...

    def lines(self) -> Iterator[str | dict[str, Any]]: ...

    def close(self) -> None: ...


def _overrides(session: HTTPClient, method: str) -> bool:
    """Whether ``session`` is not an ``HTTPXClient``, or replaces ``method`` of it."""
    if not isinstance(session, HTTPXClient):
        return True
    return getattr(type(session), method) is not getattr(HTTPXClient, method)


def session_exchange(session: HTTPClient, request: PreparedRequest) -> Response:
    """Send ``request`` through ``session``; status, headers and the whole body."""
    if not _overrides(session, "request"):
        assert isinstance(session, HTTPXClient)
        response = session._send(
            request.method,
            request.url,
            request.headers,
            request.content,
            stream=False,
            timeout=request.timeout,
        )
        return response.status_code, response.headers, response.content
    legacy = session.request(request.method, request.url, request.headers, request.body)
    try:
        status, headers = legacy.status_code(), legacy.headers()
        # The original driver only ever asked a response for json(), so some offer no more.
        body = json.dumps(legacy.json(), ensure_ascii=False).encode()
    finally:
        legacy.close()
    return status, headers, body


def session_stream(session: HTTPClient, request: PreparedRequest) -> StreamConnection:
    """Open ``request``'s stream through ``session``."""
    if not _overrides(session, "stream"):
        assert isinstance(session, HTTPXClient)
        response = session._send(
            request.method,
            request.url,
            request.headers,
            request.content,
            stream=True,
            timeout=request.timeout,
        )
        return HttpxStreamConnection(response, request.url)
    return LegacyStreamConnection(session.stream(request.url, request.headers, request.body))


def open_httpx_stream(http: httpx.Client, request: PreparedRequest) -> HttpxStreamConnection:
    """Open ``request``'s stream on a pool this driver built."""
    try:
        built = http.build_request(
            request.method,
            request.url,
            content=request.content,
            headers=request.headers,
            timeout=request.timeout,
        )
        response = http.send(built, stream=True)
    except httpx.InvalidURL as error:
        raise invalid_url() from error
    except httpx.TransportError as error:
        raise network_error(error, request.url) from error
    return HttpxStreamConnection(response, request.url)


class HttpxStreamConnection:
    """An open streaming ``httpx.Response``."""

    def __init__(self, response: httpx.Response, url: str) -> None:
        self._response = response
        self._url = url

    @property
    def status(self) -> int:
        return self._response.status_code

    def read(self) -> bytes:
        try:
            return self._response.read()
        except httpx.TransportError as error:
            raise network_error(error, self._url) from error

    def lines(self) -> Iterator[str | dict[str, Any]]:
        try:
            for line in self._response.iter_lines():
                log_stream_line(self._url, line)
                yield line
        except httpx.TransportError as error:
            raise network_error(error, self._url) from error

    def close(self) -> None:
        # A thread blocked reading this stream only wakes when the socket itself is shut
        # down; closing the response alone leaves its recv() waiting for the next event.
        network_stream = self._response.extensions.get("network_stream")
        sock = network_stream.get_extra_info("socket") if network_stream is not None else None
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._response.close()


class LegacyStreamConnection:
    """A stream through a custom ``HTTPClient``; it checks the status itself."""

    def __init__(self, context: AbstractContextManager[Iterator[Any]]) -> None:
        self._context = context
        self._events = context.__enter__()

    @property
    def status(self) -> int:
        # A custom HTTPClient raises for a failed stream itself, so an open one is a 200.
        return 200

    def read(self) -> bytes:
        return b""

    def lines(self) -> Iterator[dict[str, Any]]:
        yield from self._events

    def close(self) -> None:
        self._context.__exit__(None, None, None)

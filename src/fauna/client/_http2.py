"""HTTP/2 for ``Client(http2=True)`` and ``AsyncClient(http2=True)``: httpx's pools, made GOAWAY-safe.

The HTTP/2 itself is httpx's (httpcore over ``h2``). What this module adds is
the one decision httpcore leaves to its caller: after a failure, may the
request go out again? Only when HTTP/2 proves FaunaDB never started on it:

* ``GOAWAY`` whose last stream id is below the request's stream (RFC 9113
  §6.8: such streams were not processed). httpcore already moves those
  requests to a new connection itself, except when the last stream id is 0,
  which it raises; that case is retried here.
* ``RST_STREAM`` with ``REFUSED_STREAM`` (RFC 9113 §8.7).

Anything else (a reset with another code, a ``GOAWAY`` that covers the
request's stream, a connection dropped mid-response) leaves the query's fate
unknown: it may have run, so it is never re-sent and the caller gets a
``NetworkError``. A connection that received ``GOAWAY`` is never used again
(httpcore closes it once its streams end); an idle one is closed after
``http_idle_timeout``, so a peer's idle timeout rarely meets a request.

Cleartext endpoints (``http://``) speak HTTP/2 with prior knowledge, since
httpx would otherwise stay on HTTP/1.1 for them (see ``ClientConfig.pool_options``).

Not here: HTTP/2 when the environment names proxies (the pool is then built
by httpx itself, as for HTTP/1.1), and re-sending for any other reason,
which is the retry policy's business.
"""

from __future__ import annotations

from typing import Any

import httpx

from fauna.client._debug import logger

MAX_SENDS = 3
"""Sends of one request at most, when every earlier one was refused unprocessed."""

_REFUSED_STREAM = 0x7


def unprocessed(error: BaseException) -> bool:
    """Whether HTTP/2 proves the server never processed the request that failed with ``error``."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        for arg in cause.args:
            if _is_refusal(arg):
                return True
        cause = cause.__cause__ or cause.__context__
    return False


def _is_refusal(event: object) -> bool:
    # h2's event objects, matched by name and fields so that h2 need not be importable here.
    kind = type(event).__name__
    if kind == "ConnectionTerminated":
        return getattr(event, "last_stream_id", None) == 0
    if kind == "StreamReset":
        return int(getattr(event, "error_code", -1)) == _REFUSED_STREAM
    return False


def require_h2() -> None:
    try:
        import h2  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "HTTP/2 needs the 'h2' package: install the driver's 'http2' extra "
            "(pip install 'fauna[http2]')."
        ) from error


def _note_resend(request: httpx.Request, error: BaseException, send: int) -> None:
    logger.debug(
        "fauna: %s %s was refused unprocessed over HTTP/2 (%s); sending it again (%d of %d)",
        request.method,
        request.url,
        error,
        send + 1,
        MAX_SENDS,
    )


class HTTP2Transport(httpx.BaseTransport):
    """``httpx.HTTPTransport`` over HTTP/2 that re-sends only refused-unprocessed requests."""

    def __init__(self, options: dict[str, Any]) -> None:
        require_h2()
        self._inner = httpx.HTTPTransport(
            http1=options["http1"], http2=True, limits=options["limits"], trust_env=True
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        send = 1
        while True:
            try:
                return self._inner.handle_request(request)
            except httpx.TransportError as error:
                if send >= MAX_SENDS or not unprocessed(error):
                    raise
                _note_resend(request, error, send)
                send += 1

    def close(self) -> None:
        self._inner.close()


class AsyncHTTP2Transport(httpx.AsyncBaseTransport):
    """The asyncio twin of ``HTTP2Transport``."""

    def __init__(self, options: dict[str, Any]) -> None:
        require_h2()
        self._inner = httpx.AsyncHTTPTransport(
            http1=options["http1"], http2=True, limits=options["limits"], trust_env=True
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        send = 1
        while True:
            try:
                return await self._inner.handle_async_request(request)
            except httpx.TransportError as error:
                if send >= MAX_SENDS or not unprocessed(error):
                    raise
                _note_resend(request, error, send)
                send += 1

    async def aclose(self) -> None:
        await self._inner.aclose()

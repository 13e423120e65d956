"""The httpx pools the clients send through, and the short path to the wire of those they built.

A query through ``httpx.Client.request`` spends a good part of the driver's
per-query cost in httpx's client layer: merging default headers, cookie
handling, redirect and auth machinery, event hooks. A pool a client built
uses none of those features, so for such a pool ``SyncPool.send`` (and
``AsyncPool.open``) build the ``httpx.Request`` themselves and hand it
straight to the pool's transport, through public httpx API only. What
reaches the wire is the same as through the client layer: the same headers
in the same order (httpx's defaults, then the request's), the same timeouts,
and cookies a server sets are kept and sent back.

One client-layer feature does change the wire: proxies named by the
environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``).
When any is set, a pool is built the ordinary way and every request goes
through the client layer, so those proxies apply exactly as httpx applies
them.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import httpx

from fauna.client._requests import PreparedRequest


def environment_names_proxies() -> bool:
    """Whether the environment configures proxies (or proxy exceptions) for httpx to apply."""
    # httpx reads its proxy settings through this very function.
    return bool(urllib.request.getproxies())


class _RequestBuilder:
    """What the client layer would add to a request: the pool's headers and its cookies."""

    def __init__(self, client: httpx.Client | httpx.AsyncClient) -> None:
        self._cookies = client.cookies
        self._default_headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in client.headers.raw
        ]

    def build(self, request: PreparedRequest) -> httpx.Request:
        built = httpx.Request(
            request.method,
            request.url,
            headers=self._merged_headers(request.headers),
            content=request.content,
            extensions={"timeout": request.timeout.as_dict()},
        )
        if self._cookies.jar:
            self._cookies.set_cookie_header(built)
        return built

    def received(self, response: httpx.Response, request: httpx.Request) -> None:
        """Note a response's head: keep the cookies it sets."""
        response.request = request
        if "set-cookie" in response.headers:
            self._cookies.extract_cookies(response)

    def _merged_headers(self, headers: dict[str, str]) -> list[tuple[str, str]]:
        """The pool's headers, then ``headers``: the order ``httpx.Client`` merges them in.

        A default named again (in any case) gives way to the request's header,
        which takes the request's place in the order.
        """
        replaced = {name.lower() for name in headers}
        merged = [item for item in self._default_headers if item[0].lower() not in replaced]
        merged.extend(headers.items())
        return merged


class SyncPool:
    """An ``httpx.Client`` to send through; ``direct``: its transport, when the driver built it.

    Without ``direct`` (a pool a user gave, or one that must apply environment
    proxies) requests take the ordinary ``httpx.Client`` path.
    """

    def __init__(self, client: httpx.Client, direct: httpx.BaseTransport | None = None) -> None:
        self.client = client
        self.direct = direct
        self._builder = _RequestBuilder(client) if direct is not None else None

    @classmethod
    def owned(cls, transport: httpx.BaseTransport | None, options: dict[str, Any]) -> SyncPool:
        """A new pool from ``options`` (``ClientConfig.pool_options``) over ``transport``.

        ``None`` means a real connection pool; tests pass an ``httpx.MockTransport``.
        """
        if transport is None and not environment_names_proxies():
            # The transport httpx.Client would build for itself from these options.
            transport = httpx.HTTPTransport(
                http1=options["http1"],
                http2=options["http2"],
                limits=options["limits"],
                trust_env=True,
            )
        # Given a transport, httpx.Client applies no environment proxies: the two paths agree.
        return cls(httpx.Client(transport=transport, **options), transport)

    def send(self, request: PreparedRequest) -> httpx.Response:
        """Send ``request`` and read the whole response; raises httpx's exceptions."""
        transport, builder = self.direct, self._builder
        if transport is None or builder is None:
            return self.client.request(
                request.method,
                request.url,
                content=request.content,
                headers=request.headers,
                timeout=request.timeout,
            )
        built = builder.build(request)
        response = transport.handle_request(built)
        try:
            builder.received(response, built)
            response.read()
        except BaseException:
            response.close()
            raise
        return response


class AsyncPool:
    """An ``httpx.AsyncClient`` to send through; ``direct``: its transport, when ours."""

    def __init__(
        self, client: httpx.AsyncClient, direct: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.client = client
        self.direct = direct
        self._builder = _RequestBuilder(client) if direct is not None else None

    @classmethod
    def owned(
        cls, transport: httpx.AsyncBaseTransport | None, options: dict[str, Any]
    ) -> AsyncPool:
        """A new pool from ``options`` over ``transport`` (``None``: httpx's own, which is
        what applies proxies named in the environment)."""
        return cls(httpx.AsyncClient(transport=transport, **options), transport)

    async def open(self, request: PreparedRequest) -> httpx.Response:
        """Send ``request``; return the response once its head arrived, body unread."""
        transport, builder = self.direct, self._builder
        if transport is None or builder is None:
            built = self.client.build_request(
                request.method,
                request.url,
                content=request.content,
                headers=request.headers,
                timeout=request.timeout,
            )
            return await self.client.send(built, stream=True)
        built = builder.build(request)
        response = await transport.handle_async_request(built)
        try:
            builder.received(response, built)
        except BaseException:
            await response.aclose()
            raise
        return response

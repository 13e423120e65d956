"""The connection pool a sync ``Client`` builds for itself, and its short path to the wire.

A query through ``httpx.Client.request`` spends a good part of the driver's
per-query cost in httpx's client layer: merging default headers, cookie
handling, redirect and auth machinery, event hooks. A pool the client built
uses none of those features, so ``OwnedPool.send`` builds the
``httpx.Request`` itself and hands it straight to the pool's transport,
through public httpx API only. What reaches the wire is the same as through
the client layer: the same headers in the same order (httpx's defaults, then
the client's, then the request's), the same timeouts, cookies a server sets
are kept and sent back.

One client-layer feature does change the wire: proxies named by the
environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``).
When any is set the pool is built the ordinary way and every request goes
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


class OwnedPool:
    """An ``httpx.Client`` this driver created, with a direct path to its transport.

    ``options`` are ``httpx.Client`` keyword arguments (``ClientConfig.pool_options``).
    ``transport`` is the transport the pool should use (tests pass an
    ``httpx.MockTransport``); ``None`` means a real connection pool.
    """

    def __init__(self, transport: httpx.BaseTransport | None, options: dict[str, Any]) -> None:
        if transport is None and not environment_names_proxies():
            # The transport httpx.Client would build for itself from these options.
            transport = httpx.HTTPTransport(
                http1=options["http1"],
                http2=options["http2"],
                limits=options["limits"],
                trust_env=True,
            )
        # Given a transport, httpx.Client applies no environment proxies: the two paths agree.
        self.client = httpx.Client(transport=transport, **options)
        self._transport = transport
        self._default_headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in self.client.headers.raw
        ]

    def send(self, request: PreparedRequest) -> httpx.Response:
        """Send ``request`` and read the whole response; raises httpx's exceptions."""
        transport = self._transport
        if transport is None:
            return self.client.request(
                request.method,
                request.url,
                content=request.content,
                headers=request.headers,
                timeout=request.timeout,
            )
        built = httpx.Request(
            request.method,
            request.url,
            headers=self._merged_headers(request.headers),
            content=request.content,
            extensions={"timeout": request.timeout.as_dict()},
        )
        cookies = self.client.cookies
        if cookies.jar:
            cookies.set_cookie_header(built)
        response = transport.handle_request(built)
        response.request = built
        try:
            response.read()
        except BaseException:
            response.close()
            raise
        if "set-cookie" in response.headers:
            cookies.extract_cookies(response)
        return response

    def _merged_headers(self, headers: dict[str, str]) -> list[tuple[str, str]]:
        """The pool's headers, then ``headers``: the order ``httpx.Client`` merges them in.

        A default named again (in any case) gives way to the request's header,
        which takes the request's place in the order.
        """
        replaced = {name.lower() for name in headers}
        merged = [item for item in self._default_headers if item[0].lower() not in replaced]
        merged.extend(headers.items())
        return merged

    def close(self) -> None:
        self.client.close()

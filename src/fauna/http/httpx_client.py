"""``HTTPClient`` over an ``httpx.Client``.

A pool a user hands to ``fauna.client.Client`` (an ``httpx.Client``, or one
wrapped in this class) is driven through here, as the original driver does:
every request goes out through ``httpx.Client.send(request, stream=False)``,
every stream through ``send(request, stream=True)``, so code that wraps or
patches ``send`` sees the calls it expects. ``Client`` adds its per-request
timeouts through ``_send``; a subclass that overrides ``request()``
or ``stream()`` is called through that override instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

import httpx

from fauna.client._debug import log_request, log_response, log_stream_line
from fauna.client._responses import load_body, parse_json, raise_error_response
from fauna.errors import ClientError, NetworkError
from fauna.http.http_client import HTTPClient, HTTPResponse


def _json_bytes(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


class HTTPXResponse(HTTPResponse):
    """An ``HTTPResponse`` over an ``httpx.Response``."""

    def __init__(self, response: httpx.Response) -> None:
        self._r = response

    def headers(self) -> Mapping[str, str]:
        return dict(self._r.headers)

    def status_code(self) -> int:
        return self._r.status_code

    def json(self) -> Any:
        return parse_json(self._r.status_code, self.read(), str(self._r.url))

    def text(self) -> str:
        return self.read().decode("utf-8")

    def read(self) -> bytes:
        try:
            return self._r.read()
        except httpx.TransportError as error:
            raise NetworkError(f"Failed to read response from {self._r.url}: {error}") from error

    def iter_bytes(self, size: int | None = None) -> Iterator[bytes]:
        return self._r.iter_bytes(size)

    def close(self) -> None:
        try:
            self._r.close()
        except Exception as error:
            raise ClientError("Error closing response") from error


class HTTPXClient(HTTPClient):
    """An ``HTTPClient`` backed by ``client``; ``logger`` receives request logs."""

    def __init__(self, client: httpx.Client, logger: logging.Logger | None = None) -> None:
        self._c = client
        self._logger = logger or logging.getLogger("fauna")

    @property
    def client(self) -> httpx.Client:
        """The wrapped ``httpx.Client``."""
        return self._c

    def request(
        self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
    ) -> HTTPResponse:
        content = _json_bytes(data)
        log_request(method, url, headers, content)
        response = self._send(method, url, headers, content, stream=False)
        log_response(url, response.status_code, response.headers, response.content)
        return HTTPXResponse(response)

    def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes,
        *,
        stream: bool,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Send a serialised body through ``httpx.Client.send``; read it all unless ``stream``.

        ``timeout`` (``None``: the wrapped client's own) applies to this request
        only. httpx failures come out as ``ClientError``/``NetworkError``.
        """
        try:
            request = self._c.build_request(
                method,
                url,
                content=content,
                headers=headers,
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
            )
        except httpx.InvalidURL as error:
            raise ClientError("Invalid URL Format") from error
        try:
            return self._c.send(request, stream=stream)
        except httpx.InvalidURL as error:
            raise ClientError("Invalid URL Format") from error
        except httpx.TransportError as error:
            raise NetworkError(f"{type(error).__name__} while calling {url}: {error}") from error

    def stream(self, url: str, headers: Mapping[str, str], data: Mapping[str, Any]) -> EventLines:
        """POST ``data`` to ``url`` and give the response's lines as parsed JSON.

        Use it as ``with http.stream(...) as events:``, or iterate it directly
        (the request is then sent on the first step and closed at the end).
        """
        return EventLines(self, url, headers, data)

    @staticmethod
    def _events(response: httpx.Response, url: str) -> Iterator[Any]:
        try:
            for line in response.iter_lines():
                if line.strip():
                    log_stream_line(url, line)
                    yield json.loads(line)
        except httpx.TransportError as error:
            raise NetworkError(f"{type(error).__name__} reading {url}: {error}") from error

    def close(self) -> None:
        self._c.close()


class EventLines(AbstractContextManager[Iterator[Any]]):
    """What ``HTTPXClient.stream`` returns: a context manager over the events, itself iterable."""

    def __init__(
        self, http: HTTPXClient, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
    ) -> None:
        self._http = http
        self._url = url
        self._headers = headers
        self._data = data
        self._response: httpx.Response | None = None

    def __enter__(self) -> Iterator[Any]:
        url = self._url
        content = _json_bytes(self._data)
        log_request("POST", url, self._headers, content)
        response = self._http._send("POST", url, self._headers, content, stream=True)
        self._response = response
        if response.status_code != 200:
            try:
                body = response.read()
            finally:
                self.__exit__(None, None, None)
            raise_error_response(
                response.status_code, load_body(response.status_code, body, url), url
            )
        return HTTPXClient._events(response, url)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        response, self._response = self._response, None
        if response is not None:
            response.close()

    def __iter__(self) -> Iterator[Any]:
        with self as events:
            yield from events

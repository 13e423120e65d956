"""Sending through a pool the user gave: an ``httpx.Client`` or any ``fauna.http.HTTPClient``.

The original driver drove every pool through its ``HTTPClient`` interface,
and its users (and its own tests) rely on that: they subclass ``HTTPXClient``
and override ``request()``, write an ``HTTPClient`` whose responses offer
only ``json()``, or wrap ``httpx.Client.send`` and look at its ``stream``
argument. So a user's pool is reached the same way here:

* an ``HTTPXClient`` as shipped (or a bare ``httpx.Client``, which the
  client wraps in one) sends through ``httpx.Client.send(request,
  stream=False)`` for queries and feeds (``session_exchange``) and
  ``send(request, stream=True)`` for streams (on the ``httpx.Client`` that
  ``streams_through`` names), with this driver's per-request timeouts;
* anything else, including an ``HTTPXClient`` subclass that overrides
  ``request()`` or ``stream()``, is called through ``request()`` (whose
  response is read with ``json()`` and then closed) and ``stream()``.

A pool the client built itself takes the short path in ``_pools`` instead.
"""

from __future__ import annotations

import json

import httpx

from fauna.client._exchanges import Response
from fauna.client._requests import PreparedRequest
from fauna.http import HTTPClient, HTTPResponse, HTTPXClient


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
        body = _body_of(legacy)
    finally:
        legacy.close()
    return status, headers, body


def _body_of(response: HTTPResponse) -> bytes:
    """The body of a custom client's response, as bytes for the response parser."""
    try:
        # The original driver only ever asked a response for json(), so some offer no more.
        payload = response.json()
    except NotImplementedError:
        return response.read()
    return json.dumps(payload, ensure_ascii=False).encode()


def streams_through(session: HTTPClient) -> httpx.Client | None:
    """The ``httpx.Client`` to open streams on for ``session``; ``None``: use its ``stream()``."""
    if _overrides(session, "stream"):
        return None
    assert isinstance(session, HTTPXClient)
    return session.client

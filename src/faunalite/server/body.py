"""Reading a request body under FaunaDB's size cap, for every endpoint.

``/query/1``, ``/stream/1`` and ``/feed/1`` all read their body through ``read_body``: a
declared ``Content-Length`` over the cap is refused before anything is read, and a body that
grows past it (chunked, or HTTP/2 frames) is refused as soon as it does, so an oversized
request never sits in memory. The reply to it is the endpoint's business.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

MAX_BODY_BYTES = 8 * 1024 * 1024
"""FaunaDB's ``HttpServer.MaxRequestSize``."""


class BodyTooLarge(Exception):
    """The request body is (or says it is) over ``MAX_BODY_BYTES``."""


async def read_body(
    headers: dict[str, str], receive: Receive, limit: int = MAX_BODY_BYTES
) -> bytes:
    """The whole body, or ``BodyTooLarge``; a client that leaves early gives what came."""
    declared = headers.get("content-length", "")
    # ASCII digits only: "²".isdigit() holds, but int() refuses it.
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)

"""``read_body``: the one body reader, with the size cap, fed ASGI messages directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

from faunalite.server.body import MAX_BODY_BYTES, BodyTooLarge, read_body


def messages(*items: MutableMapping[str, Any]) -> Callable[[], Awaitable[MutableMapping[str, Any]]]:
    queue = list(items)

    async def receive() -> MutableMapping[str, Any]:
        return queue.pop(0)

    return receive


def chunk(data: bytes, more: bool = True) -> dict[str, Any]:
    return {"type": "http.request", "body": data, "more_body": more}


async def test_joins_the_chunks() -> None:
    receive = messages(chunk(b"ab"), chunk(b"cd", more=False))
    assert await read_body({}, receive) == b"abcd"


async def test_a_body_exactly_at_the_cap_is_read() -> None:
    receive = messages(chunk(b"x" * 4), chunk(b"y" * 4, more=False))
    assert await read_body({}, receive, limit=8) == b"xxxxyyyy"


async def test_one_byte_over_the_cap_is_refused_without_reading_further() -> None:
    receive = messages(chunk(b"x" * 8), chunk(b"y"), chunk(b"never read", more=False))
    with pytest.raises(BodyTooLarge):
        await read_body({}, receive, limit=8)


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    receive = messages()  # nothing may be read
    with pytest.raises(BodyTooLarge):
        await read_body({"content-length": str(MAX_BODY_BYTES + 1)}, receive)


async def test_a_disconnect_ends_the_body() -> None:
    receive = messages(chunk(b"part"), {"type": "http.disconnect"})
    assert await read_body({}, receive) == b"part"


async def test_a_content_length_that_is_no_ascii_number_is_left_to_the_body() -> None:
    receive = messages(chunk(b"ab", more=False))
    assert await read_body({"content-length": "\u00b2"}, receive) == b"ab"

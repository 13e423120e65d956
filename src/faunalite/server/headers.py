"""Reading the ``/query/1`` request headers as FaunaDB does (reference §3.2). No I/O.

``read_query_headers`` validates every header FaunaDB reads, in FaunaDB's order, and returns
``QueryHeaders`` or raises ``InvalidHeader`` with the exact ``Invalid header '<name>': <reason>``
message. ``response_traceparent`` makes the ``traceparent`` reply header.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from faunalite.engine import DEFAULT_TIMEOUT_MS, WireFormat

MAX_TIMEOUT_MS = 600_000
TAGS_MAX_LENGTH = 3000
TAGS_MAX_PAIRS = 25
TAG_KEY_MAX_LENGTH = 40
TAG_VALUE_MAX_LENGTH = 80

_LONG_RE = re.compile(r"[+-]?[0-9]+\Z")
_TAG_PAIR_RE = re.compile(r"([A-Za-z0-9_]+)=([A-Za-z0-9_]+)\Z")
_TRACEPARENT_RE = re.compile(r"[0-9a-fA-F]{2}-([0-9a-fA-F]{32})-[0-9a-fA-F]{16}-[0-9a-fA-F]{2}\Z")
_FORMATS: tuple[WireFormat, ...] = ("simple", "tagged", "decorated")


class InvalidHeader(Exception):
    """A header FaunaDB would refuse; ``message`` is the full ``invalid_request`` message."""

    def __init__(self, name: str, reason: str) -> None:
        self.message = f"Invalid header '{name}': {reason}"
        super().__init__(self.message)


@dataclass(slots=True)
class QueryHeaders:
    """The request options carried by headers."""

    format: WireFormat = "simple"
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    last_txn_ts: int | None = None
    max_contention_retries: int | None = None
    typecheck: bool | None = None
    linearized: bool = False
    performance_hints: bool = False
    query_tags: dict[str, str] = field(default_factory=dict)


def _long(text: str) -> int | None:
    if _LONG_RE.match(text) is None:
        return None
    number = int(text)
    return number if -(2**63) <= number < 2**63 else None


def _boolean(name: str, text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise InvalidHeader(name, "Must be a boolean value.")
    return lowered == "true"


def parse_query_tags(text: str) -> dict[str, str]:
    """``k=v,k=v`` as FaunaDB reads ``x-query-tags``; raises ``ValueError(reason)``.

    FaunaDB checks and collects the pairs from the last to the first, so the first problem
    reported is the rightmost one and the tags come back in reverse order.
    """
    if len(text) > TAGS_MAX_LENGTH:
        raise ValueError("header is too long")
    if text == "":
        return {}
    pairs = []
    for item in text.split(","):
        match = _TAG_PAIR_RE.match(item)
        if match is None:
            raise ValueError("invalid tags")
        pairs.append((match[1], match[2]))
    if len(pairs) > TAGS_MAX_PAIRS:
        raise ValueError("too many tags")
    tags: dict[str, str] = {}
    for key, value in reversed(pairs):
        if len(key) > TAG_KEY_MAX_LENGTH:
            raise ValueError("invalid key")
        if len(value) > TAG_VALUE_MAX_LENGTH:
            raise ValueError("invalid value")
        if key in tags:
            raise ValueError("duplicate key")
        tags[key] = value
    return tags


def read_query_headers(headers: Mapping[str, str]) -> QueryHeaders:
    """Validate the headers of a ``/query/1`` request (names in lower case)."""
    options = QueryHeaders()
    text = headers.get("x-last-txn-ts")
    if text is not None:
        options.last_txn_ts = _long(text)
        if options.last_txn_ts is None:
            raise InvalidHeader("x-last-txn-ts", f"Invalid timestamp '{text}'.")
    text = headers.get("x-query-timeout-ms")
    if text is not None:
        timeout = _long(text)
        if timeout is None:
            raise InvalidHeader("x-query-timeout-ms", f"Invalid number '{text}'.")
        if timeout <= 0:
            raise InvalidHeader("x-query-timeout-ms", "Must be greater than 0.")
        if timeout > MAX_TIMEOUT_MS:
            raise InvalidHeader(
                "x-query-timeout-ms", f"Must be less than or equal to {MAX_TIMEOUT_MS}."
            )
        options.timeout_ms = timeout
    text = headers.get("x-max-contention-retries")
    if text is not None:
        retries = _long(text)
        if retries is None or not -(2**31) <= retries < 2**31:
            raise InvalidHeader("x-max-contention-retries", f"Invalid number '{text}'.")
        if not 0 <= retries <= 7:
            raise InvalidHeader("x-max-contention-retries", "Must be between 0 and 7.")
        options.max_contention_retries = retries
    text = headers.get("x-query-tags")
    if text is not None:
        try:
            options.query_tags = parse_query_tags(text)
        except ValueError as error:
            raise InvalidHeader("x-query-tags", str(error))
    text = headers.get("x-format")
    if text is not None:
        if text not in _FORMATS:
            raise InvalidHeader("x-format", f"Invalid format {text}")
        options.format = text
    text = headers.get("x-typecheck")
    if text is not None:
        options.typecheck = _boolean("x-typecheck", text)
    text = headers.get("x-linearized")
    if text is not None:
        options.linearized = _boolean("x-linearized", text)
    text = headers.get("x-performance-hints")
    if text is not None:
        options.performance_hints = _boolean("x-performance-hints", text)
    return options


def response_traceparent(request_traceparent: str | None) -> str:
    """The reply's ``traceparent``: the caller's trace id (or a new one) with a new span id.

    The sampled flag is never set: FaunaDB honours it only with a matching trace secret.
    """
    match = _TRACEPARENT_RE.match(request_traceparent or "")
    trace_id = match[1].lower() if match else secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-00"

"""Event-feed state and pages, with no I/O.

``FeedState`` says which ``/feed/1`` request to send next and digests each
response into a ``FeedPage``; the shells only send requests and sleep on
throttling. The cursor it holds can be stored and passed back later through
``FeedOptions(cursor=...)`` to resume.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from fauna.client._config import ClientConfig
from fauna.client._options import FeedOptions
from fauna.client._requests import PreparedRequest, build_feed_request
from fauna.client._responses import (
    check_event,
    load_body,
    raise_error_response,
    raise_event_error,
)
from fauna.client.utils import LastTxnTs
from fauna.encoding import QueryStats
from fauna.errors import ProtocolError

_START_AND_CURSOR = "Only one of 'start_ts' or 'cursor' can be defined in the FeedOptions."


class FeedPage:
    """One page of feed events.

    Iterating yields the events in order and raises the mapped exception on
    reaching an ``error`` event, so the events before it are still handled.
    """

    def __init__(
        self,
        events: list[Any],
        cursor: str,
        stats: QueryStats,
        has_next: bool = False,
        endpoint: str = "",
    ) -> None:
        self._events = events
        self.cursor = cursor
        self.stats = stats
        self.has_next = has_next
        self._endpoint = endpoint

    @property
    def events(self) -> list[Any]:
        """The decoded events, ``error`` events included (not raised)."""
        return self._events

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Any]:
        for event in self._events:
            if event.get("type") == "error":
                raise_event_error(event, self._endpoint)
            yield event

    def __repr__(self) -> str:
        return (
            f"FeedPage(events={len(self._events)}, cursor={self.cursor!r}, "
            f"has_next={self.has_next})"
        )


class FeedState:
    """Cursor bookkeeping for one event feed."""

    def __init__(
        self, config: ClientConfig, token: str, opts: FeedOptions, last_txn_ts: LastTxnTs
    ) -> None:
        if opts.start_ts is not None and opts.cursor is not None:
            raise TypeError(_START_AND_CURSOR)
        self._config = config
        self._token = token
        self._opts = opts
        self._last_txn_ts = last_txn_ts
        self.cursor: str | None = opts.cursor
        """Where the next page starts; store it to resume the feed later."""
        self._start_ts = opts.start_ts
        self.done = False
        self.policy = dataclasses.replace(
            config.retry_policy,
            max_attempts=opts.max_attempts or config.max_attempts,
            max_backoff=opts.max_backoff or config.max_backoff,
        )

    @property
    def url(self) -> str:
        return self._config.endpoint + "/feed/1"

    def next_request(self) -> PreparedRequest | None:
        """The request for the next page, or ``None`` once the feed has no more."""
        if self.done:
            return None
        return build_feed_request(
            self._config, self._token, self._opts, cursor=self.cursor, start_ts=self._start_ts
        )

    def accept_page(self, status: int, body: bytes) -> FeedPage:
        """Digest one ``/feed/1`` response; raises the mapped error for a failed one."""
        payload = load_body(status, body, self.url)
        if status > 399:
            raise_error_response(status, payload, self.url)
        if not isinstance(payload, dict) or not isinstance(payload.get("cursor"), str):
            raise ProtocolError(
                status, f"Response is in an unknown format: \n{payload!r}\nendpoint: {self.url}"
            )
        events = [check_event(event, self.url) for event in payload.get("events") or []]
        for event in events:
            txn_ts = event.get("txn_ts")
            if isinstance(txn_ts, int):
                self._last_txn_ts.update_txn_time(txn_ts)
        has_next = bool(payload.get("has_next"))
        # From now on the cursor says where to continue; start_ts has done its job.
        self.cursor = payload["cursor"]
        self._start_ts = None
        self.done = not has_next
        return FeedPage(
            events, self.cursor, QueryStats(payload.get("stats") or {}), has_next, self.url
        )

    def restart(self) -> None:
        """Poll again from the stored cursor (new events may have arrived)."""
        self.done = False

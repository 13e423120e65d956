"""Event-stream state, with no I/O: what to send, what to deliver, when to reconnect.

A shell (sync or async) loops like this::

    while True:
        request = state.request()        # first connect or reconnect
        open it; on a non-200 status: state.reject_response(status, body)
        for each line: event = state.accept(line); deliver it unless None
        on EOF or NetworkError: delay = state.on_disconnect(error); sleep; continue

Reconnects resume after the last event seen (its cursor), so nothing is
delivered twice or lost. Consecutive connections that bring no new event
(a ``start`` event alone is none) are bounded by ``max_attempts``: FaunaDB
never ends a healthy stream, so a body that keeps ending at once is a fault
to report, not to retry forever. Giving up raises ``StreamDisconnected``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from fauna.client._config import ClientConfig
from fauna.client._options import StreamOptions
from fauna.client._requests import PreparedRequest, build_stream_request
from fauna.client._responses import (
    check_event,
    load_body,
    raise_error_response,
    raise_event_error,
)
from fauna.client.utils import LastTxnTs
from fauna.encoding import FaunaDecoder
from fauna.errors import (
    ClientError,
    FaunaException,
    NetworkError,
    ProtocolError,
    RetryableFaunaException,
)

_START_AND_CURSOR = "Only one of 'start_ts' or 'cursor' can be defined in the StreamOptions."
_CURSOR_WITH_QUERY = "The 'cursor' configuration can only be used with an event source."


class StreamDisconnected(NetworkError, RetryableFaunaException):
    """A stream gave up: ``max_attempts`` connections in a row brought no new event.

    A ``NetworkError``, and a ``RetryableFaunaException`` as the original driver raised
    once its retries ran out. When the last reconnect failed, its message is that failure's,
    which is also the ``__cause__``.
    """


def validate_stream_options(opts: StreamOptions, from_query: bool) -> None:
    """Reject option combinations before anything is sent."""
    if opts.start_ts is not None and opts.cursor is not None:
        raise TypeError(_START_AND_CURSOR)
    if from_query and opts.cursor is not None:
        raise ClientError(_CURSOR_WITH_QUERY)


class StreamState:
    """Cursor and reconnection bookkeeping for one ``/stream/1`` subscription."""

    def __init__(
        self,
        config: ClientConfig,
        token: str,
        opts: StreamOptions,
        last_txn_ts: LastTxnTs,
    ) -> None:
        validate_stream_options(opts, from_query=False)
        self._config = config
        self._token = token
        self._start_ts = opts.start_ts
        self._status_events = opts.status_events
        self._last_txn_ts = last_txn_ts
        self.policy = dataclasses.replace(
            config.retry_policy,
            max_attempts=opts.max_attempts or config.max_attempts,
            max_backoff=opts.max_backoff or config.max_backoff,
        )
        self.last_ts: int | None = None
        """Transaction time of the last event received (status events included)."""
        self.last_cursor: str | None = opts.cursor
        """Cursor of the last event received; where a reconnect resumes."""
        self.closed = False
        self._failed = False
        self._failures = 0

    @property
    def url(self) -> str:
        return self._config.endpoint + "/stream/1"

    def request(self) -> PreparedRequest:
        """The request that (re)opens the stream just after the last event seen."""
        if self.last_cursor is not None:
            return build_stream_request(self._config, self._token, cursor=self.last_cursor)
        # Without a cursor, the last event's txn time is the next best resume point.
        start_ts = self.last_ts if self.last_ts is not None else self._start_ts
        return build_stream_request(self._config, self._token, start_ts=start_ts)

    def reject_response(self, status: int, body: bytes) -> None:
        """Raise the mapped error for a stream that did not open (status != 200)."""
        raise_error_response(status, load_body(status, body, self.url), self.url)

    def accept(self, line: str | bytes | dict[str, Any]) -> dict[str, Any] | None:
        """Take one line (or parsed JSON object) of the stream body.

        Returns the event to deliver, or ``None`` when there is nothing to
        deliver (a blank line, a ``start`` event, a swallowed ``status``
        event). An ``error`` event raises the mapped exception.
        """
        if isinstance(line, (str, bytes)):
            if not line.strip():
                return None
            try:
                decoded = FaunaDecoder.loads(line)
            except json.JSONDecodeError as error:
                # A cut-off line is what a dropped connection leaves behind:
                # treat it as a drop, so the stream resumes from the last cursor.
                raise NetworkError(f"Malformed stream line from {self.url}: {line!r}") from error
            except ValueError as error:
                raise ProtocolError(200, f"Undecodable event from {self.url}: {line!r}") from error
        else:
            decoded = FaunaDecoder.decode(line)
        event = check_event(decoded, self.url)
        event_type = event["type"]
        if event_type == "error":
            # FaunaDB ends the stream after an error event: never reconnect past it.
            self._failed = True
            raise_event_error(event, self.url)
        cursor = event.get("cursor")
        if event_type == "start":
            self._note_position(event.get("txn_ts"), cursor)
            return None
        if isinstance(cursor, str) and cursor == self.last_cursor:
            # Already seen (a server replaying after a reconnect): neither news nor progress.
            return None
        self._failures = 0
        self._note_position(event.get("txn_ts"), cursor)
        if event_type == "status" and not self._status_events:
            return None
        return event

    def _note_position(self, txn_ts: object, cursor: object) -> None:
        if isinstance(txn_ts, int):
            self.last_ts = txn_ts
            self._last_txn_ts.update_txn_time(txn_ts)
        if isinstance(cursor, str):
            self.last_cursor = cursor

    def on_disconnect(self, error: FaunaException | None) -> float:
        """Seconds to wait before reconnecting after ``error`` (``None``: the body ended).

        Raises ``error`` (or a ``NetworkError`` for a silent end) when the
        stream must not reconnect: the failure is not transient, or
        ``max_attempts`` consecutive connections failed.
        """
        transient = error is None or isinstance(error, (NetworkError, RetryableFaunaException))
        if self.closed or self._failed or not transient:
            if error is None:
                raise NetworkError(f"Stream from {self.url} was closed")
            raise error
        self._failures += 1
        if not self.policy.can_retry(self._failures):
            if isinstance(error, RetryableFaunaException):
                raise error
            if error is not None:
                # Retryable, as the original driver's give-up is, and worded as the last
                # failure: a server that went away reads as the ConnectError it is.
                raise StreamDisconnected(str(error)) from error
            raise StreamDisconnected(
                f"Stream from {self.url} ended {self._failures} times in a row "
                "without a new event; giving up"
            )
        return self.policy.backoff(self._failures)

    def close(self) -> None:
        self.closed = True

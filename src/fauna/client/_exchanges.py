"""The protocol loops, written once as generators that never touch the network.

Each function here is a *conversation*: a generator that yields commands
(``Send`` this request, ``Sleep`` this long, ``Deliver`` this event, ...)
and receives the outcome of each command back. The sync and async clients
only carry the commands out, with blocking or awaited I/O, so the retry
loop, the stream reconnect loop and the pagination loop exist once and the
two clients cannot drift apart.

A failed command (say, a ``NetworkError`` while reading) is thrown into the
conversation at the ``yield`` that asked for it, where the loop decides
whether it ends the conversation or calls for a retry. ``Conversation``
does that bookkeeping so that a shell's driving loop is a few lines.

Not here: the meaning of requests and responses (``_requests``,
``_responses``) and the cursor state (``_streams``, ``_feeds``,
``_pagination``), which these loops call into.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fauna.client._config import ClientConfig
from fauna.client._debug import log_retry
from fauna.client._feeds import FeedPage, FeedState
from fauna.client._options import QueryOptions
from fauna.client._pagination import SetPagination
from fauna.client._requests import PreparedRequest, build_query_request
from fauna.client._responses import complete_query, note_attempts, parse_query_response
from fauna.client._retry import RetryPolicy
from fauna.client._streams import StreamState
from fauna.client.utils import LastTxnTs
from fauna.encoding import QuerySuccess
from fauna.errors import ClientError, FaunaException, NetworkError, RetryableFaunaException
from fauna.query import Page, Query

Response = tuple[int, Mapping[str, str], bytes]
"""Status, headers and the whole body of one HTTP response."""


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``request`` and reply with the complete ``Response``."""

    request: PreparedRequest


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait ``seconds`` (cancellably, in the async client), reply ``None``."""

    seconds: float


@dataclass(frozen=True, slots=True)
class RunQuery:
    """Run ``fql`` as ``Client.query`` does and reply with the result's ``data``."""

    fql: Query


@dataclass(frozen=True, slots=True)
class Connect:
    """Open a streaming response for ``request`` and reply with its status code."""

    request: PreparedRequest


@dataclass(frozen=True, slots=True)
class ReadBody:
    """Read the rest of the open streaming response, reply with its bytes."""


@dataclass(frozen=True, slots=True)
class ReadLine:
    """Reply with the next line of the open streaming response, or ``None`` at its end."""


@dataclass(frozen=True, slots=True)
class Disconnect:
    """Close the open streaming response, if any; reply ``None``."""


@dataclass(frozen=True, slots=True)
class Deliver:
    """Hand ``item`` (a page or an event) to the caller; resume when it asks for more."""

    item: Any


Command = Send | Sleep | RunQuery | Connect | ReadBody | ReadLine | Disconnect | Deliver
ResultT = TypeVar("ResultT")
Steps = Generator[Command, Any, ResultT]


class Conversation(Generic[ResultT]):
    """Steps one conversation: hands out its commands and feeds back their outcomes.

    A shell loops ``while (command := conv.next_command()) is not None``,
    carries the command out and reports ``reply(value)`` or ``fail(error)``.
    Whatever the conversation raises comes out of ``next_command``; when it
    ends, ``next_command`` returns ``None`` and ``result`` holds its value.
    """

    __slots__ = ("_failure", "_reply", "_steps", "result")

    def __init__(self, steps: Steps[ResultT]) -> None:
        self._steps = steps
        self._reply: Any = None
        self._failure: BaseException | None = None
        # Set when the conversation returns; reading it earlier is a bug in the shell.
        self.result: ResultT

    def next_command(self) -> Command | None:
        reply, self._reply = self._reply, None
        failure, self._failure = self._failure, None
        try:
            if failure is not None:
                return self._steps.throw(failure)
            return self._steps.send(reply)
        except StopIteration as finished:
            self.result = finished.value
            return None

    def reply(self, value: Any) -> None:
        self._reply = value

    def fail(self, error: BaseException) -> None:
        self._failure = error


def retrying(
    request: PreparedRequest,
    policy: RetryPolicy,
    what: str,
    accept: Callable[[Response, int], ResultT],
) -> Steps[ResultT]:
    """Send ``request`` until ``accept(response, attempt)`` stops raising a retryable error.

    Only what ``policy`` allows is retried (by default throttling), after the
    backoff it picks: a failed send (``NetworkError``) as well as an error
    response, but never a ``ClientError``, which no retry can mend. The
    attempt count is written onto the stats of the final error.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            response = yield Send(request)
            return accept(response, attempt)
        except FaunaException as error:
            delay = None if isinstance(error, ClientError) else policy.next_delay(attempt, error)
            if delay is None:
                note_attempts(error, attempt)
                raise
            log_retry(what, request.url, attempt, delay, error)
            yield Sleep(delay)


def query_steps(
    config: ClientConfig,
    fql: Query,
    opts: QueryOptions | None,
    last_txn_ts: LastTxnTs,
    policy: RetryPolicy,
    for_models: bool = False,
) -> Steps[QuerySuccess]:
    """One ``/query/1`` call with its throttling retries; returns the decoded result
    (``for_models``: decoded for pydantic models, see ``parse_query_response``)."""
    request = build_query_request(config, fql, opts, last_txn_ts.time)

    def accept(response: Response, attempt: int) -> QuerySuccess:
        status, headers, body = response
        result = parse_query_response(status, headers, body, request.url, for_models)
        return complete_query(result, attempt, last_txn_ts)

    return (yield from retrying(request, policy, "query", accept))


def feed_page_steps(state: FeedState) -> Steps[FeedPage | None]:
    """Fetch the next page of a feed, or return ``None`` when the feed has no more."""
    request = state.next_request()
    if request is None:
        return None

    def accept(response: Response, attempt: int) -> FeedPage:
        status, _, body = response
        return state.accept_page(status, body)

    return (yield from retrying(request, state.policy, "feed", accept))


def pages_steps(start: Query | Page) -> Steps[None]:
    """Deliver the pages of a set one by one, querying for each page when asked for it."""
    pagination = SetPagination(start)
    initial = pagination.initial_page()
    if initial is not None:
        yield Deliver(initial)
    while (query := pagination.next_query()) is not None:
        data = yield RunQuery(query)
        yield Deliver(pagination.accept(data))


def stream_steps(state: StreamState) -> Steps[None]:
    """Deliver stream events until the stream is closed or fails for good.

    A dropped connection, an ended body or a throttled open leads to a
    reconnect from the last cursor after the state's backoff; anything else
    closes the stream and is raised. An error thrown in while the stream is
    already closed is how ``close()`` from elsewhere shows up: a normal end.
    """
    while not state.closed:
        failure: FaunaException | None = None
        try:
            yield from _one_connection(state)
        except (NetworkError, RetryableFaunaException) as error:
            failure = error
        except Exception:
            if state.closed:
                return
            state.close()
            raise
        if state.closed:
            return
        yield Disconnect()
        try:
            delay = state.on_disconnect(failure)
        except BaseException:
            state.close()
            raise
        log_retry("stream", state.url, 0, delay, failure or EOFError("end of stream"))
        yield Sleep(delay)


def _one_connection(state: StreamState) -> Steps[None]:
    """Open the stream once and deliver its events until the body ends."""
    status = yield Connect(state.request())
    if status != 200:
        body = yield ReadBody()
        yield Disconnect()
        state.reject_response(status, body)
    while (line := (yield ReadLine())) is not None:
        event = state.accept(line)
        if event is not None:
            yield Deliver(event)
            if state.closed:
                return

"""``into=T`` for the clients: typed query results, pages and events, with no I/O.

Both shells call these the same way: ``result_target(into)`` compiles ``into`` up front (a bad
type is a ``TypeError`` before anything is sent; ``None`` means "no conversion", which costs
nothing), then ``typed_success``, ``typed_deliveries`` (pages and stream events, wrapped
around the protocol loops of ``_exchanges``) and ``typed_feed_page`` convert what the untyped
code produced. The conversion itself is ``fauna.encoding._typed``'s.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from fauna.client._exchanges import Deliver, Steps
from fauna.client._feeds import FeedPage
from fauna.encoding import QuerySuccess
from fauna.encoding._typed import IntoType

__all__ = [
    "event_target",
    "page_target",
    "result_target",
    "typed_deliveries",
    "typed_event",
    "typed_feed_page",
    "typed_success",
]

ResultT = TypeVar("ResultT")


def result_target(into: Any) -> IntoType[Any] | None:
    """``into`` compiled, or ``None`` when there is nothing to convert."""
    return None if into is None else IntoType(into)


def page_target(into: Any) -> IntoType[list[Any]] | None:
    """What each page of ``paginate(q, into=T)`` is converted into: ``list[T]``."""
    return None if into is None else IntoType(list[into])  # type: ignore[valid-type]


event_target = result_target


def typed_success(result: QuerySuccess[Any], target: IntoType[Any]) -> QuerySuccess[Any]:
    """A copy of ``result`` whose ``data`` is converted; the error keeps ``result`` itself."""
    typed = copy.copy(result)
    typed._data = target.convert(result.data, raw=result)
    return typed


def typed_event(event: dict[str, Any], target: IntoType[Any]) -> dict[str, Any]:
    """``event`` with its ``data`` converted (events without data, e.g. status, pass as is)."""
    if "data" not in event:
        return event
    return {**event, "data": target.convert(event["data"], raw=event)}


def typed_feed_page(page: FeedPage, target: IntoType[Any]) -> FeedPage:
    """``page`` with the data of each event converted; ``error`` events are kept to raise."""
    events = [
        event if event.get("type") == "error" else typed_event(event, target)
        for event in page.events
    ]
    return FeedPage(events, page.cursor, page.stats, page.has_next, page._endpoint)


def typed_deliveries(steps: Steps[ResultT], convert: Callable[[Any], Any]) -> Steps[ResultT]:
    """``steps`` with every ``Deliver``ed item passed through ``convert``.

    Everything else (commands, replies, failures thrown in, the result) goes through
    untouched, so the wrapped loop behaves exactly as it did.
    """
    reply: Any = None
    failure: BaseException | None = None
    while True:
        try:
            command = steps.throw(failure) if failure is not None else steps.send(reply)
        except StopIteration as finished:
            result: ResultT = finished.value
            return result
        if isinstance(command, Deliver):
            command = Deliver(convert(command.item))
        reply, failure = None, None
        try:
            reply = yield command
        except GeneratorExit:
            steps.close()
            raise
        except BaseException as error:
            failure = error

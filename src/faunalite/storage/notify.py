"""Commit notifications: how streams learn about new commits without polling.

A ``CommitHub`` is told of every write commit (after the data is durable and the writer lock is
released) and passes a ``CommitInfo`` to each subscriber, on the committing thread. Threads can
instead block in ``wait_for_commit``. An asyncio consumer subscribes with a callback that hands
over through ``loop.call_soon_threadsafe``; ``async_commit_queue`` packages exactly that.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable

from faunalite.storage.interface import CommitInfo

_log = logging.getLogger(__name__)

CommitCallback = Callable[[CommitInfo], None]


class CommitHub:
    """A thread-safe registry of commit subscribers plus a condition to wait on."""

    def __init__(self, last_ts: int = 0) -> None:
        self._condition = threading.Condition()
        self._last_ts = last_ts
        self._subscribers: dict[int, CommitCallback] = {}
        self._ids = itertools.count()

    @property
    def last_ts(self) -> int:
        with self._condition:
            return self._last_ts

    def subscribe(self, callback: CommitCallback) -> Callable[[], None]:
        with self._condition:
            token = next(self._ids)
            self._subscribers[token] = callback

        def unsubscribe() -> None:
            with self._condition:
                self._subscribers.pop(token, None)

        return unsubscribe

    def publish(self, info: CommitInfo) -> None:
        with self._condition:
            self._last_ts = max(self._last_ts, info.txn_ts)
            self._condition.notify_all()
            subscribers = list(self._subscribers.values())
        for callback in subscribers:
            try:
                callback(info)
            except Exception:
                # One broken subscriber must not hide the commit from the others, nor fail a
                # transaction that is already durable.
                _log.exception("commit subscriber failed")

    def wait_for_commit(self, after_ts: int, timeout: float | None = None) -> int:
        with self._condition:
            self._condition.wait_for(lambda: self._last_ts > after_ts, timeout)
            return self._last_ts


def async_commit_queue(
    subscribe: Callable[[CommitCallback], Callable[[], None]],
    loop: asyncio.AbstractEventLoop,
) -> tuple[asyncio.Queue[CommitInfo], Callable[[], None]]:
    """An asyncio queue that receives every commit, and the function that stops it.

    ``subscribe`` is ``storage.subscribe``; ``loop`` is the loop that reads the queue.
    """
    queue: asyncio.Queue[CommitInfo] = asyncio.Queue()

    def forward(info: CommitInfo) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, info)

    return queue, subscribe(forward)

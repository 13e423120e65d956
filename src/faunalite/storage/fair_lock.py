"""``FairLock``: a mutex handed to its waiters in the order they came, with a deadline.

Writers (and linearized reads, which go through the writer) queue for a database's lock and
for the store's writer lock. ``threading.Lock`` promises no order: a thread that releases it
and comes straight back for the next query often takes it again before a waiting thread is
even scheduled, so under steady write load one query could wait behind any number of later
ones, and it waited with no regard for its own deadline. Here the lock passes directly to the
longest waiter on release, and ``acquire(deadline)`` gives up at the waiter's deadline, so a
query waits behind at most the queries that were queued before it, and never past its
deadline.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class FairLock:
    """A first-come, first-served mutex. Not reentrant."""

    __slots__ = ("_guard", "_held", "_waiters")

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()
        """One locked gate per waiter, oldest first; ``release`` opens the oldest."""

    def acquire(self, deadline: float | None = None) -> bool:
        """Take the lock, waiting behind those who asked before; ``False`` if ``deadline``
        (a ``time.monotonic()`` instant) passes first."""
        with self._guard:
            if not self._held:
                self._held = True
                return True
            gate = threading.Lock()
            gate.acquire()
            self._waiters.append(gate)
        timeout = -1.0 if deadline is None else max(deadline - time.monotonic(), 0.0)
        if gate.acquire(timeout=timeout):
            return True  # the releasing thread handed the lock over
        with self._guard:
            if gate in self._waiters:
                self._waiters.remove(gate)
                return False
        # Handed over just as the wait ran out: pass it on, since the caller gives up.
        self.release()
        return False

    def release(self) -> None:
        with self._guard:
            if not self._held:
                raise RuntimeError("release of an unheld FairLock")
            if self._waiters:
                self._waiters.popleft().release()  # ownership passes on; still held
            else:
                self._held = False

    def locked(self) -> bool:
        return self._held

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

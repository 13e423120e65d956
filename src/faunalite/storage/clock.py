"""Commit timestamps and document ids: both must only ever move forward.

``next_txn_ts`` picks a write transaction's commit ts: the wall clock in microseconds, but
always after the previous commit, so timestamps stay strictly increasing when the clock stalls
or steps back (the previous commit ts is persisted, so this holds across restarts too).

``SnowflakeIds`` issues document ids shaped like FaunaDB's (fql-language.md §2.6): milliseconds
since 2012-05-05T22:20:50Z shifted left by 22 bits, plus a sequence number. Ids are unique,
positive and roughly time-ordered. The store persists ``high_water_ms`` with every write commit
and restarts the generator above it, so an id stored in a committed document is never issued
again, even if the clock went back while the store was closed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FAUNA_EPOCH_MS = 1_336_256_450_000
"""2012-05-05T22:20:50Z in Unix milliseconds."""
SEQUENCE_BITS = 22
_SEQUENCE_LIMIT = 1 << SEQUENCE_BITS


def wall_clock_us() -> int:
    return time.time_ns() // 1000


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def next_txn_ts(last_committed_ts: int, now_us: Callable[[], int] | None = None) -> int:
    """The commit ts for the next transaction: now, or just after the last commit.

    Without ``now_us`` the module's ``wall_clock_us`` is looked up at each call, so a test can
    move every store's clock (history retention is measured in days) by replacing it."""
    now = wall_clock_us() if now_us is None else now_us()
    return max(now, last_committed_ts + 1)


class SnowflakeIds:
    """A thread-safe generator of 64-bit document ids (see the module docstring)."""

    def __init__(self, floor_ms: int = 0, now_ms: Callable[[], int] = wall_clock_ms) -> None:
        """``floor_ms``: no id is issued for a millisecond (since the Fauna epoch) below it."""
        self._now_ms = now_ms
        self._lock = threading.Lock()
        self._ms = floor_ms
        self._sequence = 0

    @property
    def high_water_ms(self) -> int:
        """The millisecond of the latest id issued (or the floor, before any)."""
        with self._lock:
            return self._ms

    def next_id(self) -> int:
        with self._lock:
            now = self._now_ms() - FAUNA_EPOCH_MS
            if now > self._ms:
                self._ms, self._sequence = now, 0
            elif self._sequence == _SEQUENCE_LIMIT:
                # 4M ids in one millisecond, or a clock behind the floor: borrow from the future.
                self._ms, self._sequence = self._ms + 1, 0
            issued = (self._ms << SEQUENCE_BITS) | self._sequence
            self._sequence += 1
            return issued

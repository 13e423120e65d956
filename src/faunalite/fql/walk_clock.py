"""The query's deadline and memory ceiling, for walks over values that cannot see the query.

A query can build a value whose arrays and objects share their parts (``fold`` doubling
``[acc, acc]`` forty times): a few kilobytes of memory, but a tree of 2^40 nodes. Equality,
the total order, hashing for ``distinct``, rendering and storing all walk the tree, and none
of them goes through the interpreter, which is where the deadline and the memory are checked
otherwise. So each such walk calls ``visit_container()`` once per array or object it enters;
every ``CONTAINERS_PER_CHECK`` visits that looks at the clock of the query running on this
thread (``QueryTimedOut``) and at the process's memory (``value_too_large``).

The deadline is per thread: ``walks_bounded_by(deadline)`` sets it for a block (the engine
around a whole query, ``run_query`` around its evaluation). Outside such a block walks are
unbounded in time, as before. The wire encoder keeps a clock of its own
(``faunalite.wire.encoding``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from faunalite.fql.context import QueryTimedOut
from faunalite.fql.memory import PROCESS_MEMORY

CONTAINERS_PER_CHECK = 4096
"""Arrays and objects visited between two looks at the clock (a power of two)."""


class _WalkClock(threading.local):
    deadline: float | None = None
    visits: int = 0


_CLOCK = _WalkClock()


def visit_container() -> None:
    """Count one array or object entered by a walk; past the deadline of the query running on
    this thread raise ``QueryTimedOut``, above the memory ceiling ``value_too_large``."""
    clock = _CLOCK
    clock.visits += 1
    if clock.visits & (CONTAINERS_PER_CHECK - 1) == 0:
        deadline = clock.deadline
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimedOut()
        if PROCESS_MEMORY.exceeded():
            raise PROCESS_MEMORY.error()


@contextmanager
def walks_bounded_by(deadline: float | None) -> Iterator[None]:
    """Within the block, walks on this thread end at ``deadline`` (a ``time.monotonic()``
    instant; ``None`` keeps whatever deadline an enclosing block set)."""
    clock = _CLOCK
    previous = clock.deadline
    if deadline is not None:
        clock.deadline = deadline
    try:
        yield
    finally:
        clock.deadline = previous

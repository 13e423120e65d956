"""A ceiling on the memory the server process may reach while queries run.

FaunaDB's value limits (16 MiB strings, 16 000-element sets and sequences) bound each value,
not their number: a query that maps 16 000 elements to 8 MiB strings asks for 128 GiB, and
its client picks the deadline. FaunaDB runs it on a cluster node with a heap of its own; in
faunalite it would take the whole process, and every other user's requests, down with it.

So the interpreter asks, as often as it looks at the clock (every ``DEADLINE_CHECK_INTERVAL``
function applications), and ends the query that finds the process's resident memory above the
ceiling with ``value_too_large``. The answer costs no system call: a monitor thread reads the
resident memory every ``READ_INTERVAL_SECONDS`` and keeps the verdict. (Reading
``/proc/self/statm`` from the query threads themselves, even every 2 ms, takes the kernel's
memory-map lock so often that other threads' allocations waited for seconds behind a heavy
query.) The check is process-wide: while one query holds most of the
memory, another may be the one refused; the memory is returned as soon as the failed query's
values are dropped. The ceiling is ``FAUNALITE_MAX_MEMORY_MB`` if set, else half the machine's
memory, at most ``DEFAULT_MAX_MEMORY_BYTES``. Resident memory is read from ``/proc/self/statm``
(Linux); where that file does not exist, no ceiling applies.
"""

from __future__ import annotations

import os
import threading
import time

from faunalite.fql.errors import QueryError

MAX_MEMORY_ENV = "FAUNALITE_MAX_MEMORY_MB"
"""Environment variable overriding the ceiling, in MiB."""

DEFAULT_MAX_MEMORY_BYTES = 4 * 1024**3
"""The ceiling when the environment names none (less on a machine with under 8 GiB)."""

READ_INTERVAL_SECONDS = 0.01
"""How often the monitor thread reads the resident memory."""

_MIB = 1024**2


class MemoryCeiling:
    """The process's resident memory compared with a fixed limit, cheaply and thread-safely."""

    def __init__(
        self,
        limit_bytes: int,
        statm_path: str = "/proc/self/statm",
        read_interval: float = READ_INTERVAL_SECONDS,
    ) -> None:
        self.limit_bytes = limit_bytes
        self.read_interval = read_interval
        self._over = False
        self._monitor: threading.Thread | None = None
        self._monitor_guard = threading.Lock()
        self._page_size = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        try:
            # Kept open: a positioned read of it costs a few microseconds, from any thread.
            self._statm: int | None = os.open(statm_path, os.O_RDONLY)
        except OSError:
            self._statm = None

    @classmethod
    def from_environment(cls) -> MemoryCeiling:
        configured = os.environ.get(MAX_MEMORY_ENV, "").strip()
        if configured:
            try:
                return cls(int(configured) * _MIB)
            except ValueError:
                raise ValueError(
                    f"{MAX_MEMORY_ENV} must be a whole number of MiB, not {configured!r}"
                ) from None
        return cls(min(DEFAULT_MAX_MEMORY_BYTES, _physical_memory() // 2))

    def resident_bytes(self) -> int | None:
        """The process's resident memory now, or ``None`` where it cannot be read."""
        if self._statm is None:
            return None
        fields = os.pread(self._statm, 128, 0).split()
        try:
            return int(fields[1]) * self._page_size
        except (IndexError, ValueError):
            # Caught mid-rewrite (a file other than /proc's, as in tests): no reading this time.
            return None

    def exceeded(self) -> bool:
        """Whether the process was above the ceiling at the monitor's last reading (at most
        ``read_interval`` old). Starts the monitor on first use; no system call."""
        if self._monitor is None:
            self._start_monitor()
        return self._over

    def refresh(self) -> bool:
        """Read the resident memory now and keep the verdict; returns it. A reading that fails
        keeps the previous verdict, so the monitor thread never dies of a half-written file."""
        resident = self.resident_bytes()
        if resident is not None:
            self._over = resident > self.limit_bytes
        return self._over

    def _start_monitor(self) -> None:
        with self._monitor_guard:
            if self._monitor is not None or self._statm is None:
                return
            self.refresh()
            self._monitor = threading.Thread(
                target=self._watch, name="faunalite-memory", daemon=True
            )
            self._monitor.start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.read_interval)
            self.refresh()

    def error(self) -> QueryError:
        """The failure of a query that found the process above the ceiling."""
        return QueryError(
            "value_too_large",
            "Value too large: the query's values exceed faunalite's memory limit of "
            f"{self.limit_bytes // _MIB} MiB.",
        )


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return 2 * DEFAULT_MAX_MEMORY_BYTES


PROCESS_MEMORY = MemoryCeiling.from_environment()
"""The ceiling every query's interpreter checks."""

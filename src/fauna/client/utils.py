"""Small shared pieces of client state: the last transaction timestamp and env settings.

``LastTxnTs`` is the per-client read-your-writes marker. It is thread-safe and
never moves backwards, so one client can be shared by many threads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LastTxnTs:
    """The largest transaction timestamp (µs since the epoch) a client has seen."""

    def __init__(self, time: int | None = None) -> None:
        self._lock = threading.Lock()
        self._time = time

    @property
    def time(self) -> int | None:
        # Reading one attribute is atomic in CPython, so the hot path skips the lock.
        return self._time

    @property
    def request_header(self) -> dict[str, str]:
        """``{"X-Last-Txn-Ts": "<µs>"}`` once a timestamp is known, else ``{}``."""
        time = self._time
        return {} if time is None else {"X-Last-Txn-Ts": str(time)}

    def update_txn_time(self, new_txn_time: int) -> None:
        """Move forward to ``new_txn_time``; an older value is ignored."""
        current = self._time
        if current is not None and new_txn_time <= current:
            return
        with self._lock:
            if self._time is None or new_txn_time > self._time:
                self._time = new_txn_time


class _SettingFromEnviron(Generic[T]):
    """A setting read from an environment variable each time it is called."""

    def __init__(self, var_name: str, default_value: str, adapt_from_str: Callable[[str], T]):
        self._var_name = var_name
        self._default_value = default_value
        self._adapt_from_str = adapt_from_str

    def __call__(self) -> T:
        return self._adapt_from_str(os.environ.get(self._var_name, self._default_value))


class _Environment:
    """Environment variables the client reads when it is constructed."""

    EnvFaunaEndpoint = _SettingFromEnviron("FAUNA_ENDPOINT", "http://localhost:8443", str)
    """``FAUNA_ENDPOINT``; falls back to a local FaunaDB node."""

    EnvFaunaSecret = _SettingFromEnviron("FAUNA_SECRET", "", str)
    """``FAUNA_SECRET``; empty when unset."""

    EnvFaunaDebug = _SettingFromEnviron("FAUNA_DEBUG", "", str)
    """``FAUNA_DEBUG``; see ``fauna.client._debug``."""

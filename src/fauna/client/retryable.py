"""Retry helpers of the original driver's public surface, built on ``RetryPolicy``.

The clients themselves use ``fauna.client._retry.RetryPolicy`` directly, so
the same decisions serve the async client. ``Retryable`` sleeps and therefore
only suits synchronous code.

``sleep`` is where the synchronous ``Client`` waits between attempts (as in
the original driver), looked up on every wait: tests that patch
``fauna.client.retryable.sleep`` make backoff instant.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from time import sleep
from typing import Any, Generic, TypeVar

from fauna.client._retry import RetryPolicy as RetryPolicy

T = TypeVar("T")


def backoff_sleep(seconds: float) -> None:
    """Wait ``seconds`` through this module's ``sleep``, whatever it is at the time."""
    sleep(seconds)


class RetryStrategy(abc.ABC):
    """Something that says how long to wait before the next attempt."""

    @abc.abstractmethod
    def wait(self) -> float:
        """Seconds to wait before the next attempt."""


class ExponentialBackoffStrategy(RetryStrategy):
    """Full-jitter exponential backoff: successive waits of U(0,1), U(0,2), U(0,4)... s."""

    def __init__(self, max_backoff: float) -> None:
        self._policy = RetryPolicy(max_backoff=max_backoff)
        self._attempt = 0

    def wait(self) -> float:
        self._attempt += 1
        return self._policy.backoff(self._attempt)


@dataclass
class RetryableResponse(Generic[T]):
    """A result together with the number of attempts it took."""

    attempts: int
    response: T


class Retryable(Generic[T]):
    """Calls ``func`` until it succeeds, retrying throttling errors with backoff."""

    def __init__(
        self,
        max_attempts: int,
        max_backoff: float,
        func: Callable[..., T],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        self._policy = RetryPolicy(max_attempts=max_attempts, max_backoff=max_backoff)
        self._func = func
        self._args = args
        self._kwargs = kwargs

    def run(self) -> RetryableResponse[T]:
        attempt = 0
        while True:
            attempt += 1
            try:
                return RetryableResponse(attempt, self._func(*self._args, **self._kwargs))
            except Exception as error:
                delay = self._policy.next_delay(attempt, error)
                if delay is None:
                    raise
                sleep(delay)

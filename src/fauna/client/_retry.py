"""Retry decisions, without sleeping: ``RetryPolicy``, public as ``fauna.client.RetryPolicy``.

``RetryPolicy`` answers two questions for the sync and async clients alike:
may this failure be retried, and how long should the caller wait first? By
default only throttling is retried (``ThrottlingError``, HTTP 429, the one
``RetryableFaunaException`` FaunaDB produces): FaunaDB refused the query
before running it. Any other failure may have happened after FaunaDB
received the request (a dropped connection, a timeout, a 5xx from a proxy),
so re-sending it could run a write twice; a ``retry_on`` callable given by
the user may still choose to.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from fauna.errors import RetryableFaunaException


def retry_throttling(error: BaseException) -> bool:
    """The default ``retry_on``: retry what FaunaDB refused before running (throttling)."""
    return isinstance(error, RetryableFaunaException)


@dataclass(frozen=True)
class RetryPolicy:
    """How a client retries a failed query or feed page.

    :param max_attempts: attempts in all, the first one included; 1 (or less)
        disables retries. Also bounds consecutive stream reconnects.
    :param max_backoff: the longest wait between two attempts, in seconds.
        Waits are full-jitter exponential: U(0, 1) s, then U(0, 2) s, U(0, 4) s...
    :param retry_on: called with the exception an attempt raised (a
        ``FaunaException``: the mapped error, or ``NetworkError`` for a
        transport failure); a true result retries it. ``None`` retries
        throttling only (``retry_throttling``), never a request whose fate is
        unknown. For reads that are safe to repeat, for instance::

            RetryPolicy(retry_on=lambda e: isinstance(e, (ThrottlingError, NetworkError)))

    Streams always reconnect from their last cursor after a dropped
    connection (nothing is run twice there); only ``max_attempts`` and
    ``max_backoff`` apply to them.
    """

    max_attempts: int = 3
    max_backoff: float = 20
    retry_on: Callable[[BaseException], bool] | None = None
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise TypeError(f"'max_attempts' must be an int but was a {type(self.max_attempts)}.")
        backoff = self.max_backoff
        if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or backoff < 0:
            raise ValueError(f"'max_backoff' must be a number of seconds >= 0, not {backoff!r}.")
        if self.retry_on is not None and not callable(self.retry_on):
            raise TypeError(f"'retry_on' must be callable but was a {type(self.retry_on)}.")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        # The exponent is clamped so a long-running stream cannot overflow the float.
        return float(min(self.random() * 2.0 ** min(attempt - 1, 62), self.max_backoff))

    def can_retry(self, attempt: int) -> bool:
        """Whether another attempt is allowed after ``attempt`` attempts."""
        return attempt < self.max_attempts

    def should_retry(self, error: BaseException) -> bool:
        """Whether ``error`` is worth another attempt, as ``retry_on`` decides."""
        retry_on = self.retry_on if self.retry_on is not None else retry_throttling
        return bool(retry_on(error))

    def next_delay(self, attempt: int, error: BaseException) -> float | None:
        """Seconds to wait before retrying after ``error``, or ``None`` to give up.

        ``attempt`` is the number of attempts made so far (1 after the first).
        """
        if not self.can_retry(attempt) or not self.should_retry(error):
            return None
        return self.backoff(attempt)

"""Retry decisions, without sleeping.

``RetryPolicy`` answers two questions for the sync and async clients alike:
may this failure be retried, and how long should the caller wait first? Only
throttling (``ThrottlingError``, HTTP 429, the one ``RetryableFaunaException``
the server produces) is retried for queries: any other failure may have
happened after FaunaDB received the request, so re-sending it could run a
write twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from fauna.errors import RetryableFaunaException


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter exponential backoff: wait U(0, 2**(n-1)) s before try n+1, capped.

    ``max_attempts`` counts the first try, so 1 (or less) disables retries.
    ``max_backoff`` caps each wait, in seconds.
    """

    max_attempts: int = 3
    max_backoff: float = 20
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        # The exponent is clamped so a long-running stream cannot overflow the float.
        return float(min(self.random() * 2.0 ** min(attempt - 1, 62), self.max_backoff))

    def can_retry(self, attempt: int) -> bool:
        """Whether another attempt is allowed after ``attempt`` attempts."""
        return attempt < self.max_attempts

    def next_delay(self, attempt: int, error: BaseException) -> float | None:
        """Seconds to wait before retrying after ``error``, or ``None`` to give up.

        ``attempt`` is the number of attempts made so far (1 after the first).
        """
        if not isinstance(error, RetryableFaunaException) or not self.can_retry(attempt):
            return None
        return self.backoff(attempt)

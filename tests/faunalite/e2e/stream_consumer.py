"""A driver stream read in a background thread, so a test can write and then wait for events.

    with StreamConsumer(client, source) as consumer:
        client.query(fql("Dogs.create({ name: 'Rex' })"))
        [event] = consumer.wait_for(1)

Every wait is bounded, so a missing event fails the test quickly instead of hanging it.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from fauna.client import Client, StreamOptions

WAIT_SECONDS = 5.0
CLOSE_WAIT_SECONDS = 0.2


class StreamConsumer:
    """Collects the events of ``client.stream(source, opts)`` until closed or failed."""

    def __init__(self, client: Client, source: Any, opts: StreamOptions | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self._condition = threading.Condition()
        self._stream = client.stream(source, opts or StreamOptions())
        self._thread = threading.Thread(target=self._consume, daemon=True)
        self._thread.start()

    def _consume(self) -> None:
        try:
            with self._stream as stream:
                for event in stream:
                    with self._condition:
                        self.events.append(event)
                        self._condition.notify_all()
        except BaseException as error:  # handed to the test thread
            with self._condition:
                self.error = error
                self._condition.notify_all()

    def wait_for(self, count: int, timeout: float = WAIT_SECONDS) -> list[dict[str, Any]]:
        """The first ``count`` events; fails if they do not arrive in time."""
        with self._condition:
            arrived = self._condition.wait_for(
                lambda: len(self.events) >= count or self.error is not None, timeout
            )
            if len(self.events) >= count:
                return self.events[:count]
            if self.error is not None:
                raise AssertionError(f"stream failed after {self.events}") from self.error
            assert arrived, f"only {len(self.events)} of {count} events arrived: {self.events}"
            return self.events[:count]

    def wait_for_error(self, timeout: float = WAIT_SECONDS) -> BaseException:
        """The exception that ended the stream."""
        with self._condition:
            self._condition.wait_for(lambda: self.error is not None, timeout)
            assert self.error is not None, f"the stream did not fail: {self.events}"
            return self.error

    def close(self) -> None:
        self._stream.close()
        # Closing from this thread does not always wake a read blocked on the socket (the
        # driver closes the response, and a blocked recv() on Linux keeps waiting): the
        # daemon thread then ends with the next line the server sends, or with the server.
        self._thread.join(CLOSE_WAIT_SECONDS)

    def __enter__(self) -> StreamConsumer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

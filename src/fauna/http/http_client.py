"""The HTTP abstraction of the original driver, kept so custom clients keep working.

``Client`` accepts any ``HTTPClient``; the bundled ``HTTPXClient`` is the one
it builds itself. Timeouts are applied only when the client can see the
underlying ``httpx.Client`` (``HTTPXClient``); a custom ``HTTPClient`` is
responsible for its own.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class ErrorResponse:
    """Kept for compatibility; the driver does not use it."""

    status_code: int
    error_code: str
    error_message: str
    summary: str


class HTTPResponse(abc.ABC):
    """A response from an ``HTTPClient``."""

    @abc.abstractmethod
    def headers(self) -> Mapping[str, str]: ...

    @abc.abstractmethod
    def status_code(self) -> int: ...

    @abc.abstractmethod
    def json(self) -> Any: ...

    @abc.abstractmethod
    def text(self) -> str: ...

    @abc.abstractmethod
    def read(self) -> bytes: ...

    @abc.abstractmethod
    def iter_bytes(self) -> Iterator[bytes]: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> HTTPResponse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class HTTPClient(abc.ABC):
    """What ``Client`` needs from an HTTP library."""

    @abc.abstractmethod
    def request(
        self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
    ) -> HTTPResponse:
        """Send ``data`` as a JSON body and return the whole response."""

    @abc.abstractmethod
    def stream(
        self, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
    ) -> AbstractContextManager[Iterator[Any]]:
        """POST ``data`` and yield each line of the response body as parsed JSON.

        Must raise the mapped exception when the response status is not 200.
        """

    @abc.abstractmethod
    def close(self) -> None: ...

"""Run one test body against both clients: ``Client`` as it is, ``AsyncClient`` through an adapter.

``SyncDriven`` gives an ``AsyncClient`` the sync client's call shapes
(``client.query(...)``, ``for page in client.paginate(...)``, ``with
client.stream(...) as stream: next(stream)``) by running each awaitable to
completion on an event loop owned by the test. The HTTP-level tests are
written once against that shape and parametrised over both kinds, so any
difference in behaviour between the two clients fails a test.

The adapter adds no behaviour of its own: each method awaits exactly one
call of the async API, and maps ``StopAsyncIteration`` to ``StopIteration``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from fauna.client import AsyncClient, FeedOptions, QueryOptions, StreamOptions
from fauna.client.async_client import AsyncFeedIterator, AsyncStreamIterator
from fauna.encoding import QuerySuccess
from fauna.query import EventSource, Page, Query

T = TypeVar("T")


class SyncDriven:
    """An ``AsyncClient`` driven from synchronous code on ``loop``."""

    kind = "async"

    def __init__(self, client: AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self.inner = client
        self.loop = loop

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)

    def iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        while True:
            try:
                yield self.run(anext(iterator))
            except StopAsyncIteration:
                return

    def query(
        self, fql: Query, opts: QueryOptions | None = None, *, into: Any = None
    ) -> QuerySuccess:
        return self.run(self.inner.query(fql, opts, into=into))

    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None, *, into: Any = None
    ) -> DrivenPages:
        return DrivenPages(self, fql, opts, into)

    def stream(
        self, fql: EventSource | Query, opts: StreamOptions | None = None, *, into: Any = None
    ) -> DrivenStream:
        # Entering at once mirrors Client.stream, which runs a query source right away.
        stream = self.inner.stream(fql, opts, into=into)
        return DrivenStream(self, self.run(stream.__aenter__()))

    def feed(
        self, source: EventSource | Query, opts: FeedOptions | None = None, *, into: Any = None
    ) -> DrivenFeed:
        return DrivenFeed(self, self.inner.feed(source, opts, into=into))

    def scoped(self, database: str, role: str = "admin") -> SyncDriven:
        return SyncDriven(self.inner.scoped(database, role), self.loop)

    def close(self) -> None:
        self.run(self.inner.close())

    def __enter__(self) -> SyncDriven:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        # Settings accessors and the attributes tests inspect (_pool, _endpoint).
        return getattr(self.inner, name)


class DrivenPages:
    def __init__(
        self, driver: SyncDriven, fql: Query | Page, opts: QueryOptions | None, into: Any = None
    ) -> None:
        self._driver = driver
        self._pages = driver.inner.paginate(fql, opts, into=into)

    def __iter__(self) -> Iterator[list[Any]]:
        return self._driver.iterate(self._pages.__aiter__())

    def flatten(self) -> Iterator[Any]:
        return self._driver.iterate(self._pages.flatten())


class DrivenStream:
    def __init__(self, driver: SyncDriven, stream: AsyncStreamIterator) -> None:
        self._driver = driver
        self.inner = stream

    @property
    def last_ts(self) -> int | None:
        return self.inner.last_ts

    @property
    def last_cursor(self) -> str | None:
        return self.inner.last_cursor

    def __enter__(self) -> DrivenStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._driver.run(self.inner.__aexit__(exc_type, exc_value, traceback))

    def __iter__(self) -> DrivenStream:
        return self

    def __next__(self) -> dict[str, Any]:
        try:
            return self._driver.run(self.inner.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        self._driver.run(self.inner.close())


class DrivenFeed:
    def __init__(self, driver: SyncDriven, feed: AsyncFeedIterator) -> None:
        self._driver = driver
        self.inner = feed

    @property
    def cursor(self) -> str | None:
        return self.inner.cursor

    def __iter__(self) -> DrivenFeed:
        self.inner.__aiter__()
        return self

    def __next__(self) -> Any:
        try:
            return self._driver.run(self.inner.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def flatten(self) -> Iterator[Any]:
        return self._driver.iterate(self.inner.flatten())

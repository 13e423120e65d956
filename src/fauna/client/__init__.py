"""The FaunaDB clients and their options: ``from fauna.client import Client, AsyncClient``."""

from fauna.client._pool_stats import PoolStats
from fauna.client._retry import RetryPolicy
from fauna.client.async_client import (
    AsyncClient,
    AsyncFeedIterator,
    AsyncQueryIterator,
    AsyncStreamIterator,
)
from fauna.client.client import (
    Client,
    FeedIterator,
    FeedOptions,
    FeedPage,
    QueryOptions,
    StreamOptions,
)
from fauna.client.endpoints import Endpoints
from fauna.client.headers import Header

__all__ = [
    "AsyncClient",
    "AsyncFeedIterator",
    "AsyncQueryIterator",
    "AsyncStreamIterator",
    "Client",
    "Endpoints",
    "FeedIterator",
    "FeedOptions",
    "FeedPage",
    "Header",
    "PoolStats",
    "QueryOptions",
    "RetryPolicy",
    "StreamOptions",
]

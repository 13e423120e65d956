"""The FaunaDB client and its options: ``from fauna.client import Client``."""

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
    "Client",
    "Endpoints",
    "FeedIterator",
    "FeedOptions",
    "FeedPage",
    "Header",
    "QueryOptions",
    "StreamOptions",
]

"""The pluggable HTTP layer: ``HTTPClient``/``HTTPResponse`` and the httpx implementation."""

from fauna.http.http_client import HTTPClient, HTTPResponse
from fauna.http.httpx_client import HTTPXClient

__all__ = ["HTTPClient", "HTTPResponse", "HTTPXClient"]

"""Resolved client configuration: arguments and environment turned into wire-ready values.

``ClientConfig`` is immutable and shared by the sync and async clients. It
holds everything a request needs that does not change between requests: the
endpoint, the secret, the prebuilt header sets and the httpx timeouts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from fauna.client._options import (
    DefaultClientBufferTimeout,
    DefaultHttpConnectTimeout,
    DefaultHttpPoolTimeout,
    DefaultHttpReadTimeout,
    DefaultHttpWriteTimeout,
    DefaultIdleConnectionTimeout,
    DefaultMaxAttempts,
    DefaultMaxBackoff,
    DefaultMaxConnections,
    DefaultQueryTimeout,
    ServerDefaultQueryTimeout,
    StreamIdleTimeout,
)
from fauna.client._retry import RetryPolicy
from fauna.client.endpoints import Endpoints
from fauna.client.headers import Header, _Auth, _DriverEnvironment, _Header
from fauna.client.utils import _Environment


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _bool_header(value: bool) -> str:
    return "true" if value else "false"


def _timeout_ms(value: timedelta) -> int:
    # FaunaDB rejects anything but an integer ("5000.0" is a 400).
    return int(value.total_seconds() * 1000)


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client was configured with, in the form requests need it."""

    endpoint: str
    auth: _Auth
    query_timeout_ms: int | None
    client_buffer_seconds: float
    http_read_timeout: float | None
    http_write_timeout: float | None
    http_connect_timeout: float | None
    http_pool_timeout: float | None
    http_idle_timeout: float | None
    max_attempts: int
    max_backoff: float
    query_tags: dict[str, str]
    base_headers: dict[str, str]
    """Headers sent on every request, before the per-endpoint ones are added."""
    max_connections: int | None = None
    """Pool size for a pool the client creates; ``None``: that client's default."""
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    """How queries and feed pages are retried (its attempts and backoff also bound streams)."""
    http2: bool = False
    """Whether a pool the client creates speaks HTTP/2 (see ``fauna.client._http2``)."""
    request_headers: dict[str, str] = field(init=False)
    """``base_headers`` plus format and authorization: the start of every request."""
    query_headers: dict[str, str] = field(init=False)
    """``request_headers`` plus the client's query timeout and tags."""
    query_timeout: httpx.Timeout = field(init=False)
    stream_timeout: httpx.Timeout = field(init=False)

    def __post_init__(self) -> None:
        request_headers = dict(self.base_headers)
        request_headers[_Header.Format] = "tagged"
        request_headers[_Header.Authorization] = self.auth.bearer()
        query_headers = dict(request_headers)
        if self.query_timeout_ms is not None:
            query_headers[Header.QueryTimeoutMs] = str(self.query_timeout_ms)
        if self.query_tags:
            query_headers[Header.Tags] = encode_tags(self.query_tags)
        # Frozen dataclass: derived fields are set once, here.
        object.__setattr__(self, "request_headers", request_headers)
        object.__setattr__(self, "query_headers", query_headers)
        object.__setattr__(self, "query_timeout", self.timeout_for(self.query_timeout_ms))
        stream_read = StreamIdleTimeout.total_seconds() + self.client_buffer_seconds
        object.__setattr__(self, "stream_timeout", self._timeout(read=stream_read))

    def timeout_for(self, query_timeout_ms: int | None) -> httpx.Timeout:
        """httpx timeouts for a request FaunaDB may work on for ``query_timeout_ms``.

        Unless ``http_read_timeout`` was given, reads wait for the client
        timeout: the query timeout (FaunaDB's own default when none is sent)
        plus the client buffer.
        """
        if self.http_read_timeout is not None:
            read: float = self.http_read_timeout
        else:
            server_ms = (
                query_timeout_ms
                if query_timeout_ms is not None
                else _timeout_ms(ServerDefaultQueryTimeout)
            )
            read = server_ms / 1000 + self.client_buffer_seconds
        return self._timeout(read=read)

    def _timeout(self, read: float) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.http_connect_timeout,
            read=read,
            write=self.http_write_timeout,
            pool=self.http_pool_timeout,
        )

    def limits(self, default_max_connections: int = DefaultMaxConnections) -> httpx.Limits:
        """Connection-pool limits for a pool this client creates.

        As many connections may stay idle as may be open: a busy client that
        had to close spare connections would only reopen them a moment later.
        """
        connections = self.max_connections or default_max_connections
        return httpx.Limits(
            max_connections=connections,
            max_keepalive_connections=connections,
            keepalive_expiry=self.http_idle_timeout,
        )

    def pool_options(self, default_max_connections: int) -> dict[str, Any]:
        """Keyword arguments for the ``httpx.Client``/``AsyncClient`` a client creates."""
        # Cleartext HTTP/2 is prior knowledge only: httpx would otherwise speak HTTP/1.1.
        cleartext = self.endpoint.startswith("http://")
        return {
            "http1": not (self.http2 and cleartext),
            "http2": self.http2,
            "timeout": self.query_timeout,
            "limits": self.limits(default_max_connections),
        }

    @property
    def secret(self) -> str:
        return self.auth.secret


def encode_tags(tags: Mapping[str, str]) -> str:
    """``{"a": "1", "b": "2"}`` → ``"a=1,b=2"``, the ``X-Query-Tags`` form."""
    return ",".join(f"{key}={value}" for key, value in tags.items())


def build_base_headers(
    linearized: bool | None,
    max_contention_retries: int | None,
    typecheck: bool | None,
    performance_hints: bool | None,
    additional_headers: Mapping[str, str] | None,
) -> dict[str, str]:
    """Headers every request carries; ``additional_headers`` may override the others."""
    headers = {
        _Header.AcceptEncoding: "gzip",
        _Header.ContentType: "application/json;charset=utf-8",
        _Header.Driver: "python",
        _Header.DriverEnv: str(_DriverEnvironment()),
    }
    if typecheck is not None:
        headers[Header.Typecheck] = _bool_header(typecheck)
    if linearized is not None:
        headers[Header.Linearized] = _bool_header(linearized)
    if max_contention_retries is not None:
        headers[Header.MaxContentionRetries] = str(max_contention_retries)
    if performance_hints is not None:
        headers[Header.PerformanceHints] = _bool_header(performance_hints)
    if additional_headers:
        headers.update(additional_headers)
    return headers


def resolve_config(
    endpoint: str | None = None,
    secret: str | None = None,
    query_tags: Mapping[str, str] | None = None,
    linearized: bool | None = None,
    max_contention_retries: int | None = None,
    typecheck: bool | None = None,
    additional_headers: Mapping[str, str] | None = None,
    query_timeout: timedelta | None = DefaultQueryTimeout,
    client_buffer_timeout: timedelta | None = DefaultClientBufferTimeout,
    http_read_timeout: timedelta | None = DefaultHttpReadTimeout,
    http_write_timeout: timedelta | None = DefaultHttpWriteTimeout,
    http_connect_timeout: timedelta | None = DefaultHttpConnectTimeout,
    http_pool_timeout: timedelta | None = DefaultHttpPoolTimeout,
    http_idle_timeout: timedelta | None = DefaultIdleConnectionTimeout,
    max_attempts: int = DefaultMaxAttempts,
    max_backoff: float = DefaultMaxBackoff,
    performance_hints: bool | None = None,
    max_connections: int | None = None,
    retry_policy: RetryPolicy | None = None,
    http2: bool = False,
) -> ClientConfig:
    """Combine constructor arguments with ``FAUNA_ENDPOINT``/``FAUNA_SECRET``.

    The environment is read now, at construction. A missing secret is not an
    error here (see ``fauna.client._requests.require_secret``). A
    ``retry_policy`` replaces ``max_attempts`` and ``max_backoff``; giving
    both (with other than their defaults) is a ``TypeError``.
    """
    if retry_policy is None:
        retry_policy = RetryPolicy(max_attempts=max_attempts, max_backoff=max_backoff)
    elif (max_attempts, max_backoff) != (DefaultMaxAttempts, DefaultMaxBackoff):
        raise TypeError(
            "Pass either 'retry_policy' or 'max_attempts'/'max_backoff', not both: "
            "RetryPolicy(max_attempts=..., max_backoff=...) holds them."
        )
    elif not isinstance(retry_policy, RetryPolicy):
        raise TypeError(
            f"'retry_policy' must be a fauna.client.RetryPolicy but was a {type(retry_policy)}."
        )
    resolved_endpoint = endpoint or _Environment.EnvFaunaEndpoint() or Endpoints.Local
    if resolved_endpoint.endswith("/"):
        resolved_endpoint = resolved_endpoint[:-1]
    return ClientConfig(
        endpoint=resolved_endpoint,
        auth=_Auth(secret if secret is not None else _Environment.EnvFaunaSecret()),
        query_timeout_ms=None if query_timeout is None else _timeout_ms(query_timeout),
        client_buffer_seconds=_seconds(client_buffer_timeout) or 0.0,
        http_read_timeout=_seconds(http_read_timeout),
        http_write_timeout=_seconds(http_write_timeout),
        http_connect_timeout=_seconds(http_connect_timeout),
        http_pool_timeout=_seconds(http_pool_timeout),
        http_idle_timeout=_seconds(http_idle_timeout),
        max_attempts=retry_policy.max_attempts,
        max_backoff=retry_policy.max_backoff,
        query_tags=dict(query_tags or {}),
        base_headers=build_base_headers(
            linearized, max_contention_retries, typecheck, performance_hints, additional_headers
        ),
        max_connections=max_connections,
        retry_policy=retry_policy,
        http2=http2,
    )

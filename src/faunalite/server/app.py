"""The ASGI application: FaunaDB's HTTP surface in front of an ``Engine``.

Routes by exact path as FaunaDB does: ``/query/1`` (any method) runs a query, ``/ping``
(GET/HEAD) answers health checks, paths under ``/schema/1`` get the schema endpoint's replies
(``faunalite.server.schema_api``, which reads the body too), every other path gets the legacy 404. The work per query
request is: validate headers, read the body (8 MiB at most, ``faunalite.server.body``), then,
in a worker thread so the event loop stays free for ``/ping``, streams and other requests:
parse it, authenticate, run the engine and encode the reply's JSON. A watchdog a little past
the query deadline makes sure no request hangs. Errors use FaunaDB's two JSON shapes; an
unexpected exception becomes a logged 500 ``internal_error`` (a bug, never a designed answer).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import anyio
import anyio.to_thread

from faunalite.engine import (
    Engine,
    QueryRequest,
    QueryResult,
    protocol_error,
    unauthorized,
)
from faunalite.schema_sync import SchemaService
from faunalite.server.auth import authenticate
from faunalite.server.body import BodyTooLarge, read_body
from faunalite.server.events import EventEndpoints
from faunalite.server.failures import log_unexpected
from faunalite.server.headers import (
    InvalidHeader,
    QueryHeaders,
    read_query_headers,
    response_traceparent,
)
from faunalite.server.jwt_auth import JwtVerifier
from faunalite.server.schema_api import is_schema_path, schema_reply
from faunalite.wire.request import InvalidRequestBody, parse_query_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

WATCHDOG_GRACE_SECONDS = 1.0
"""How long past its deadline a query may keep its worker before the reply is sent anyway."""
CONTENT_TYPE = "application/json;charset=utf-8"
BUILD = "faunalite"
CORS_ALLOWED_HEADERS = (
    "accept-encoding, authorization, content-type, x-driver-env, x-faunadb-api-version, "
    "x-fauna-driver, x-fauna-source, x-fauna-tags, x-format, x-last-seen-txn, x-last-txn-ts, "
    "x-linearized, x-max-contention-retries, x-max-retries-on-contention, x-query-tags, "
    "x-query-timeout, x-query-timeout-ms, x-runtime-environment, x-runtime-environment-os, "
    "x-nodejs-version, traceparent, x-typecheck, x-performance-hints"
)
PING_SCOPES = {"all": "all", "write": "write", "global": "write", "read": "read", "local": "read"}

logger = logging.getLogger("faunalite.server")


def _legacy_error(status: int, code: str, description: str) -> tuple[int, dict[str, Any]]:
    """The v4 error body the legacy router uses for /ping and unknown paths."""
    return status, {"errors": [{"code": code, "description": description}]}


def _dump_json(body: Any) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except UnicodeEncodeError:
        # A lone surrogate from the request cannot be UTF-8: escape everything instead.
        return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()


class FaunaliteApp:
    """The ASGI callable. ``root_secret`` is the root key (``secret`` by default)."""

    def __init__(self, engine: Engine, *, root_secret: str = "secret") -> None:
        self.engine = engine
        self.root_secret = root_secret
        self.jwt_verifier = JwtVerifier(engine.model.access_provider_for)
        """Verifies JWT bearers of ``/query/1``, ``/stream/1`` and ``/feed/1`` (the schema
        endpoint refuses them)."""
        self.events = EventEndpoints(engine, root_secret, self.jwt_verifier)
        self.schema = SchemaService(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        extra = [("traceparent", response_traceparent(headers.get("traceparent")))]
        origin = headers.get("origin")
        method = scope["method"]
        if method == "OPTIONS" and origin is not None:
            await self._send(send, 200, None, extra + self._cors_preflight(origin))
            return
        path = scope["path"]
        payload: bytes | None = None
        if path == "/stream/1":
            await self._stream(headers, receive, send, extra)
            return
        try:
            if path == "/query/1":
                result, payload = await self._query(headers, receive)
                status, body = result.status, result.body
                extra.extend(result.headers)
            elif path == "/feed/1":
                result = await self.events.feed(headers, receive)
                status, body = result.status, result.body
            elif is_schema_path(path):
                result = await self._schema(headers, method, scope, receive)
                status, body = result.status, result.body
                extra.extend(result.headers)
            elif path == "/ping":
                status, body, allow = self._ping(method, scope.get("query_string", b""))
                if allow:
                    extra.append(("allow", allow))
                if method == "HEAD":
                    body = None
            else:
                status, body = _legacy_error(404, "not found", "Not Found")
        except Exception as error:
            log_unexpected(error, f"handling {method} {path}")
            status, body = (
                500,
                {
                    "error": {
                        "code": "internal_error",
                        "message": f"{type(error).__name__}: {error} (a faunalite bug)",
                    }
                },
            )
        if origin is not None:
            exposed = [name for name, _ in extra if name.startswith("x-")] + ["x-faunadb-build"]
            extra.append(("access-control-expose-headers", ", ".join(exposed)))
        await self._send(send, status, body, extra, payload)

    async def _stream(
        self, headers: dict[str, str], receive: Receive, send: Send, extra: list[tuple[str, str]]
    ) -> None:
        """``/stream/1``: a long-lived response (``faunalite.server.events``)."""

        async def reply(result: QueryResult) -> None:
            await self._send(send, result.status, result.body, extra)

        started = [
            (b"content-type", CONTENT_TYPE.encode()),
            (b"x-faunadb-build", BUILD.encode()),
            *((name.encode(), value.encode("latin-1")) for name, value in extra),
        ]
        try:
            await self.events.stream(headers, receive, send, reply, started)
        except Exception as error:
            log_unexpected(error, "serving a stream")
            message = f"{type(error).__name__}: {error} (a faunalite bug)"
            await reply(protocol_error("internal_error", message))

    def close_streams(self) -> None:
        """End every open stream, as a FaunaDB node does when it shuts down: each body ends
        and its client reconnects from its last cursor. Safe from any thread."""
        self.events.streams.close_all()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    def _cors_preflight(origin: str) -> list[tuple[str, str]]:
        return [
            ("access-control-allow-origin", origin),
            ("access-control-allow-credentials", "true"),
            ("access-control-max-age", "86400"),
            ("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE"),
            ("access-control-allow-headers", CORS_ALLOWED_HEADERS),
        ]

    @staticmethod
    async def _send(
        send: Send,
        status: int,
        body: Any,
        headers: list[tuple[str, str]],
        payload: bytes | None = None,
    ) -> None:
        """Send a whole reply: ``payload`` if already encoded, else ``body`` as JSON."""
        if payload is None:
            payload = b"" if body is None else _dump_json(body)
        raw_headers = [
            (b"content-type", CONTENT_TYPE.encode()),
            (b"content-length", str(len(payload)).encode()),
            (b"x-faunadb-build", BUILD.encode()),
        ]
        raw_headers.extend((name.encode(), value.encode("latin-1")) for name, value in headers)
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": payload})

    @staticmethod
    def _ping(method: str, query_string: bytes) -> tuple[int, Any, str | None]:
        if method not in ("GET", "HEAD"):
            status, body = _legacy_error(405, "method not allowed", "Allowed methods are GET.")
            return status, body, "GET"
        params = parse_qs(query_string.decode("latin-1"))
        scope_name = PING_SCOPES.get(params.get("scope", ["write"])[0], "node")
        return 200, {"resource": f"Scope {scope_name} is OK"}, None

    async def _schema(
        self, headers: dict[str, str], method: str, scope: Scope, receive: Receive
    ) -> QueryResult:
        """``/schema/1/...``: FaunaDB's schema endpoint (``schema_api``, ``schema_sync``)."""
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            body = await read_body(headers, receive)
        except BodyTooLarge:
            return QueryResult(413, {"error": {"message": "Request entity is too large"}})

        def answer() -> QueryResult:
            principal = authenticate(
                headers.get("authorization"), self.root_secret, self.engine.principal_for_key
            )
            if principal is not None and not self.engine.database_exists(principal.database):
                principal = None
            return schema_reply(
                method,
                raw_path,
                principal=principal,
                service=self.schema,
                query=query,
                content_type=headers.get("content-type"),
                body=body,
            )

        return await anyio.to_thread.run_sync(answer)

    async def _query(
        self, headers: dict[str, str], receive: Receive
    ) -> tuple[QueryResult, bytes | None]:
        """``/query/1``: the reply and, when the worker encoded it, its JSON."""
        received_at = time.monotonic()
        try:
            options = read_query_headers(headers)
        except InvalidHeader as error:
            return protocol_error("invalid_request", error.message), None
        try:
            raw_body = await read_body(headers, receive)
        except BodyTooLarge:
            return protocol_error("request_size_exceeded", "Request entity is too large"), None
        deadline = received_at + options.timeout_ms / 1000
        remaining = deadline - time.monotonic()
        with anyio.move_on_after(max(remaining, 0) + WATCHDOG_GRACE_SECONDS):
            reply: tuple[QueryResult, bytes] = await anyio.to_thread.run_sync(
                self._run_query, headers, options, raw_body, received_at, abandon_on_cancel=True
            )
            return reply
        # The worker did not reach a deadline check in time; it is abandoned (a thread cannot
        # be stopped) and the client gets the timeout it asked for.
        logger.warning("query overran its deadline by %ss; reply sent", WATCHDOG_GRACE_SECONDS)
        return protocol_error("time_out", "Read timed out"), None

    def _run_query(
        self, headers: dict[str, str], options: QueryHeaders, raw_body: bytes, received_at: float
    ) -> tuple[QueryResult, bytes]:
        """Blocking (parses, reads storage, runs the query): runs in a worker thread. Returns
        the reply and its JSON, encoded here too since a large result takes a while."""
        result = self._answer_query(headers, options, raw_body, received_at)
        return result, _dump_json(result.body)

    def _answer_query(
        self, headers: dict[str, str], options: QueryHeaders, raw_body: bytes, received_at: float
    ) -> QueryResult:
        try:
            body = parse_query_body(raw_body)
        except InvalidRequestBody as error:
            return protocol_error("invalid_request", error.message)
        principal = authenticate(
            headers.get("authorization"),
            self.root_secret,
            self.engine.principal_for_key,
            self.jwt_verifier,
        )
        if principal is None or not self.engine.database_exists(principal.database):
            return unauthorized(options.query_tags)
        request = QueryRequest(
            body=body,
            principal=principal,
            format=options.format,
            timeout_ms=options.timeout_ms,
            typecheck=options.typecheck,
            linearized=options.linearized,
            performance_hints=options.performance_hints,
            last_txn_ts=options.last_txn_ts,
            max_contention_retries=options.max_contention_retries,
            query_tags=options.query_tags,
            received_at=received_at,
        )
        return self.engine.run(request)


def create_app(engine: Engine | None = None, *, root_secret: str = "secret") -> FaunaliteApp:
    """The ASGI app for ``engine`` (a fresh in-memory one by default)."""
    return FaunaliteApp(engine or Engine(), root_secret=root_secret)

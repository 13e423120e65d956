"""How the ``fauna`` command reaches a FaunaDB: scoped secrets and raw ``/query/1`` calls.

``WireSession.query`` posts one query and returns the ``data`` of the reply exactly as FaunaDB
sent it (tagged, simple or decorated JSON), or raises ``QueryFailed`` with FaunaDB's code,
message and summary. It deliberately bypasses ``fauna.Client``'s decoding: the command shows
replies as sent, and export/import passes values back unchanged (an ``@long`` stays a Long).
Not here: where the endpoint and secret come from (``fauna.cli.settings``).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx

WireFormat = Literal["tagged", "simple", "decorated"]

EXIT_QUERY_FAILED = 1
EXIT_USAGE = 2
EXIT_UNAUTHORIZED = 3
EXIT_UNREACHABLE = 4

BUILTIN_ROLES = ("admin", "server", "server-readonly", "client")


class CliError(Exception):
    """A failure the command reports as one message and an exit code (no traceback)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CliError):
    """Bad flags, a missing secret or an unreadable file: exit code 2."""


class Unreachable(CliError):
    """No answer from the endpoint (connection refused, DNS, timeout): exit code 4."""

    exit_code = EXIT_UNREACHABLE


class QueryFailed(CliError):
    """FaunaDB answered with an error: exit code 3 when the secret may not do it (HTTP 401 or
    403, or ``permission_denied``, which FaunaDB sends as a 400), else 1."""

    def __init__(
        self, status: int, code: str, message: str, summary: str = "", abort: Any = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.summary, self.abort = status, code, summary, abort
        self.error_message = message
        denied = status in (401, 403) or code == "permission_denied"
        self.exit_code = EXIT_UNAUTHORIZED if denied else EXIT_QUERY_FAILED

    def render(self) -> str:
        """The error as the command prints it: ``error: code: message``, the value given to
        ``abort()`` if any (as received), then the summary."""
        text = f"error: {self.code}: {self.error_message}"
        if self.abort is not None:
            text += f"\nabort value: {json.dumps(self.abort, ensure_ascii=False)}"
        return f"{text}\n{self.summary}" if self.summary else text


def scoped_secret(secret: str, database: str | None = None, role: str | None = None) -> str:
    """``secret`` narrowed to the child ``database`` (a ``/`` path, relative to what the
    secret already reaches) and/or ``role`` (a built-in role or a user role's name), in
    FaunaDB's ``key[:[db/path:]role]`` syntax."""
    if not database and not role:
        return secret
    key, _, scope = secret.partition(":")
    path, current_role = "", "admin"
    if scope:
        base, sep, last = scope.rpartition(":")
        path, current_role = (base, last) if sep else ("", scope)
    if database:
        path = f"{path}/{database.strip('/')}" if path else database.strip("/")
    chosen = role or current_role
    if chosen not in BUILTIN_ROLES and not chosen.startswith("@"):
        chosen = f"@role/{chosen}"
    return f"{key}:{path}:{chosen}" if path else f"{key}:{chosen}"


class WireSession:
    """Queries against one endpoint with one secret, over a shared ``httpx.Client``."""

    def __init__(
        self,
        endpoint: str,
        secret: str,
        *,
        timeout_seconds: float = 130.0,
        http: httpx.Client | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.secret = secret
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout_seconds)

    @property
    def http(self) -> httpx.Client:
        """The connection pool this session sends on."""
        return self._http

    def child(self, database: str) -> WireSession:
        """A session on the child ``database`` of this one (same connection pool)."""
        return WireSession(self.endpoint, scoped_secret(self.secret, database), http=self._http)

    def query(
        self,
        fql: str,
        arguments: dict[str, Any] | None = None,
        *,
        format: WireFormat = "tagged",
        typecheck: bool | None = None,
        query_timeout_ms: int | None = None,
    ) -> Any:
        """Run ``fql`` (arguments already in ``format``'s JSON) and return the reply's data."""
        headers = {
            "Authorization": f"Bearer {self.secret}",
            "X-Format": format,
            "Content-Type": "application/json",
        }
        if typecheck is not None:
            headers["X-Typecheck"] = "true" if typecheck else "false"
        if query_timeout_ms is not None:
            headers["X-Query-Timeout-Ms"] = str(query_timeout_ms)
        body = json.dumps({"query": fql, "arguments": arguments or {}})
        try:
            response = self._http.post(f"{self.endpoint}/query/1", content=body, headers=headers)
        except httpx.TimeoutException:
            raise Unreachable(f"no answer from {self.endpoint} in time")
        except httpx.HTTPError as error:
            raise Unreachable(f"cannot reach {self.endpoint}: {error}")
        return _data_of(response, self.endpoint)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WireSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _data_of(response: httpx.Response, endpoint: str) -> Any:
    try:
        reply = response.json()
    except ValueError:
        raise Unreachable(
            f"{endpoint} answered HTTP {response.status_code} with a body that is not JSON; "
            "is it a FaunaDB endpoint?"
        )
    if not isinstance(reply, dict):
        raise Unreachable(f"{endpoint} answered with an unexpected body; is it FaunaDB?")
    error = reply.get("error")
    if response.status_code >= 400 or error is not None:
        if isinstance(error, dict):
            raise QueryFailed(
                response.status_code,
                str(error.get("code", "unknown")),
                str(error.get("message", "")),
                str(reply.get("summary") or ""),
                error.get("abort"),
            )
        legacy = reply.get("errors")
        if isinstance(legacy, list) and legacy and isinstance(legacy[0], dict):
            first = legacy[0]
            raise QueryFailed(
                response.status_code, str(first.get("code")), str(first.get("description"))
            )
        raise QueryFailed(response.status_code, "unknown", f"HTTP {response.status_code}")
    return reply.get("data")

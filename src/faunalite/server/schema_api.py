"""``/schema/1``: FaunaDB's schema (FSL) API, answered as far as faunalite can.

FaunaDB sends every path starting with ``/schema/1`` to its schema endpoint
(``ext/api/.../api/CoreApplication.scala``, ``handleRequest``), whose replies, errors included,
are ``{"error": {"message": ...}}`` with no ``code`` (``api/schema/SchemaResponse.scala``,
``ErrorResponse``). faunalite has no FSL, so it implements none of the routes; what it answers
is FaunaDB's own reply wherever that does not depend on FSL:

* no valid secret: 401 "Access token required" with ``WWW-Authenticate: Bearer``;
* a path that is no route: 404 "Not found"; a route with another method: 405
  "Method not allowed" (``SchemaEndpoint.exec``);
* a route FaunaDB serves: 501 and a message saying schema is defined with FQL here. FaunaDB
  would run it; answering the v4 404 instead (``{"errors": [...]}``) made the Fauna CLI report
  success while nothing was pushed.

This is not the schema feature itself: no file is stored, no diff computed.
"""

from __future__ import annotations

from typing import Literal

from faunalite.engine import QueryResult

PREFIX = "/schema/1"

_ITEM_KINDS = ("collections", "functions", "roles", "access_providers")
_ANY = "*"
"""A route segment that matches any one path segment (FaunaDB's ``stringP``)."""

ROUTES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("GET", ("files",)),
    ("GET", ("files", _ANY)),
    ("POST", ("update",)),
    ("POST", ("diff",)),
    ("POST", ("validate",)),
    ("GET", ("status",)),
    ("GET", ("staged", "status")),
    ("POST", ("commit",)),
    ("POST", ("staged", "commit")),
    ("POST", ("abandon",)),
    ("POST", ("staged", "abandon")),
    *(
        route
        for kind in _ITEM_KINDS
        for route in (
            ("GET", ("items", kind, _ANY)),
            ("POST", ("items", kind)),
            ("POST", ("items", kind, _ANY)),
            ("DELETE", ("items", kind, _ANY)),
        )
    ),
)
"""Every route of FaunaDB's ``SchemaEndpoint``: method and path segments after the prefix."""

NOT_IMPLEMENTED_MESSAGE = (
    "faunalite does not implement the schema API ({path}): there are no FSL files. "
    "Define collections, functions and roles with FQL instead "
    "(Collection.create(), Function.create(), Role.create())."
)

RouteMatch = Literal["route", "not_found", "method_not_allowed"]


def is_schema_path(path: str) -> bool:
    """Whether FaunaDB's router would send ``path`` to the schema endpoint."""
    return path.startswith(PREFIX)


def match_route(method: str, path: str) -> RouteMatch:
    """Where ``method path`` lands among ``ROUTES``. ``path`` is the raw (still
    percent-encoded) path, so an encoded ``/`` in a file name stays inside its segment."""
    rest = path[len(PREFIX) :]
    if not rest.startswith("/"):
        return "not_found"
    segments = tuple(rest[1:].split("/"))
    methods = {
        route_method
        for route_method, pattern in ROUTES
        if len(pattern) == len(segments)
        and all(want in (_ANY, got) for want, got in zip(pattern, segments, strict=True))
    }
    if not methods:
        return "not_found"
    return "route" if method in methods else "method_not_allowed"


def _error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> QueryResult:
    return QueryResult(status, {"error": {"message": message}}, headers)


def schema_reply(method: str, path: str, *, authenticated: bool) -> QueryResult:
    """The reply to a ``/schema/1`` request, once its secret has been checked."""
    if not authenticated:
        return _error(401, "Access token required", (("www-authenticate", "Bearer"),))
    match = match_route(method, path)
    if match == "not_found":
        return _error(404, "Not found")
    if match == "method_not_allowed":
        return _error(405, "Method not allowed")
    return _error(501, NOT_IMPLEMENTED_MESSAGE.format(path=path))

"""``/schema/1``: FaunaDB's schema (FSL) API over HTTP.

FaunaDB sends every path starting with ``/schema/1`` to its schema endpoint
(``ext/api/.../api/CoreApplication.scala``, ``handleRequest``), whose replies, errors included,
are ``{"error": {"message": ...}}`` with no ``code`` (``api/schema/SchemaResponse.scala``,
``ErrorResponse``). This module routes a request and reads its parameters and body as
``api/schema/SchemaRequest.scala`` does (query parameters ``version``, ``force``, ``staged``,
``format``/``diff``; ``multipart/form-data`` uploads, one part per file named by its form
field); ``faunalite.schema_sync`` answers it:

* no valid secret: 401 "Access token required" with ``WWW-Authenticate: Bearer``;
* a path that is no route: 404 "Not found"; a route with another method: 405
  "Method not allowed" (``SchemaEndpoint.exec``);
* ``GET /files``, ``GET /files/{name}``, ``POST /update``, ``/diff``, ``/validate``,
  ``GET /status`` and ``/staged/status``, ``POST /commit`` and ``/staged/commit``,
  ``POST /abandon`` and ``/staged/abandon``: FaunaDB's replies;
* ``GET``/``POST``/``DELETE /items/{kind}/{name}`` and ``POST /items/{kind}``: FaunaDB's
  single-item routes (``faunalite.schema_items``), the body being one item's FSL.
"""

from __future__ import annotations

import email.parser
import email.policy
from typing import Literal
from urllib.parse import parse_qsl, unquote

from faunalite.engine import Principal, QueryResult
from faunalite.schema_items import SchemaItems
from faunalite.schema_sync import SchemaFailure, SchemaParams, SchemaService

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

NO_SERVICE_MESSAGE = "No schema service answers {path} here: it needs an engine."
"""What ``schema_reply`` answers (501) when called without a ``SchemaService``."""
MAX_FILES = 1024
"""At most this many files, ``main.fsl`` included (``SchemaRequest.MaxFiles``)."""

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


def is_valid_filename(name: str) -> bool:
    """FaunaDB's rule for a schema file's name (``SourceFile.FSL.checkFilename``, as far as
    faunalite follows it): a relative path of non-empty segments, not ``.`` or ``..``, ending
    in ``.fsl``."""
    if not name.endswith(".fsl") or len(name) > 1024 or "\\" in name:
        return False
    segments = name.split("/")
    return all(segment not in ("", ".", "..") for segment in segments) and segments[-1] != ".fsl"


def read_upload(content_type: str | None, body: bytes) -> dict[str, str]:
    """The files of a schema request: each part of a ``multipart/form-data`` body, named by
    its form field, in order. No body, or another content type, is no files."""
    if not body or not (content_type or "").lower().startswith("multipart/"):
        return {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + (content_type or "").encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart() or message.defects:
        raise SchemaFailure(400, "Request is not a valid multipart request")
    files: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise SchemaFailure(400, "Request is not a valid multipart request")
        if not is_valid_filename(name):
            raise SchemaFailure(400, f"Invalid filename `{name}`")
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        files[name] = content.decode("utf-8", errors="replace")
    limit = MAX_FILES if "main.fsl" in files else MAX_FILES - 1
    if len(files) > limit:
        raise SchemaFailure(400, "Too many files")
    return files


def schema_reply(
    method: str,
    path: str,
    *,
    principal: Principal | None,
    service: SchemaService | None = None,
    query: str = "",
    content_type: str | None = None,
    body: bytes = b"",
) -> QueryResult:
    """The reply to a ``/schema/1`` request, once its secret has been checked (``principal``
    is ``None`` when it grants nothing). ``path`` is the raw path; ``query`` the raw query
    string."""
    if principal is None:
        return _error(401, "Access token required", (("www-authenticate", "Bearer"),))
    match = match_route(method, path)
    if match == "not_found":
        return _error(404, "Not found")
    if match == "method_not_allowed":
        return _error(405, "Method not allowed")
    segments = tuple(path[len(PREFIX) + 1 :].split("/"))
    if service is None:
        return _error(501, NO_SERVICE_MESSAGE.format(path=path))
    params = SchemaParams.from_query(dict(parse_qsl(query, keep_blank_values=True)))
    try:
        if segments == ("files",):
            return service.files(principal, params)
        if segments[0] == "files":
            return service.file(principal, params, unquote(segments[1]))
        if segments in (("status",), ("staged", "status")):
            return service.status(principal, params)
        if segments in (("commit",), ("staged", "commit")):
            return service.commit(principal, params)
        if segments in (("abandon",), ("staged", "abandon")):
            return service.abandon(principal, params)
        if segments[0] == "items":
            return _item_reply(method, segments, service, principal, params, body)
        if segments in (("update",), ("diff",), ("validate",)):
            files = read_upload(content_type, body)
            if segments == ("update",):
                return service.update(principal, params, files)
            return service.diff(principal, params, files)
    except SchemaFailure as failure:
        return _error(failure.status, failure.message)
    return _error(404, "Not found")  # every route of ROUTES is answered above


def _item_reply(
    method: str,
    segments: tuple[str, ...],
    service: SchemaService,
    principal: Principal,
    params: SchemaParams,
    body: bytes,
) -> QueryResult:
    """A single-item route (``match_route`` has already checked method and shape)."""
    items = SchemaItems(service)
    kind = segments[1]
    if len(segments) == 2:
        return items.create(principal, params, kind, body)
    name = unquote(segments[2])
    if method == "GET":
        return items.get(principal, params, kind, name)
    if method == "DELETE":
        return items.delete(principal, params, kind, name)
    return items.replace(principal, params, kind, name, body)

"""Parsing FaunaDB responses into results or exceptions, with no I/O.

Bytes and a status code go in; a ``QuerySuccess``, a decoded event or feed
page comes out, or the mapped exception is raised. Malformed bodies become
``ProtocolError`` naming the endpoint, so a wrong ``FAUNA_ENDPOINT`` is easy
to spot.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from fauna.client.utils import LastTxnTs
from fauna.encoding import FaunaDecoder, QueryStats, QuerySuccess, QueryTags
from fauna.encoding.decoder import loads_for_models
from fauna.errors import ProtocolError, error_from_response


def parse_json(status: int, body: bytes | str, url: str) -> Any:
    """Plain ``json.loads(body)`` (no tag decoding), or a ``ProtocolError`` naming ``url``."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProtocolError(
            status,
            f"Unable to decode response from endpoint {url}. Check that your endpoint is valid.",
        ) from error


def load_body(status: int, body: bytes | str, url: str) -> Any:
    """Parse and tag-decode a JSON body, or raise a ``ProtocolError`` naming ``url``."""
    try:
        return FaunaDecoder.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ProtocolError(
            status,
            f"Unable to decode response from endpoint {url}. Check that your endpoint is valid.",
        ) from error


def unknown_format(status: int, payload: Any, url: str) -> ProtocolError:
    return ProtocolError(
        status, f"Response is in an unknown format: \n{payload!r}\nendpoint: {url}"
    )


def raise_error_response(status: int, payload: Any, url: str) -> NoReturn:
    """Raise the exception an error response (status > 399, decoded body) stands for."""
    raise error_from_response(status, payload, url)


def parse_query_response(
    status: int, headers: Mapping[str, str], body: bytes, url: str, for_models: bool = False
) -> QuerySuccess:
    """Turn a ``/query/1`` response into a ``QuerySuccess`` or raise the mapped error.

    ``for_models``: the result goes to pydantic models (``into=Model``), so a successful one
    is decoded in the form pydantic takes (``decoder.loads_for_models``); errors and bodies
    that form cannot take are decoded as usual.
    """
    # One pass parses and decodes the whole body; decoding is most of the cost of a big result.
    payload = loads_for_models(body) if for_models and status < 400 else None
    if payload is None:
        payload = load_body(status, body, url)
    if status > 399:
        raise_error_response(status, payload, url)
    if not isinstance(payload, dict) or "data" not in payload:
        raise unknown_format(status, payload, url)
    tags = payload.get("query_tags")
    stats = payload.get("stats")
    return QuerySuccess(
        payload["data"],
        QueryTags.decode(tags) if tags else None,
        payload.get("static_type"),
        QueryStats(stats) if stats is not None else None,
        payload.get("summary"),
        headers.get("traceparent"),
        payload.get("txn_ts"),
        payload.get("schema_version"),
    )


def check_event(event: Any, url: str) -> dict[str, Any]:
    """A decoded stream or feed event, checked for shape (error events are returned)."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise ProtocolError(200, f"Malformed event from endpoint {url}: {event!r}")
    return event


def raise_event_error(event: Mapping[str, Any], url: str) -> NoReturn:
    """Raise the exception a decoded ``error`` event stands for."""
    # Error events carry no HTTP status; FaunaDB's query failures are all 400s.
    raise error_from_response(400, event, url)


def complete_query(result: QuerySuccess, attempts: int, last_txn_ts: LastTxnTs) -> QuerySuccess:
    """Record a successful query: advance ``last_txn_ts``, count the attempts it took."""
    if result.txn_ts:
        last_txn_ts.update_txn_time(int(result.txn_ts))
    result.stats.attempts = attempts
    return result


def note_attempts(error: BaseException, attempts: int) -> None:
    """Report on a failed query's stats how many attempts were made."""
    stats = getattr(error, "stats", None)
    if isinstance(stats, QueryStats):
        stats.attempts = attempts

"""The body of a ``/query/1`` request: JSON bytes → query template and raw arguments.

``parse_query_body`` applies FaunaDB's body rules: only the keys ``query`` and ``arguments``,
``arguments`` an object, nesting at most 1000 deep (Jackson's limit), and the template rules of
``faunalite.wire.template``. Every failure raises ``InvalidRequestBody`` carrying the exact
``invalid_request`` message. Argument values stay undecoded JSON: decoding them depends on
``X-Format`` and on the database, and happens in the engine after authentication.

The text after ``Invalid request body: `` for malformed JSON is Python's parser message, not
Jackson's.
"""

from __future__ import annotations

import json
import re
import sys
from array import array
from dataclasses import dataclass, field
from itertools import accumulate

from faunalite.wire.encoding import JSON
from faunalite.wire.template import (
    FlatQuery,
    InvalidTemplate,
    flatten_query,
    json_object_from_pairs,
)

MAX_JSON_DEPTH = 1000
"""Jackson's default ``maxNestingDepth``, which FaunaDB's parser runs with."""

_RECURSION_NEEDED = 3 * MAX_JSON_DEPTH
_BODY_KEYS = frozenset(("query", "arguments"))


class InvalidRequestBody(Exception):
    """The body cannot be used; ``message`` is the full ``invalid_request`` message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class QueryBody:
    """A decoded request body: the flattened query and the raw JSON of each argument."""

    query: FlatQuery
    arguments: dict[str, JSON] = field(default_factory=dict)


_JSON_STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"')
# Opening brackets become 1 and closing ones -1 (0xFF as a signed byte); all else is dropped.
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def exceeds_nesting_limit(body: bytes) -> bool:
    """Whether the JSON ``body`` nests deeper than ``MAX_JSON_DEPTH`` (checked on the bytes:
    see ``_nesting_depth``). Every endpoint that parses a JSON body asks this first."""
    # Fewer opening brackets than the limit cannot nest past it; only scan when needed.
    return body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and (
        _nesting_depth(body) > MAX_JSON_DEPTH
    )


def _nesting_depth(body: bytes) -> int:
    """How deep the brackets of ``body`` nest, ignoring those inside strings.

    Computed on the bytes before parsing because the parser recurses in C: a deep enough body
    would overflow the native stack once the interpreter has raised Python's recursion limit.
    """
    brackets = _JSON_STRING_RE.sub(b"", body).translate(_BRACKET_STEPS, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets)), default=0)


def parse_json(body: bytes) -> JSON:
    """Parse a JSON body as FaunaDB's reader does, or raise ``InvalidRequestBody``."""
    if exceeds_nesting_limit(body):
        raise InvalidRequestBody("Invalid request body: JSON exceeds nesting limit")
    # Python's parser and the recursive decoders count each nesting level against the
    # interpreter's recursion limit (1000 by default), which would refuse JSON that FaunaDB
    # accepts; the limit only ever goes up here.
    if sys.getrecursionlimit() < _RECURSION_NEEDED:
        sys.setrecursionlimit(_RECURSION_NEEDED)
    try:
        return json.loads(body, object_pairs_hook=json_object_from_pairs)
    except ValueError as error:
        # Malformed JSON, bytes that are not UTF-8, or an integer literal longer than
        # Python converts (``sys.get_int_max_str_digits``; Jackson has such a cap too).
        raise InvalidRequestBody(f"Invalid request body: {error}")


def parse_query_body(body: bytes) -> QueryBody:
    """The query and arguments of a ``/query/1`` body, or raise ``InvalidRequestBody``."""
    if not body:
        raise InvalidRequestBody("No request body provided")
    data = parse_json(body)
    if not isinstance(data, dict) or not _BODY_KEYS.issuperset(data):
        raise InvalidRequestBody("Invalid request body")
    if "query" not in data:
        raise InvalidRequestBody("Invalid request body: Value for key query not found.")
    arguments = data.get("arguments")
    if arguments is None:
        arguments = {}
    elif not isinstance(arguments, dict):
        raise InvalidRequestBody("Invalid request body")
    try:
        query = flatten_query(data["query"])
    except InvalidTemplate as error:
        raise InvalidRequestBody(f"Invalid request body: {error.message}")
    return QueryBody(query, dict(arguments))

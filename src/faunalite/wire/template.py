"""The request's ``query`` field → FQL source text with ``$0``, ``$1``... placeholders (§6).

A query is either FQL text or a template ``{"fql": [fragment, ...]}`` whose fragments are raw
FQL text, ``{"value": <tagged JSON>}`` placeholders, nested ``{"fql": [...]}`` templates, and
``{"array": [...]}`` / ``{"object": {...}}`` literals. ``flatten_query`` pastes the fragments
together as FaunaDB does (parenthesising fragments inside arrays and objects, and turning an
array or object made only of values into a single value) and returns the text with the JSON
of each placeholder, still undecoded: decoding needs the database (``@mod``, ``@doc``) and a
failure there is a query error located at the placeholder, not a request error.

Malformed templates raise ``InvalidTemplate``; FaunaDB reports them as
``Invalid request body: <message>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faunalite.fql.display import quote_string
from faunalite.wire.encoding import JSON

_SINGLE_KEY = (
    "Unexpected JSON Object Field Name. "
    "Expected an object with a single key 'fql', 'value', 'array', or 'object'."
)
_TEMPLATE_FORMS = ("fql", "value", "array", "object")


class InvalidTemplate(Exception):
    """A ``query`` field that is not a valid template; ``message`` is FaunaDB's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DuplicateKeysObject(dict[str, Any]):
    """A JSON object that repeated a key. ``pairs`` keeps every key/value in order.

    ``json.loads(..., object_pairs_hook=json_object_from_pairs)`` builds these so that the
    rules about repeated keys in templates can be checked; otherwise it behaves as the dict
    FaunaDB's decoder would build (last value wins, first position kept).
    """

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def json_object_from_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads`` that remembers repeated keys."""
    result = dict(pairs)
    return result if len(result) == len(pairs) else DuplicateKeysObject(pairs)


def json_type_label(data: JSON) -> str:
    """The name FaunaDB's JSON reader gives a token of this type in its messages."""
    if isinstance(data, bool):
        return "Boolean"
    if isinstance(data, int):
        return "Integer"
    if isinstance(data, float):
        return "Double"
    if isinstance(data, str):
        return "String"
    if isinstance(data, list):
        return "Array Start"
    if isinstance(data, dict):
        return "Object Start"
    return "Null"


def _unexpected(data: JSON, expected: str) -> InvalidTemplate:
    return InvalidTemplate(f"Unexpected JSON {json_type_label(data)}. Expected {expected}.")


@dataclass(slots=True)
class Placeholder:
    """The value behind ``name`` (``$0``...), at ``offset`` in the flattened text."""

    name: str
    data: JSON
    offset: int


@dataclass(slots=True)
class FlatQuery:
    """FQL source text plus the undecoded values of its placeholders."""

    text: str
    placeholders: list[Placeholder] = field(default_factory=list)


def flatten_query(query: JSON) -> FlatQuery:
    """The FQL text and placeholders of a request's ``query`` field."""
    if isinstance(query, str):
        return FlatQuery(query)
    if isinstance(query, dict):
        builder = _TemplateBuilder()
        builder.fragment(query)
        return builder.result()
    raise _unexpected(query, "query template")


class _TemplateBuilder:
    """Walks a template, appending text pieces and placeholders in order."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.placeholders: list[Placeholder] = []
        # Fragments directly inside an array or object are wrapped in parentheses so that
        # their text cannot merge with the surrounding literal.
        self.in_container = False
        # Whether raw FQL text was seen in the container being built; when it was not, the
        # container is a pure value and becomes one placeholder.
        self.hit_text = False

    def result(self) -> FlatQuery:
        return FlatQuery("".join(self.pieces), self.placeholders)

    def append(self, text: str) -> None:
        self.pieces.append(text)
        self.length += len(text)

    def fragment(self, data: JSON) -> None:
        if isinstance(data, str):
            self.text(data)
        elif isinstance(data, dict):
            self.template_object(data)
        else:
            raise _unexpected(data, "query template")

    def text(self, source: str) -> None:
        if "\x00" in source:
            raise InvalidTemplate("FQL strings cannot contain NUL characters")
        self.hit_text = True
        self.append(f"({source})" if self.in_container else source)

    def template_object(self, data: dict[str, Any]) -> None:
        if isinstance(data, DuplicateKeysObject) or len(data) != 1:
            raise InvalidTemplate(_SINGLE_KEY)
        ((form, content),) = data.items()
        if form not in _TEMPLATE_FORMS:
            raise InvalidTemplate(_SINGLE_KEY)
        outer = self.in_container
        if form == "fql":
            self.in_container = False
            self.template(content, wrap=outer)
        elif form == "value":
            self.value(content)
        elif form == "array":
            self.in_container = True
            self.array(content)
        else:
            self.in_container = True
            self.object(content)
        self.in_container = outer

    def template(self, content: JSON, *, wrap: bool) -> None:
        if not isinstance(content, list):
            raise _unexpected(content, "Array Start")
        if wrap:
            self.append("(")
        for item in content:
            self.fragment(item)
        if wrap:
            self.append(")")

    def value(self, data: JSON) -> None:
        name = f"${len(self.placeholders)}"
        self.placeholders.append(Placeholder(name, data, self.length))
        self.append(name)

    def array(self, content: JSON) -> None:
        if not isinstance(content, list):
            raise _unexpected(content, "Array Start")
        start = self.mark()
        self.append("[")
        for index, item in enumerate(content):
            if index:
                self.append(", ")
            self.fragment(item)
        self.append("]")
        self.finish_container(start, lambda values: values)

    def object(self, content: JSON) -> None:
        if not isinstance(content, dict):
            raise _unexpected(content, "Object Start")
        start = self.mark()
        pairs = content.pairs if isinstance(content, DuplicateKeysObject) else content.items()
        seen: set[str] = set()
        self.append("{ ")
        for index, (key, item) in enumerate(pairs):
            if key in seen:
                raise InvalidTemplate(f"Duplicate object field `{key}`")
            seen.add(key)
            if index:
                self.append(", ")
            self.append(quote_string(key) + ": ")
            self.fragment(item)
        self.append(" }")
        keys = list(content)
        # The tag keeps keys that start with '@' literal when the value is decoded. An empty
        # `{"fql": []}` field leaves no value, and FaunaDB then pairs keys and values short.
        self.finish_container(
            start, lambda values: {"@object": dict(zip(keys, values, strict=False))}
        )

    def mark(self) -> tuple[int, int, int, bool]:
        start = (len(self.pieces), self.length, len(self.placeholders), self.hit_text)
        self.hit_text = False
        return start

    def finish_container(self, start: tuple[int, int, int, bool], as_value: Any) -> None:
        piece_index, length, placeholder_index, outer_hit_text = start
        if not self.hit_text:
            values = [p.data for p in self.placeholders[placeholder_index:]]
            del self.pieces[piece_index:]
            del self.placeholders[placeholder_index:]
            self.length = length
            self.value(as_value(values))
        self.hit_text = self.hit_text or outer_hit_text

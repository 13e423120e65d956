"""Query templates → FQL text with placeholders (wire-protocol §6) and body parsing."""

from __future__ import annotations

import json

import pytest

from faunalite.wire import FlatQuery, InvalidTemplate, flatten_query, json_object_from_pairs
from faunalite.wire.request import InvalidRequestBody, parse_query_body

SINGLE_KEY = (
    "Unexpected JSON Object Field Name. "
    "Expected an object with a single key 'fql', 'value', 'array', or 'object'."
)


def flat(template_json: str) -> FlatQuery:
    return flatten_query(json.loads(template_json, object_pairs_hook=json_object_from_pairs))


def test_plain_string_is_the_query() -> None:
    assert flatten_query("1 + 1") == FlatQuery("1 + 1", [])


def test_fragments_are_pasted_without_separator() -> None:
    assert flat('{"fql": ["hello", "world"]}').text == "helloworld"


def test_values_become_numbered_placeholders() -> None:
    query = flat('{"fql": ["Author.where(.name == ", {"value": "Alice"}, ") + ", {"value": 1}]}')
    assert query.text == "Author.where(.name == $0) + $1"
    assert [(p.name, p.data, p.offset) for p in query.placeholders] == [
        ("$0", "Alice", 22),
        ("$1", 1, 28),
    ]


def test_top_level_value() -> None:
    query = flat('{"value": {"@int": "5"}}')
    assert query.text == "$0"
    assert query.placeholders[0].data == {"@int": "5"}


def test_nested_fql_is_inlined_and_parenthesised_in_containers() -> None:
    assert flat('{"fql": ["1 + ", {"fql": ["2"]}]}').text == "1 + 2"
    assert flat('{"fql": [{"array": ["1", {"fql": ["2"]}]}]}').text == "[(1), (2)]"


def test_array_of_values_becomes_one_value() -> None:
    query = flat('{"fql": [{"array": [{"value": 1}, {"array": [{"value": 2}]}]}, ".length"]}')
    assert query.text == "$0.length"
    assert query.placeholders[0].data == [1, [2]]


def test_array_with_text_keeps_inner_pure_arrays_as_values() -> None:
    query = flat('{"fql": [{"array": ["x", {"array": [{"value": 2}]}]}]}')
    assert query.text == "[(x), $0]"
    assert query.placeholders[0].data == [2]


def test_object_of_values_is_one_tagged_object() -> None:
    query = flat('{"fql": [{"object": {"a": {"value": 1}, "@b": {"value": 2}}}]}')
    assert query.text == "$0"
    assert query.placeholders[0].data == {"@object": {"a": 1, "@b": 2}}


def test_object_with_text_quotes_keys_as_fql_strings() -> None:
    query = flat('{"fql": [{"object": {"a b": {"fql": ["1"]}, "#{x}": {"value": 2}}}]}')
    assert query.text == '{ "a b": (1), "\\#{x}": $0 }'


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{"fql": ["a"], "value": 1}', SINGLE_KEY),
        ('{"fql": ["a"], "fql": ["b"]}', SINGLE_KEY),
        ('{"nope": 1}', SINGLE_KEY),
        ("{}", SINGLE_KEY),
        (
            '{"fql": [{"object": {"a": {"value": 1}, "a": {"value": 2}}}]}',
            "Duplicate object field `a`",
        ),
        ('{"fql": ["a\\u0000"]}', "FQL strings cannot contain NUL characters"),
        ('{"fql": [1]}', "Unexpected JSON Integer. Expected query template."),
        ('{"fql": "x"}', "Unexpected JSON String. Expected Array Start."),
        ('{"fql": [{"object": []}]}', "Unexpected JSON Array Start. Expected Object Start."),
    ],
)
def test_invalid_templates(template: str, message: str) -> None:
    with pytest.raises(InvalidTemplate) as raised:
        flat(template)
    assert raised.value.message == message


def test_body_with_query_and_arguments() -> None:
    body = parse_query_body(b'{"query": "x + 1", "arguments": {"x": {"@int": "1"}}}')
    assert body.query.text == "x + 1"
    assert body.arguments == {"x": {"@int": "1"}}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "No request body provided"),
        (b'{"foo": "bar"}', "Invalid request body"),
        (b'{"query": "1", "last_txn": 1}', "Invalid request body"),
        (b"[]", "Invalid request body"),
        (b'{"arguments": {}}', "Invalid request body: Value for key query not found."),
        (b'{"query": "1", "arguments": []}', "Invalid request body"),
        (
            b'{"query": {"fql": [1]}}',
            "Invalid request body: Unexpected JSON Integer. Expected query template.",
        ),
        (b"[" * 1001 + b"]" * 1001, "Invalid request body: JSON exceeds nesting limit"),
        (b"[" * 100_000, "Invalid request body: JSON exceeds nesting limit"),
    ],
)
def test_invalid_bodies(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidRequestBody) as raised:
        parse_query_body(raw)
    assert raised.value.message == message


def test_malformed_json_reports_the_parser_message() -> None:
    with pytest.raises(InvalidRequestBody) as raised:
        parse_query_body(b'{"query": ')
    assert raised.value.message.startswith("Invalid request body: Expecting value")


def test_an_integer_too_long_to_convert_is_an_invalid_request() -> None:
    raw = b'{"query": "x", "arguments": {"x": 1' + b"0" * 5000 + b"}}"
    with pytest.raises(InvalidRequestBody) as raised:
        parse_query_body(raw)
    assert raised.value.message.startswith("Invalid request body: Exceeds the limit")


def test_nesting_at_the_limit_is_accepted() -> None:
    raw = b'{"query": "1", "arguments": {"a": ' + b"[" * 998 + b"]" * 998 + b"}}"
    assert parse_query_body(raw).arguments["a"] is not None

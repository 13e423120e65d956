"""``doc["field"]`` is FaunaDB's field read: the value, the id, null, or ``document_not_found``.

FaunaDB's ``[]`` on documents (``Docs.scala`` ``defAccess``) calls the same ``getField`` as
``doc.field``; the cases are FaunaDB's "can select fields with []", "null docs error on
['field'] access" and "at operator" specs (``ext/model/src/test/scala/fql2/FQL2DocsSpec.scala``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest
from faunalite.wire.request import parse_query_body


@pytest.fixture
def engine() -> Iterator[Engine]:
    running = Engine()
    for query in ('Collection.create({ name: "Author" })', 'Author.create({ id: 7, foo: "bar" })'):
        answer(running, query)
    yield running
    running.close()


def answer(engine: Engine, query: str) -> tuple[int, Any]:
    body = parse_query_body(json.dumps({"query": query}).encode())
    result = engine.run(QueryRequest(body=body, timeout_ms=5000, received_at=time.monotonic()))
    payload = result.body
    assert isinstance(payload, dict)
    return result.status, payload["data"] if "data" in payload else payload["error"]


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ('Author.byId(7)["foo"]', "bar"),
        ('Author.byId(7)!["foo"]', "bar"),
        ('Author.byId(7)["id"]', "7"),
        ('Author.byId(7)["coll"]', "Author"),
        ('Author.byId(7)["baz"]', None),
        ('Author.byId(7)["data"]', {"foo": "bar"}),
        # A method name is not a field: the user data has no such key.
        ('Author.byId(7)["update"]', None),
        ('Author.byId(7)["ts"] == Author.byId(7)!.ts', True),
        # A missing document still answers its id and collection.
        ('Author.byId(123)["id"]', "123"),
        ('Author.byId(123)["coll"]', "Author"),
        ("Author.byId(123)?.['foo']", None),
        ('Collection.byName("Author")!["name"]', "Author"),
    ],
)
def test_bracket_reads_the_field(engine: Engine, query: str, value: Any) -> None:
    assert answer(engine, query) == (200, value)


def test_bracket_on_a_missing_document_is_document_not_found(engine: Engine) -> None:
    assert answer(engine, "Author.byId('123')['foo']") == (
        400,
        {
            "code": "document_not_found",
            "message": "Collection `Author` does not contain document with id 123.",
        },
    )
    assert answer(engine, 'Collection.byName("Ghost")["history_days"]') == (
        400,
        {"code": "document_not_found", "message": "Collection `Ghost` not found."},
    )


def test_bracket_key_must_be_a_string(engine: Engine) -> None:
    assert answer(engine, "Author.byId(7)[1]") == (
        400,
        {
            "code": "invalid_argument",
            "message": "expected value for `key` of type String, received Int",
        },
    )


def test_bracket_reads_at_the_snapshot_of_at(engine: Engine) -> None:
    _, first_ts = answer(engine, "Author.byId(7)['ts']")
    answer(engine, "Author.byId(7)!.update({ foo: 'baz' })")
    assert answer(engine, "Author.byId(7)['foo']") == (200, "baz")
    assert answer(engine, f"at (Time('{first_ts}')) {{ Author.byId(7)['foo'] }}") == (200, "bar")
    assert answer(engine, "let a = Author.create({ foo: 'new' })\nat (a.ts) { a['foo'] }") == (
        200,
        "new",
    )

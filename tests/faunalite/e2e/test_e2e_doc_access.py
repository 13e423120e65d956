"""``doc["field"]`` through the ``fauna`` driver: FaunaDB's field read, also inside ``at``.

FaunaDB's specs: "can select fields with []", "null docs error on ['field'] access" and the
"at operator" cases of ``ext/model/src/test/scala/fql2/FQL2DocsSpec.scala``.
"""

from __future__ import annotations

from typing import Any

import pytest

from fauna import Module, fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError


@pytest.fixture
def authors(db: Client) -> Client:
    db.query(fql('Collection.create({ name: "Author" })'))
    db.query(fql('Author.create({ id: 7, foo: "bar" })'))
    return db


def value_of(client: Client, text: str) -> Any:
    return client.query(fql(text)).data


def test_bracket_reads_a_field_the_id_and_null(authors: Client) -> None:
    assert value_of(authors, 'Author.byId(7)["foo"]') == "bar"
    assert value_of(authors, 'Author.byId(7)["id"]') == "7"
    assert value_of(authors, 'Author.byId(7)["coll"]') == Module("Author")
    assert value_of(authors, 'Author.byId(7)["baz"]') is None
    assert value_of(authors, 'Author.byId(7)["data"]') == {"foo": "bar"}


def test_bracket_on_a_missing_document(authors: Client) -> None:
    assert value_of(authors, "Author.byId('123')['id']") == "123"
    assert value_of(authors, "Author.byId('123')?.['foo']") is None
    with pytest.raises(QueryRuntimeError) as caught:
        authors.query(fql("Author.byId('123')['foo']"))
    err = caught.value
    assert (err.status_code, err.code, err.message) == (
        400,
        "document_not_found",
        "Collection `Author` does not contain document with id 123.",
    )


def test_bracket_inside_at_reads_the_old_version(authors: Client) -> None:
    old_ts = value_of(authors, "Author.byId(7)['ts']")
    authors.query(fql("Author.byId(7)!.update({ foo: 'baz' })"))
    assert value_of(authors, "Author.byId(7)['foo']") == "baz"
    assert authors.query(fql("at (${ts}) { Author.byId(7)['foo'] }", ts=old_ts)).data == "bar"

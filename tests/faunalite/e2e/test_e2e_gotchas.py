"""FaunaDB's surprises around documents (fql-language.md §7, §2.4, §3.13, §5.3), via the driver.

Each test pins one behaviour a FaunaDB user relies on and that is easy to get subtly wrong:
null docs equal ``null``, ``update`` merges and deletes with ``null``, writes are refused in set
functions, a Set result is its first page, where errors about missing documents point, hints
for definitions created in the same query, and documents of a deleted collection.
"""

from __future__ import annotations

import pytest

from fauna import Document, NullDocument, fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError
from fauna.query.models import Page


def error_of(client: Client, query: str) -> QueryRuntimeError:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(query))
    return caught.value


@pytest.fixture
def dogs(db: Client) -> Client:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    return db


def test_a_missing_document_equals_null(dogs: Client) -> None:
    assert dogs.query(fql('Dogs.byId("999") == null')).data is True
    assert dogs.query(fql('Dogs.byId("999") != null')).data is False
    assert dogs.query(fql('Dogs.byId("999") ?? "fallback"')).data == "fallback"
    dogs.query(fql('Dogs.create({ id: "1" })'))
    assert dogs.query(fql('Dogs.byId("1") == null')).data is False


def test_update_with_null_deletes_and_objects_merge(dogs: Client) -> None:
    dogs.query(fql('Dogs.create({ id: "1", a: 1, b: 2, o: { x: 0, y: 0, deep: { k: 1 } } })'))
    updated = dogs.query(fql('Dogs("1")!.update({ a: null, o: { x: 1, deep: { j: 2 } } })')).data
    assert isinstance(updated, Document)
    assert dict(updated) == {"b": 2, "o": {"x": 1, "y": 0, "deep": {"k": 1, "j": 2}}}
    # The removed field is gone, not stored as null.
    assert dogs.query(fql('Object.keys(Dogs("1")!.data)')).data == ["b", "o"]
    assert dogs.query(fql('Dogs("1")!.a == null')).data is True


def test_writes_in_set_functions_are_invalid_effects(dogs: Client) -> None:
    dogs.query(fql("[1, 2, 3].forEach(n => Dogs.create({ n: n }))"))
    err = error_of(dogs, "Dogs.all().map(d => d.delete())")
    assert err.code == "invalid_effect"
    assert err.message == "`delete` performs a write, which is not allowed in set functions."
    assert dogs.query(fql("Dogs.all().count()")).data == 3
    # forEach is the way to write per element.
    dogs.query(fql("Dogs.all().forEach(d => d.delete())"))
    assert dogs.query(fql("Dogs.all().count()")).data == 0


def test_a_set_result_is_its_first_page_of_16(dogs: Client) -> None:
    dogs.query(fql("Set.sequence(0, 20).forEach(n => Dogs.create({ n: n }))"))
    page = dogs.query(fql("Dogs.all().map(.n)")).data
    assert isinstance(page, Page)
    assert page.data == list(range(16))
    assert page.after is not None
    rest = [n for chunk in dogs.paginate(fql("Dogs.all().map(.n)")) for n in chunk]
    assert rest == list(range(20))


def test_field_of_a_missing_document_is_reported_at_the_receiver(dogs: Client) -> None:
    err = error_of(dogs, 'Dogs.byId("999").name')
    assert err.code == "document_not_found"
    assert err.message == "Collection `Dogs` does not contain document with id 999."
    assert err.summary == (
        "error: Collection `Dogs` does not contain document with id 999.\n"
        "at *query*:1:1\n"
        "  |\n"
        '1 | Dogs.byId("999").name\n'
        "  | ^^^^^^^^^^^^^^^^\n"
        "  |"
    )
    err = error_of(dogs, 'let dog = Dogs.byId("999")\ndog.name')
    assert err.summary.startswith("error: Collection `Dogs` does not contain document with id")
    assert err.summary.endswith("at *query*:2:1\n  |\n2 | dog.name\n  | ^^^\n  |")
    # id, coll and exists() still answer on a missing document.
    assert dogs.query(fql('Dogs.byId("999").id')).data == "999"
    assert dogs.query(fql('Dogs.byId("999").exists()')).data is False


def test_function_created_in_the_same_query_gets_a_hint(db: Client) -> None:
    create = 'Function.create({ name: "double", body: "x => x * 2" })'
    err = error_of(db, create + '\nFunction("double")')
    assert err.code == "invalid_argument"
    assert err.message == "invalid argument `function`: No such user function `double`."
    assert err.summary == (
        "error: invalid argument `function`: No such user function `double`.\n"
        "at *query*:2:9\n"
        "  |\n"
        '2 | Function("double")\n'
        "  |         ^^^^^^^^^^\n"
        "  |\n"
        "hint: A function cannot be created and used in the same query.\n"
        "  |\n"
        '2 | Function("double")\n'
        "  |         ^^^^^^^^^^\n"
        "  |"
    )
    # The failed query left nothing behind; created by a query of its own, the next one sees it.
    db.query(fql('Function.create({ name: "double", body: "x => x * 2" })'))
    assert db.query(fql('Function("double")(21)')).data == 42
    # A name never created gets no hint.
    assert "hint:" not in error_of(db, 'Function("Nope")').summary


def test_collection_created_in_the_same_query_gets_a_hint(db: Client) -> None:
    err = error_of(db, 'Collection.create({ name: "Cats" })\nCollection("Cats")')
    assert err.code == "invalid_argument"
    assert err.message == "invalid argument `collection`: No such user collection `Cats`."
    assert err.summary.endswith(
        "hint: A collection cannot be created and used in the same query.\n"
        "  |\n"
        '2 | Collection("Cats")\n'
        "  |           ^^^^^^^^\n"
        "  |"
    )
    assert "hint:" not in error_of(db, 'Collection("Nope")').summary


def test_documents_of_a_deleted_collection(db: Client) -> None:
    db.query(fql('Collection.create({ name: "People" })'))
    db.query(fql('Collection.create({ name: "Books" })'))
    db.query(fql('People.create({ id: "1", name: "Ann" })'))
    db.query(fql('Books.create({ id: "2", author: People("1") })'))
    db.query(fql("People.definition.delete()"))

    author = db.query(fql('Books("2")!.author')).data
    assert isinstance(author, NullDocument)
    assert author.cause == "collection deleted"
    for query in ('Books("2")!.author.name', 'Books("2")!.author!'):
        err = error_of(db, query)
        assert err.code == "document_not_found"
        assert err.message == (
            "Document with id 1 does not exist because the collection was deleted."
        )
    assert db.query(fql('Books("2")!.author == null')).data is True
    assert db.query(fql('Books("2")!.author.exists()')).data is False

"""Documents referring to documents, through the driver: projection and ``@doc``/``@ref``.

A reference stored in a field is dereferenced when read (``book.author.name``) and when
projected (``book { author { name } }``). On the wire, a document directly in the result (top
level, in result arrays, objects and set pages) is expanded (``@doc`` → ``Document``); a
document held in a field of an expanded document is only a reference (``@ref`` →
``DocumentReference``); a document that does not exist is a ``NullDocument`` with its cause.
"""

from __future__ import annotations

import pytest

from fauna import Document, DocumentReference, Module, NullDocument, fql
from fauna.client import Client
from fauna.encoding import QuerySuccess
from fauna.query.models import Page


@pytest.fixture
def library(db: Client) -> Client:
    db.query(fql('Collection.create({ name: "Author" })'))
    db.query(fql('Collection.create({ name: "Book" })'))
    db.query(fql('Author.create({ id: "1", name: "Ann", born: 1900 })'))
    db.query(fql('Author.create({ id: "2", name: "Bob", born: 1950 })'))
    db.query(fql('Book.create({ id: "10", title: "First", author: Author("1") })'))
    db.query(fql('Book.create({ id: "11", title: "Second", author: Author("2") })'))
    return db


def data(client: Client, query: str) -> object:
    success: QuerySuccess = client.query(fql(query))
    return success.data


def test_projection_dereferences_stored_references(library: Client) -> None:
    page = data(library, "Book.all() { title, author { name } }")
    assert isinstance(page, Page)
    assert page.data == [
        {"title": "First", "author": {"name": "Ann"}},
        {"title": "Second", "author": {"name": "Bob"}},
    ]
    assert page.after is None
    assert data(library, 'Book("10") { author { name, born } }') == {
        "author": {"name": "Ann", "born": 1900}
    }
    # Computed projection entries see the document as `.`.
    assert data(library, 'Book("11") { who: .author.name + "!" }') == {"who": "Bob!"}


def test_projection_of_metadata_fields(library: Client) -> None:
    book = data(library, 'Book("10")')
    assert isinstance(book, Document)
    projected = data(library, 'Book("10") { id, ts, title, coll }')
    assert projected == {"id": "10", "ts": book.ts, "title": "First", "coll": Module("Book")}


def test_projection_of_a_null_doc_is_null(library: Client) -> None:
    assert data(library, 'Book.byId("999") { id, title }') is None
    assert data(library, '[Book("10"), Book("999")] { title }') == [{"title": "First"}, None]
    # A reference to a deleted document projects to null too.
    library.query(fql('Author("2")!.delete()'))
    assert data(library, 'Book("11") { title, author { name } }') == {
        "title": "Second",
        "author": None,
    }


def test_documents_in_the_result_are_expanded(library: Client) -> None:
    book = data(library, 'Book("10")')
    assert isinstance(book, Document)
    assert book.id == "10"
    assert book.coll == Module("Book")
    # A document held in a field of an expanded document is only a reference.
    assert book["author"] == DocumentReference("Author", "1")
    assert not isinstance(book["author"], Document)

    # Read on its own, the referenced document is itself expanded.
    author = data(library, 'Book("10")!.author')
    assert isinstance(author, Document)
    assert dict(author) == {"name": "Ann", "born": 1900}

    # Inside result arrays, objects and projections, documents are expanded as well.
    listed = data(library, '[Book("10"), { a: Book("10")!.author }, Book("10") { author }]')
    assert isinstance(listed, list)
    assert isinstance(listed[0], Document)
    assert isinstance(listed[1]["a"], Document)
    assert isinstance(listed[2]["author"], Document)
    assert listed[2]["author"]["name"] == "Ann"

    # Documents in set pages too, each with its references unexpanded.
    page = data(library, "Book.all()")
    assert isinstance(page, Page) and page.data is not None
    assert [type(item) for item in page.data] == [Document, Document]
    assert [item["author"] for item in page.data] == [
        DocumentReference("Author", "1"),
        DocumentReference("Author", "2"),
    ]


def test_references_nested_inside_a_document_stay_references(library: Client) -> None:
    created = data(
        library,
        'Book.create({ id: "12", authors: [Author("1"), Author("2")], meta: { ed: Author("1") } })',
    )
    assert isinstance(created, Document)
    assert created["authors"] == [
        DocumentReference("Author", "1"),
        DocumentReference("Author", "2"),
    ]
    assert created["meta"] == {"ed": DocumentReference("Author", "1")}
    # ... and read through, they are documents again.
    assert data(library, 'Book("12")!.authors.map(.name)') == ["Ann", "Bob"]
    assert data(library, 'Book("12")!.data.meta.ed.name') == "Ann"


def test_missing_documents_render_as_null_documents(library: Client) -> None:
    missing = data(library, 'Book.byId("999")')
    assert isinstance(missing, NullDocument)
    assert missing.cause == "not found"
    assert missing.ref == DocumentReference("Book", "999")

    library.query(fql('Author("2")!.delete()'))
    gone = data(library, 'Book("11")!.author')
    assert isinstance(gone, NullDocument)
    assert gone.cause == "deleted"
    # Inside an expanded document, a reference is not looked up: it stays a plain reference.
    book = data(library, 'Book("11")')
    assert isinstance(book, Document)
    assert book["author"] == DocumentReference("Author", "2")


def test_a_reference_argument_is_a_document(library: Client) -> None:
    reference = DocumentReference("Author", "1")
    success = library.query(fql("${a}!.name", a=reference))
    assert success.data == "Ann"
    found = library.query(fql("Book.where(.author == ${a}).map(.title).toArray()", a=reference))
    assert found.data == ["First"]

"""Collections and documents through the ``fauna`` driver: FaunaDB's values, codes, messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fauna import Document, Module, NamedDocument, NullDocument, fql
from fauna.client import Client, QueryOptions
from fauna.errors import AbortError, QueryCheckError, QueryRuntimeError

REPO = Path(__file__).resolve().parents[3]


UNCHECKED = QueryOptions(typecheck=False)
"""For the runtime's ``unbound_variable``: typechecked (the default), FaunaDB rejects an unknown
identifier before the query runs, as ``invalid_query`` (``typer/TyperExprs.scala``, case
``Expr.Id``; tested in ``test_e2e_typecheck.py``)."""


def error_of(client: Client, query: str, options: QueryOptions | None = None) -> QueryRuntimeError:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(query), options)
    return caught.value


def test_basic_usage_example_prints_the_document() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "basic_usage.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.startswith("Document(id=")
    assert "coll=Module(name='Dogs')" in result.stdout
    assert "data={'name':'Scout'}" in result.stdout


def test_collection_create_returns_its_definition(db: Client) -> None:
    created = db.query(fql('Collection.create({ name: "Dogs" })')).data
    assert isinstance(created, NamedDocument)
    assert created.name == "Dogs"
    assert created.coll == Module("Collection")
    assert dict(created) == {"history_days": 0, "indexes": {}, "constraints": []}


def test_create_document_in_the_next_query(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    success = db.query(fql('Dogs.create({ name: "Scout" })'))
    doc = success.data
    assert isinstance(doc, Document)
    assert doc.coll == Module("Dogs")
    assert dict(doc) == {"name": "Scout"}
    assert int(doc.id) > 0
    # The document's ts is the writing transaction's time.
    assert doc.ts.timestamp() * 1_000_000 == pytest.approx(success.txn_ts, abs=1)
    read = db.query(fql("Dogs.byId(${id})", id=doc.id)).data
    assert read == doc


def test_collection_is_not_a_global_in_the_query_creating_it(db: Client) -> None:
    err = error_of(db, 'Collection.create({ name: "Cats" })\nCats.create({})', UNCHECKED)
    assert err.code == "unbound_variable"
    assert err.message == "Unbound variable `Cats`"
    # The failed query left nothing behind.
    assert db.query(fql('Collection.byName("Cats").exists()')).data is False


def test_reserved_collection_names(db: Client) -> None:
    err = error_of(db, 'Collection.create({ name: "Collection" })')
    assert err.code == "constraint_failure"
    assert err.message == "Failed to create Collection."
    assert err.constraint_failures is not None
    assert err.constraint_failures[0].message == "The identifier `Collection` is reserved."
    assert err.constraint_failures[0].paths == [["name"]]


def test_collection_lookups(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs", data: { a: 1 } })'))
    assert db.query(fql('Collection("Dogs") == Dogs')).data is True
    assert db.query(fql("Dogs.definition.data")).data == {"a": 1}
    assert db.query(fql('Collection.byName("Dogs")!.name')).data == "Dogs"
    assert db.query(fql("Collection.all().map(.name).toArray()")).data == ["Dogs"]
    err = error_of(db, 'Collection("Nope")')
    assert err.code == "invalid_argument"
    assert err.message == "invalid argument `collection`: No such user collection `Nope`."
    err = error_of(db, 'Collection.byName("Nope")!')
    assert err.code == "document_not_found"
    assert err.message == "Collection `Nope` not found."


def test_collection_rename_keeps_documents(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    db.query(fql('Dogs.create({ id: "1", name: "Scout" })'))
    db.query(fql('Dogs.definition.update({ name: "Hounds" })'))
    assert db.query(fql('Hounds.byId("1")!.name')).data == "Scout"
    err = error_of(db, "Dogs", UNCHECKED)
    assert err.code == "unbound_variable"


def test_collection_delete(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    db.query(fql('Dogs.create({ id: "1" })'))
    db.query(fql("Dogs.definition.delete()"))
    assert db.query(fql('Collection.byName("Dogs").exists()')).data is False
    db.query(fql('Collection.create({ name: "Dogs" })'))
    assert db.query(fql('Dogs.byId("1").exists()')).data is False


def test_document_and_collection_in_one_query(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    err = error_of(db, "Dogs.create({})\nDogs.definition.update({ data: { x: 1 } })")
    assert err.code == "invalid_write"
    assert err.message == "Cannot modify a document and its collection in the same query."


def test_update_deep_merges_and_null_removes(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    doc = db.query(fql("Dogs.create({ name: 'Rex', o: { a: 1, b: 2 }, tags: [1, 2] })")).data
    updated = db.query(
        fql("Dogs(${id}).update({ o: { a: 9, b: null }, tags: [3], name: null })", id=doc.id)
    ).data
    assert dict(updated) == {"o": {"a": 9}, "tags": [3]}
    replaced = db.query(fql("Dogs(${id}).replace({ x: 1 })", id=doc.id)).data
    assert dict(replaced) == {"x": 1}


def test_reserved_fields(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    err = error_of(db, 'Dogs.create({ ts: "Thing" })')
    assert err.code == "constraint_failure"
    assert err.message == "Failed to create document in collection `Dogs`."
    assert err.constraint_failures is not None
    assert err.constraint_failures[0].paths == [["ts"]]
    assert err.constraint_failures[0].message == "Is a reserved field and cannot be used"
    assert err.summary.startswith(
        "error: Failed to create document in collection `Dogs`.\n"
        "constraint failures:\n"
        "  ts: Is a reserved field and cannot be used\n"
    )
    # The *Data variants store such names under data, and FaunaDB shows them there.
    doc = db.query(fql('Dogs.createData({ ts: "Thing", update: 1 })')).data
    assert dict(doc) == {"data": {"ts": "Thing", "update": 1}}
    assert db.query(fql("Dogs(${id}).data", id=doc.id)).data == {"ts": "Thing", "update": 1}


def test_explicit_ids(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    assert db.query(fql('Dogs.create({ id: "123" }).id')).data == "123"
    err = error_of(db, "Dogs.create({ id: 123 })")
    assert err.code == "document_id_exists"
    assert err.message == "Collection `Dogs` already contains document with id 123."


def test_delete_returns_a_null_doc(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    db.query(fql('Dogs.create({ id: "7" })'))
    gone = db.query(fql('Dogs.byId("7")!.delete()')).data
    assert isinstance(gone, NullDocument)
    assert db.query(fql('Dogs.byId("7") == null')).data is True
    assert db.query(fql('Dogs.byId("7")?.name ?? "none"')).data == "none"
    assert db.query(fql('Dogs.byId("7").exists()')).data is False
    err = error_of(db, 'Dogs.byId("7")!.delete()')
    assert err.code == "document_not_found"
    assert err.message == "Collection `Dogs` does not contain document with id 7."


def test_missing_document(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    missing = db.query(fql('Dogs.byId("999")')).data
    assert isinstance(missing, NullDocument)
    assert missing.cause == "not found"
    err = error_of(db, 'Dogs.byId("999").name')
    assert err.code == "document_not_found"


def test_ts_is_transaction_time_in_the_writing_query(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    assert db.query(fql("Dogs.create({}).ts == TransactionTime()")).data is True


def test_references_are_stored_and_dereferenced(db: Client) -> None:
    db.query(fql('Collection.create({ name: "People" })'))
    db.query(fql('Collection.create({ name: "Books" })'))
    db.query(fql('People.create({ id: "1", name: "Ann" })'))
    book = db.query(fql('Books.create({ id: "2", author: People("1") })')).data
    assert book["author"].id == "1"  # written as a @ref inside the document
    assert db.query(fql('Books("2")!.author.name')).data == "Ann"
    db.query(fql('People("1")!.delete()'))
    err = error_of(db, 'Books("2")!.author!')
    assert err.code == "document_not_found"


def test_functions_cannot_be_stored(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    err = error_of(db, "Dogs.create({ f: x => x })")
    assert err.code == "invalid_type"
    assert err.message == "Anonymous functions cannot be stored. Use a string of FQL instead."


def test_all_where_first_where(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    db.query(fql("[1, 2, 3].forEach(n => Dogs.create({ id: n, n: n }))"))
    assert db.query(fql("Dogs.all().map(.n).toArray()")).data == [1, 2, 3]
    assert db.query(fql("Dogs.where(.n > 1).map(.n).toArray()")).data == [2, 3]
    assert db.query(fql("Dogs.firstWhere(.n == 2)!.id")).data == "2"
    assert db.query(fql('Dogs.all({ from: "2" }).map(.n).toArray()')).data == [2, 3]


def test_errors_roll_back_the_whole_query(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    with pytest.raises(AbortError):
        db.query(fql('Dogs.create({ id: "5" })\nabort("no")'))
    assert db.query(fql('Dogs.byId("5").exists()')).data is False


def test_schema_version_moves_with_schema_changes(db: Client) -> None:
    before = db.query(fql("1")).schema_version
    after = db.query(fql('Collection.create({ name: "Dogs" })')).schema_version
    assert after > before
    assert db.query(fql("Dogs.create({})")).schema_version == after


def test_parse_errors_stay_query_checks(db: Client) -> None:
    with pytest.raises(QueryCheckError):
        db.query(fql("Dogs.create({"))

"""Unit tests of the document write rules: deep merge, reserved fields, stored references."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.fql.context import QueryContext
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import ID, NULL, TRANSACTION_TIME, Lambda, Module, Time, Value
from faunalite.model.documents import UserDoc, from_stored
from faunalite.model.hooks import DataModel
from faunalite.model.session import QuerySession
from faunalite.model.writes import (
    create_user_document,
    deep_merge,
    parse_document_id,
    to_stored,
    update_user_document,
)
from faunalite.storage import DocRef


@pytest.fixture
def session() -> Iterator[QuerySession]:
    model = DataModel()
    with model.query_session((), "admin") as running:
        yield running
    model.close()


def test_deep_merge_merges_objects_and_removes_nulls() -> None:
    old = {"a": 1, "o": {"x": 1, "y": 2}, "list": [1, 2]}
    patch = {"o": {"x": NULL, "z": 3}, "list": [3], "a": NULL, "b": "new"}
    assert deep_merge(old, patch) == {"o": {"y": 2, "z": 3}, "list": [3], "b": "new"}
    assert old == {"a": 1, "o": {"x": 1, "y": 2}, "list": [1, 2]}


def test_deep_merge_replaces_a_scalar_with_an_object() -> None:
    assert deep_merge({"a": 1}, {"a": {"b": 2}}) == {"a": {"b": 2}}


def test_to_stored(session: QuerySession) -> None:
    doc = UserDoc(session, "Dogs", 5)
    stored = to_stored(session, {"ref": doc, "gone": NULL, "when": TRANSACTION_TIME, "l": [NULL]})
    assert stored == {
        "ref": DocRef("Dogs", 5),
        "when": Time(session.txn_ts * 1000),
        "l": [NULL],
    }
    assert from_stored(session, stored["ref"], None) == doc


def test_lambdas_cannot_be_stored(session: QuerySession) -> None:
    with pytest.raises(QueryError) as caught:
        to_stored(session, {"f": Lambda([], None, None, None)})
    assert caught.value.code == "invalid_type"


def test_reserved_fields_are_refused_together(session: QuerySession) -> None:
    with pytest.raises(QueryError) as caught:
        create_user_document(None, session, "Dogs", {"coll": 1, "ok": 2, "exists": 3}, plain=False)
    error = caught.value
    assert error.code == "constraint_failure"
    assert error.message == "Failed to create document in collection `Dogs`."
    assert error.constraint_failures == [
        {"paths": [["coll"]], "message": "Is a reserved field and cannot be used"},
        {"paths": [["exists"]], "message": "Is a reserved field and cannot be used"},
    ]


def test_id_only_in_create(session: QuerySession) -> None:
    doc = create_user_document(None, session, "Dogs", {"id": "42", "a": 1}, plain=False)
    assert doc.key == 42
    with pytest.raises(QueryError) as caught:
        update_user_document(None, doc, {"id": "43"}, replace=False, plain=False)
    assert caught.value.message == "Failed to update document with id 42 in collection `Dogs`."


def test_ttl_must_be_a_time(session: QuerySession) -> None:
    with pytest.raises(QueryError) as caught:
        create_user_document(None, session, "Dogs", {"ttl": "soon"}, plain=False)
    assert caught.value.constraint_failures == [
        {"paths": [["ttl"]], "message": "Expected Time | Null, provided String"}
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (-1, "id must be nonnegative"),
        ("-1", "id must be nonnegative"),
        ("abc", "Expected ID | String | Long, provided String"),
        (" 8", "Expected ID | String | Long, provided String"),
        ("99999999999999999999", "Expected ID | String | Long, provided String"),
        (1.5, "Expected ID | String | Long, provided Double"),
        (True, "Expected ID | String | Long, provided Boolean"),
        ([1], "Expected ID | String | Long, provided [Int]"),
        (NULL, "Missing required field of type ID | String | Long"),
    ],
)
def test_refused_document_ids_are_constraint_failures(
    session: QuerySession, given: Value, message: str
) -> None:
    # WriteBroker.scala getOrMakeID: the id is settled first, so its failure comes alone.
    with pytest.raises(QueryError) as caught:
        create_user_document(None, session, "Dogs", {"id": given, "ts": 1}, plain=False)
    error = caught.value
    assert (error.code, error.message) == (
        "constraint_failure",
        "Failed to create document in collection `Dogs`.",
    )
    assert error.constraint_failures == [{"paths": [["id"]], "message": message}]


def test_accepted_document_ids() -> None:
    assert parse_document_id("12") == 12
    assert parse_document_id("+7") == 7
    assert parse_document_id(0) == 0
    assert parse_document_id(ID(9)) == 9
    assert parse_document_id(str(2**63 - 1)) == 2**63 - 1


def test_reserved_names_fail_before_field_types(session: QuerySession) -> None:
    with pytest.raises(QueryError) as caught:
        create_user_document(None, session, "Dogs", {"ts": 1, "ttl": "soon"}, plain=False)
    assert caught.value.constraint_failures == [
        {"paths": [["ts"]], "message": "Is a reserved field and cannot be used"}
    ]


def test_user_fields_with_reserved_names_only_show_under_data(session: QuerySession) -> None:
    doc = create_user_document(None, session, "Dogs", {"ts": 1, "name": "x"}, plain=True)
    assert doc.fql_get_field("name") == "x"
    assert doc.fql_get_field("ts") is TRANSACTION_TIME
    assert doc.fql_get_field("data") == {"ts": 1, "name": "x"}
    # Shown as FaunaDB shows it (Schema.scala toExternalData): colliding names under `data`.
    assert doc.fql_fields() == {
        "id": ID(doc.key),
        "coll": Module("Dogs"),
        "ts": TRANSACTION_TIME,
        "name": "x",
        "data": {"ts": 1},
    }


def test_the_shown_data_object_follows_faunadb_order(session: QuerySession) -> None:
    given = {"ttl": 1, "update": 2, "id": 3, "coll": 4, "replace": 5, "a": 6}
    doc = create_user_document(None, session, "Dogs", given, plain=True)
    shown = doc.fql_fields()
    assert list(shown) == ["id", "coll", "ts", "a", "data"]
    assert list(shown["data"]) == ["replace", "coll", "id", "update", "ttl"]


@pytest.mark.parametrize(
    ("query", "failed"),
    [
        ('Collection.create({ name: "X", ts: 1, foo: 2 })', "Failed to create Collection."),
        ('Key.create({ role: "admin", coll: 1 })', "Failed to create Key."),
        ('Collection.byName("Dogs")!.update({ id: 1 })', "Failed to update Collection `Dogs`."),
        (
            'Collection.byName("Dogs")!.replace({ name: "Dogs", exists: 1 })',
            "Failed to update Collection `Dogs`.",
        ),
    ],
)
def test_native_documents_refuse_reserved_fields_first(query: str, failed: str) -> None:
    # Schema.scala validateReserved runs for every collection, before the fields' types.
    model = DataModel()
    try:
        with model.query_session((), "admin") as running:
            context = QueryContext(snapshot_time=running.transaction_time(), storage=running)
            running.query_context = context
            run_query(parse_query('Collection.create({ name: "Dogs" })', "*query*"), context)
        with model.query_session((), "admin") as running:
            context = QueryContext(snapshot_time=running.transaction_time(), storage=running)
            running.query_context = context
            with pytest.raises(QueryError) as caught:
                run_query(parse_query(query, "*query*"), context)
    finally:
        model.close()
    error = caught.value
    assert (error.code, error.message) == ("constraint_failure", failed)
    assert error.constraint_failures is not None
    assert [item["message"] for item in error.constraint_failures] == [
        "Is a reserved field and cannot be used"
    ]

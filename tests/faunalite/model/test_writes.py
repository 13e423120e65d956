"""Unit tests of the document write rules: deep merge, reserved fields, stored references."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.fql.errors import QueryError
from faunalite.fql.values import NULL, TRANSACTION_TIME, Lambda, Time
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


def test_document_ids() -> None:
    assert parse_document_id("12", "Dogs") == 12
    with pytest.raises(QueryError) as caught:
        parse_document_id(-1, "Dogs")
    assert caught.value.code == "invalid_document_id"
    assert caught.value.message == "Create in collection Dogs failed due to invalid document id -1"


def test_user_fields_with_reserved_names_only_show_under_data(session: QuerySession) -> None:
    doc = create_user_document(None, session, "Dogs", {"ts": 1, "name": "x"}, plain=True)
    assert doc.fql_get_field("name") == "x"
    assert doc.fql_get_field("ts") is TRANSACTION_TIME
    assert doc.fql_get_field("data") == {"ts": 1, "name": "x"}
    assert list(doc.fql_fields()) == ["id", "coll", "ts", "name"]

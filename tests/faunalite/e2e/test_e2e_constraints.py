"""Unique and check constraints and computed fields through the ``fauna`` driver."""

from __future__ import annotations

from typing import Any

import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError


def query(client: Client, text: str) -> Any:
    return client.query(fql(text)).data


def error_of(client: Client, text: str) -> QueryRuntimeError:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(text))
    return caught.value


def failures_of(error: QueryRuntimeError) -> list[tuple[list[list[Any]] | None, str]]:
    assert error.constraint_failures is not None
    return [(failure.paths, failure.message) for failure in error.constraint_failures]


@pytest.fixture
def users(db: Client) -> Client:
    query(
        db,
        'Collection.create({ name: "User", constraints: [{ unique: ["name", "address.city"] },'
        ' { unique: [{ field: "tags", mva: true }] }] })',
    )
    query(db, 'User.create({ name: "Ann", address: { city: "Oslo" }, tags: ["x", "y"] })')
    return db


def test_unique_constraint_is_echoed_active(users: Client) -> None:
    assert query(users, "User.definition.constraints") == [
        {"unique": ["name", "address.city"], "status": "active"},
        {"unique": [{"field": "tags", "mva": True}], "status": "active"},
    ]


def test_unique_violation_on_create(users: Client) -> None:
    err = error_of(users, 'User.create({ name: "Ann", address: { city: "Oslo" } })')
    assert err.code == "constraint_failure"
    # FaunaDB's unique failure does not name the write (unlike check/reserved-field failures).
    assert err.message == "Failed unique constraint."
    assert failures_of(err) == [([["name"], ["address", "city"]], "Failed unique constraint")]
    assert err.summary.startswith(
        "error: Failed unique constraint.\n"
        "constraint failures:\n"
        "  name, address.city: Failed unique constraint\n"
        "at *query*:1:12"
    )
    # Another city is another combination.
    query(users, 'User.create({ name: "Ann", address: { city: "Rome" } })')


def test_unique_violation_on_update_and_within_one_query(users: Client) -> None:
    query(users, 'User.create({ name: "Bob", address: { city: "Oslo" } })')
    err = error_of(users, 'User.where(.name == "Bob").first()!.update({ name: "Ann" })')
    assert err.message == "Failed unique constraint."
    assert failures_of(err) == [([["name"], ["address", "city"]], "Failed unique constraint")]
    # Updating a document without changing its unique fields is not a conflict with itself.
    query(users, 'User.where(.name == "Ann").first()!.update({ age: 3 })')
    err = error_of(
        users, 'User.create({ name: "Z", tags: ["q"] })\nUser.create({ name: "W", tags: ["q"] })'
    )
    assert failures_of(err) == [([["tags"]], "Failed unique constraint")]
    # The failed query left nothing behind.
    assert query(users, 'User.where(.name == "Z").count()') == 0


def test_unique_mva_checks_each_element(users: Client) -> None:
    err = error_of(users, 'User.create({ name: "Cid", tags: ["z", "y"] })')
    assert failures_of(err) == [([["tags"]], "Failed unique constraint")]
    query(users, 'User.create({ name: "Cid", tags: ["z"] })')


def test_unique_fields_that_are_missing_do_not_conflict(users: Client) -> None:
    query(users, "User.create({ other: 1 })")
    query(users, "User.create({ other: 2 })")
    assert query(users, "User.all().count()") == 3


CHECKED = """
Collection.create({
  name: "Acct",
  constraints: [
    { check: { name: "positive", body: "doc => doc.balance >= 0" } },
    { check: { name: "short", body: "(.balance != 13)" } },
    { check: { name: "typed", body: "doc => if (doc.kind == 'bad') 'oops' else true" } },
    { check: { name: "nullish", body: "doc => if (doc.kind == 'null') null else true" } },
    { check: { name: "broken", body: "doc => if (doc.kind == 'err') 1 / 0 == 1 else true" } }
  ]
})
"""


@pytest.fixture
def accounts(db: Client) -> Client:
    query(db, CHECKED)
    return db


def test_check_constraints_pass_and_fail(accounts: Client) -> None:
    assert query(accounts, "Acct.create({ balance: 5 }).balance") == 5
    err = error_of(accounts, "Acct.create({ balance: -1 })")
    assert err.code == "constraint_failure"
    assert err.message == "Failed to create document in collection `Acct`."
    assert failures_of(err) == [([], "Document failed check constraint `positive`")]
    assert "constraint failures:\n  Document failed check constraint `positive`\n" in err.summary
    err = error_of(accounts, "Acct.create({ balance: 13 })")
    assert failures_of(err) == [([], "Document failed check constraint `short`")]
    err = error_of(accounts, "Acct.create({ balance: 1, kind: 'null' })")
    assert failures_of(err) == [([], "Document failed check constraint `nullish`")]


def test_check_constraints_run_on_update_and_replace(accounts: Client) -> None:
    query(accounts, "Acct.create({ balance: 5 })")
    err = error_of(accounts, "Acct.all().first()!.update({ balance: -5 })")
    assert err.message.startswith("Failed to update document with id ")
    assert failures_of(err) == [([], "Document failed check constraint `positive`")]
    err = error_of(accounts, "Acct.all().first()!.replace({ balance: -5 })")
    assert failures_of(err) == [([], "Document failed check constraint `positive`")]
    assert query(accounts, "Acct.all().first()!.balance") == 5


def test_check_constraint_returning_a_non_boolean(accounts: Client) -> None:
    err = error_of(accounts, "Acct.create({ balance: 1, kind: 'bad' })")
    assert failures_of(err) == [
        ([], "Error evaluating check constraint `typed`: function returned a non-boolean value")
    ]


def test_an_error_inside_a_check_propagates(accounts: Client) -> None:
    err = error_of(accounts, "Acct.create({ balance: 1, kind: 'err' })")
    assert err.code == "divide_by_zero"
    assert err.message == "Attempted integer division by zero."


def test_check_definitions_are_validated(db: Client) -> None:
    err = error_of(
        db,
        'Collection.create({ name: "C", constraints: ['
        '{ check: { name: "a", body: "doc => true" } },'
        '{ check: { name: "a", body: "doc => true" } },'
        '{ check: { name: "b", body: "(x, y) => true" } }] })',
    )
    assert err.code == "constraint_failure"
    assert err.message == "Failed to create Collection."
    # A malformed body fails the definition before FaunaDB looks for duplicate names.
    failures = [(failure.paths, failure.message) for failure in err.constraint_failures or []]
    assert failures == [
        (
            [["constraints", 2, "check", "body"]],
            "Invalid function arity. Expected exactly 1 argument, but the function was defined"
            " with 2 arguments",
        )
    ]


@pytest.fixture
def names(db: Client) -> Client:
    query(
        db,
        'Collection.create({ name: "Name", computed_fields: {'
        " full: { body: \"doc => doc.first + ' ' + doc.last\" },"
        ' initial: { body: "(.first.slice(0, 1))" } } })',
    )
    query(db, 'Name.create({ first: "Ada", last: "Lovelace" })')
    return db


def test_computed_fields_are_read_at_top_level(names: Client) -> None:
    assert query(names, "Name.all().first()!.full") == "Ada Lovelace"
    doc = query(names, "Name.all().first()")
    assert dict(doc) == {"first": "Ada", "last": "Lovelace", "full": "Ada Lovelace", "initial": "A"}
    assert query(names, "Object.keys(Name.all().first()!)") == [
        "id",
        "coll",
        "ts",
        "first",
        "last",
        "full",
        "initial",
    ]
    # They follow the stored fields they are computed from.
    query(names, 'Name.all().first()!.update({ first: "Grace" })')
    assert query(names, "Name.all().map(.full).toArray()") == ["Grace Lovelace"]


def test_computed_fields_cannot_be_written(names: Client) -> None:
    err = error_of(names, 'Name.create({ first: "A", full: "x" })')
    assert err.code == "constraint_failure"
    assert err.message == "Failed to create document in collection `Name`."
    assert failures_of(err) == [([["full"]], "Cannot write to a computed field")]
    err = error_of(names, 'Name.all().first()!.update({ initial: "Q" })')
    assert failures_of(err) == [([["initial"]], "Cannot write to a computed field")]

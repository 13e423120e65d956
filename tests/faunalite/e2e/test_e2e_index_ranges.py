"""Index ranges over nulls and ids, and refused constraint declarations, through the driver.

FaunaDB's sources: ``FQL2IndexSpec.scala`` (null bounds, covered ids),
``CollectionIndexMethod.collectRange``, ``UniqueConstraintSpec.scala`` and
``FQL2CheckConstraintsSpec.scala`` (``CollectionSchemaHooks.validateCollection``).
"""

from __future__ import annotations

from typing import Any

import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError


def value_of(client: Client, text: str) -> Any:
    return client.query(fql(text)).data


def failure_of(client: Client, text: str) -> tuple[int, str, str, list[tuple[Any, str]]]:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(text))
    err = caught.value
    failures = [(item.paths, item.message) for item in err.constraint_failures or []]
    return err.status_code, err.code, err.message, failures


@pytest.fixture
def products(db: Client) -> Client:
    db.query(
        fql(
            'Collection.create({ name: "Products", indexes: {'
            ' byPrice: { terms: [{ field: "category" }],'
            ' values: [{ field: "price" }, { field: "count" }] },'
            ' byPriceDesc: { terms: [{ field: "category" }],'
            ' values: [{ field: "price", order: "desc" }, { field: "count", order: "desc" }] } } })'
        )
    )
    db.query(
        fql(
            "[Products.create({ category: 'sports', n: 'null' }),"
            " Products.create({ category: 'sports', price: 1000, n: 'price' }),"
            " Products.create({ category: 'sports', count: 200, n: 'count' }),"
            " Products.create({ category: 'sports', price: 300, count: 300, n: 'all' })]"
        )
    )
    return db


def test_null_bounds_include_what_faunadb_includes(products: Client) -> None:
    def names(index: str, bounds: str) -> list[str]:
        return list(value_of(products, f"Products.{index}('sports', {bounds}).toArray().map(.n)"))

    assert names("byPrice", "{ from: null }") == ["count", "null"]
    assert names("byPrice", "{ from: (null, null) }") == ["null"]
    assert names("byPrice", "{ to: null }") == ["all", "price", "count", "null"]
    assert names("byPrice", "{ to: (1000, 1000) }") == ["all"]
    assert names("byPriceDesc", "{ to: null }") == ["null", "count"]
    assert names("byPriceDesc", "{ to: (null, null) }") == ["null"]
    assert names("byPriceDesc", "{ from: null }") == ["null", "count", "price", "all"]


def test_indexes_covering_id_range_and_order_over_ids(db: Client) -> None:
    db.query(
        fql(
            "Collection.create({ name: 'Person', indexes: {"
            " byID: { values: [{ field: 'id' }] },"
            " byIDDesc: { values: [{ field: 'id', order: 'desc' }] },"
            " byIDAnd: { values: [{ field: 'id' }, { field: 'name' }] } } })"
        )
    )
    db.query(fql("[Person.create({ id: '456', name: 'Alice' }), Person.create({ id: '123' })]"))

    def ids(text: str) -> list[str]:
        return list(value_of(db, f"{text}.toArray().map(.id)"))

    assert ids("Person.byID()") == ["123", "456"]
    assert ids("Person.byIDDesc()") == ["456", "123"]
    assert ids("Person.byID({ from: '124' })") == ["456"]
    assert ids("Person.byID({ from: 124, to: ID(456) })") == ["456"]
    assert ids("Person.byID({ from: 'a' })") == []
    assert ids("Person.byID({ from: null })") == ["123", "456"]
    assert ids("Person.byIDDesc({ from: 'a' })") == ["456", "123"]
    assert ids("Person.byIDDesc({ from: null })") == []
    assert ids("Person.byIDAnd({ from: ['a'] })") == []
    assert ids("Person.byIDAnd({ from: [null] })") == ["123", "456"]


def test_duplicate_unique_constraints_are_refused(db: Client) -> None:
    assert failure_of(
        db,
        'Collection.create({ name: "Person", constraints: ['
        ' { unique: ["foo", "bar"] }, { unique: [".foo", ".bar"] }] })',
    ) == (
        400,
        "constraint_failure",
        "Failed to create Collection.",
        [([["constraints"]], "Duplicate unique constraint on path [.foo, .bar]")],
    )
    db.query(fql('Collection.create({ name: "Other" })'))
    assert failure_of(
        db,
        "Other.definition.update({ constraints: [{ unique: ['name'] }, { unique: [\".['name']\"] }] })",
    ) == (
        400,
        "constraint_failure",
        "Failed to update Collection `Other`.",
        [([["constraints"]], "Duplicate unique constraint on path [.name]")],
    )


def test_invalid_and_duplicate_check_names_are_refused(db: Client) -> None:
    assert failure_of(
        db,
        "Collection.create({ name: 'Foo', constraints: ["
        " { check: { name: 'foo bar', body: 'doc => doc.x == 0' } }] })",
    ) == (
        400,
        "constraint_failure",
        "Failed to create Collection.",
        [([["constraints", 0, "check", "name"]], "Invalid identifier.")],
    )
    assert failure_of(
        db,
        "Collection.create({ name: 'Foo', constraints: ["
        " { check: { name: 'ok', body: 'doc => doc.ok' } },"
        " { check: { name: 'ok', body: 'doc => doc.ok' } },"
        " { check: { name: 'ko', body: 'doc => doc.ko' } },"
        " { check: { name: 'ko', body: 'doc => doc.ko' } }] })",
    ) == (
        400,
        "constraint_failure",
        "Failed to create Collection.",
        [
            ([["constraints"]], "Duplicate check constraint name 'ko'"),
            ([["constraints"]], "Duplicate check constraint name 'ok'"),
        ],
    )

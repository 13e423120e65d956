"""Indexes through the ``fauna`` driver: definitions, lookups, ranges, order and maintenance."""

from __future__ import annotations

from typing import Any

import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError

PEOPLE = """
Collection.create({
  name: "Person",
  indexes: {
    byName: { terms: [{ field: "name" }], values: [{ field: "age", order: "desc" }] },
    byAge: { values: [{ field: ".age" }, { field: "name" }] },
    byTag: { terms: [{ field: "tags", mva: true }] },
    byCity: { terms: [{ field: "address.city" }] }
  }
})
"""


def query(client: Client, text: str, **args: Any) -> Any:
    return client.query(fql(text, **args)).data


def error_of(client: Client, text: str) -> QueryRuntimeError:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(text))
    return caught.value


@pytest.fixture
def people(db: Client) -> Client:
    query(db, PEOPLE)
    query(
        db,
        """
        Person.create({ name: "Ann", age: 40, tags: ["a", "b"], address: { city: "Oslo" } })
        Person.create({ name: "Ann", age: 20, tags: ["b"] })
        Person.create({ name: "Bob", age: 30, tags: [] })
        Person.create({ name: "Cid" })
        Person.create({ name: "Dan", age: 30, address: { city: "Oslo" } })
        """,
    )
    return db


def test_definition_is_echoed_with_status(db: Client) -> None:
    created = query(db, PEOPLE)
    assert created["indexes"]["byName"] == {
        "terms": [{"field": "name"}],
        "values": [{"field": "age", "order": "desc"}],
        "queryable": True,
        "status": "complete",
    }
    assert created["indexes"]["byAge"]["values"] == [
        {"field": ".age", "order": "asc"},
        {"field": "name", "order": "asc"},
    ]
    assert created["indexes"]["byTag"]["terms"] == [{"field": "tags", "mva": True}]


def test_terms_select_and_values_order_descending(people: Client) -> None:
    assert query(people, 'Person.byName("Ann").map(.age).toArray()') == [40, 20]
    assert query(people, 'Person.byName("Nobody").toArray()') == []
    assert query(people, 'Person.byCity("Oslo").map(.name).toArray()') == ["Ann", "Dan"]


def test_missing_values_sort_last_ascending_and_ties_by_value_then_id(people: Client) -> None:
    names = query(people, "Person.byAge().map(.name).toArray()")
    assert names == ["Ann", "Bob", "Dan", "Ann", "Cid"]
    assert query(people, "Person.byAge().reverse().map(.name).toArray()") == names[::-1]


def test_mva_indexes_each_array_element(people: Client) -> None:
    assert query(people, 'Person.byTag("b").map(.age).toArray()') == [40, 20]
    assert query(people, 'Person.byTag("a").count()') == 1
    # Without mva the whole array is the term.
    assert query(people, 'Person.byTag(["a", "b"]).count()') == 0


def test_ranges_are_inclusive_prefixes_with_null_as_the_greatest_value(people: Client) -> None:
    assert query(people, "Person.byAge({ from: 30 }).map(.name).toArray()") == [
        "Bob",
        "Dan",
        "Ann",
        "Cid",
    ]
    assert query(people, "Person.byAge({ to: 30 }).map(.name).toArray()") == ["Ann", "Bob", "Dan"]
    assert query(people, 'Person.byAge({ from: [30, "C"], to: [40] }).map(.name).toArray()') == [
        "Dan",
        "Ann",
    ]
    # null is a value, the greatest (FQL2IndexSpec "documents with null value come after..."):
    # from (30, null) leaves out the (30, name) entries; to null keeps the missing ages.
    assert query(people, "Person.byAge({ from: [30, null], to: null }).map(.name).toArray()") == [
        "Ann",
        "Cid",
    ]
    # Descending values: `from` comes first in index order.
    assert query(people, 'Person.byName("Ann", { from: 30 }).map(.age).toArray()') == [20]


def test_ranges_of_an_index_without_values_are_document_ids(people: Client) -> None:
    ids = query(people, 'Person.byCity("Oslo").map(.id).toArray()')
    assert len(ids) == 2
    assert query(people, f'Person.byCity("Oslo", {{ from: "{ids[1]}" }}).map(.id).toArray()') == [
        ids[1]
    ]
    assert query(people, f'Person.byCity("Oslo", {{ to: {ids[0]} }}).map(.id).toArray()') == [
        ids[0]
    ]


def test_bad_ranges_and_arguments(people: Client) -> None:
    err = error_of(people, "Person.byAge({ from: 1, until: 2 })")
    assert err.code == "invalid_argument"
    assert err.message == (
        "invalid argument `range`: should be an object contining `{ from }`, `{ to }`, "
        "or `{ from, to }` fields"
    )
    err = error_of(people, "Person.byAge({ from: x => x })")
    assert err.message == (
        "invalid argument `range`: The `from` field should be either an indexable value or an "
        "array of values"
    )
    err = error_of(people, 'Person.byName("a", {}, 3)')
    assert err.code == "invalid_function_invocation"
    assert err.message == "callee function expects 1 or 2 arguments, but 3 were provided."
    err = error_of(people, "Person.byName(Person.all())")
    assert err.message == "invalid argument `term1`: Argument cannot be used as lookup term"
    err = error_of(people, 'Person.byyName("a")')
    assert err.code == "invalid_function_invocation"
    assert err.message == "The function `byyName` does not exist on `Person`"


def test_index_entries_follow_updates_and_deletes(people: Client) -> None:
    query(people, 'Person.byName("Bob").first()!.update({ name: "Ann" })')
    assert query(people, 'Person.byName("Ann").map(.age).toArray()') == [40, 30, 20]
    assert query(people, 'Person.byName("Bob").count()') == 0
    query(people, 'Person.byName("Ann").where(.age == 40).first()!.delete()')
    assert query(people, 'Person.byName("Ann").map(.age).toArray()') == [30, 20]
    assert query(people, 'Person.byTag("a").count()') == 0
    query(people, 'Person.byName("Ann").first()!.replace({ name: "Eve" })')
    assert query(people, 'Person.byName("Eve").map(.age).toArray()') == [None]


def test_the_query_sees_its_own_writes_through_the_index(people: Client) -> None:
    assert query(
        people, 'Person.create({ name: "Ann", age: 99 })\nPerson.byName("Ann").map(.age).toArray()'
    ) == [99, 40, 20]


def test_adding_and_changing_an_index_builds_it_over_existing_documents(people: Client) -> None:
    query(
        people,
        'Person.definition.update({ indexes: { byAgeTerm: { terms: [{ field: "age" }] } } })',
    )
    assert query(people, "Person.byAgeTerm(30).map(.name).toArray()") == ["Bob", "Dan"]
    query(
        people,
        'Person.definition.update({ indexes: { byAgeTerm: { terms: [{ field: "name" }] } } })',
    )
    assert query(people, 'Person.byAgeTerm("Cid").count()') == 1
    assert query(people, "Person.byAgeTerm(30).count()") == 0
    query(people, "Person.definition.update({ indexes: { byAgeTerm: null } })")
    err = error_of(people, "Person.byAgeTerm(30)")
    assert err.message == "The function `byAgeTerm` does not exist on `Person`"


def test_an_index_is_not_a_method_in_the_query_defining_it(people: Client) -> None:
    err = error_of(
        people,
        'Person.definition.update({ indexes: { byX: { terms: [{ field: "x" }] } } })\n'
        "Person.byX(1)",
    )
    assert err.message == "The function `byX` does not exist on `Person`"


def test_a_non_queryable_index_cannot_be_called(people: Client) -> None:
    query(
        people,
        'Person.definition.update({ indexes: { hidden: { terms: [{ field: "x" }],'
        " queryable: false } } })",
    )
    err = error_of(people, "Person.hidden(1)")
    assert err.code == "invalid_index_invocation"
    assert err.message == "The index `Person.hidden` is not queryable."


def test_invalid_index_definitions(db: Client) -> None:
    err = error_of(
        db,
        'Collection.create({ name: "Bad", indexes: { byId: { terms: [{ field: "id" }] },'
        ' byEmpty: { terms: [{ field: "" }] } } })',
    )
    assert err.code == "constraint_failure"
    assert err.message == "Failed to create Collection."
    assert err.constraint_failures is not None
    paths = [failure.paths for failure in err.constraint_failures]
    assert [["indexes", "byId", "terms", 0, "field"]] in paths
    assert [["indexes", "byEmpty", "terms", 0, "field"]] in paths


def test_paginating_an_index_set_resumes_in_index_order(db: Client) -> None:
    query(
        db,
        'Collection.create({ name: "N", indexes: { byN: { values: [{ field: "n", order: "desc" }] } } })',
    )
    query(db, "Set.sequence(0, 40).forEach(i => N.create({ n: i }))")
    seen = [doc["n"] for page in db.paginate(fql("N.byN().pageSize(7)")) for doc in page]
    assert seen == list(range(39, -1, -1))

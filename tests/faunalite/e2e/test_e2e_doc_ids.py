"""Explicit document ids, reserved fields and the ``*Data`` variants through the driver.

FaunaDB's sources: ``WriteBroker.scala`` ``getOrMakeID`` (an ``id`` is an ID, a string
``Long.parseLong`` reads or an integer, never negative, else a ``constraint_failure`` on
``id``), ``Schema.scala`` ``validateReserved``/``toExternalData`` and the specs
``FQL2ReservedFieldAndDataAccessSpec.scala`` and ``FQL2DocSpec.scala`` ("*Data variants").
"""

from __future__ import annotations

from typing import Any

import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError

CREATE_FAILED = "Failed to create document in collection `Dogs`."


@pytest.fixture
def dogs(db: Client) -> Client:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    return db


def failure_of(client: Client, text: str) -> tuple[int, str, str, list[tuple[Any, str]]]:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(text))
    err = caught.value
    failures = [(item.paths, item.message) for item in err.constraint_failures or []]
    return err.status_code, err.code, err.message, failures


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("-1", "id must be nonnegative"),
        ('"-12"', "id must be nonnegative"),
        ('"abc"', "Expected ID | String | Long, provided String"),
        ("1.5", "Expected ID | String | Long, provided Double"),
        ("true", "Expected ID | String | Long, provided Boolean"),
        ("null", "Missing required field of type ID | String | Long"),
    ],
)
def test_a_refused_id_is_a_constraint_failure(dogs: Client, given: str, message: str) -> None:
    assert failure_of(dogs, f"Dogs.create({{ id: {given}, name: 'x' }})") == (
        400,
        "constraint_failure",
        CREATE_FAILED,
        [([["id"]], message)],
    )


def test_accepted_ids(dogs: Client) -> None:
    assert dogs.query(fql('Dogs.create({ id: "+7" }).id')).data == "7"
    assert dogs.query(fql("Dogs.create({ id: 0 }).id")).data == "0"
    assert dogs.query(fql("Dogs.create({ id: ID(8) }).id")).data == "8"


@pytest.mark.parametrize("field", ["id", "ts", "coll", "data", "update", "exists"])
def test_update_and_replace_refuse_reserved_fields(dogs: Client, field: str) -> None:
    dogs.query(fql("Dogs.create({ id: 5, a: 1 })"))
    for method in ("update", "replace"):
        assert failure_of(dogs, f"Dogs.byId(5)!.{method}({{ {field}: 1 }})") == (
            400,
            "constraint_failure",
            "Failed to update document with id 5 in collection `Dogs`.",
            [([[field]], "Is a reserved field and cannot be used")],
        )


def test_data_variants_show_colliding_fields_under_data(dogs: Client) -> None:
    created = dogs.query(fql('Dogs.createData({ id: "foo", a: 0, update: 0 })')).data
    assert created["a"] == 0
    assert created["data"] == {"id": "foo", "update": 0}
    assert created.id != "foo"
    updated = dogs.query(fql("Dogs.byId(${id})!.updateData({ update: 1 })", id=created.id)).data
    assert (updated["a"], updated["data"]) == (0, {"id": "foo", "update": 1})
    replaced = dogs.query(fql("Dogs.byId(${id})!.replaceData({ replace: 0 })", id=created.id))
    assert dict(replaced.data) == {"data": {"replace": 0}}
    # `doc.data` is every user field; a plain document shows no `data`.
    assert dogs.query(fql("Dogs.byId(${id})!.data", id=created.id)).data == {"replace": 0}
    assert "data" not in dict(dogs.query(fql("Dogs.create({ b: 1 })")).data)


def test_native_documents_refuse_reserved_fields(dogs: Client) -> None:
    assert failure_of(dogs, 'Collection.create({ name: "Cats", ts: 1 })') == (
        400,
        "constraint_failure",
        "Failed to create Collection.",
        [([["ts"]], "Is a reserved field and cannot be used")],
    )
    assert failure_of(dogs, "Dogs.definition.update({ id: 1 })") == (
        400,
        "constraint_failure",
        "Failed to update Collection `Dogs`.",
        [([["id"]], "Is a reserved field and cannot be used")],
    )

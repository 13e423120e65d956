"""Typed fields and migrations end to end: the ``fauna`` driver and ``/schema/1/update`` (FSL
files, as ``fauna schema push`` sends them) against a running faunalite server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError
from faunalite.testing import BackgroundServer

SCHEMA_V1 = """collection User {
  name: String
  age: Int | String
  index byAge {
    terms [.age]
  }
}
"""

SCHEMA_V2 = """collection User {
  name: String
  age: Int
  age_text: String?
  email: String
  index byAge {
    terms [.age]
  }
  migrations {
    split .age -> .age, .age_text
    backfill .age = 0
    add .email
    backfill .email = "unknown@example.com"
  }
}
"""

SCHEMA_V3_WITHOUT_MIGRATION = SCHEMA_V2.replace(
    "  email: String\n", "  email: String\n  zip: Int\n"
)


@pytest.fixture
def schema_http(faunalite_server: BackgroundServer, db_name: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {faunalite_server.secret}:{db_name}:admin"}
    with httpx.Client(
        base_url=f"{faunalite_server.endpoint}/schema/1", headers=headers, timeout=10
    ) as client:
        yield client


def push(http: httpx.Client, main: str) -> httpx.Response:
    return http.post("/update", files={"main.fsl": main.encode()})


def query(client: Client, text: str) -> Any:
    return client.query(fql(text)).data


def test_a_write_that_breaks_the_declared_types_fails_with_faunadb_s_error(db: Client) -> None:
    query(
        db,
        'Collection.create({ name: "Foo", fields: {'
        ' my_field: { signature: "Number" }, tags: { signature: "Array<String>" } } })',
    )
    with pytest.raises(QueryRuntimeError) as caught:
        db.query(fql("Foo.create({ my_field: 'hi', tags: ['a', 2], extra: true })"))
    error = caught.value
    assert error.code == "constraint_failure"
    assert error.message == "Failed to create document in collection `Foo`."
    assert error.constraint_failures is not None
    assert [(item.paths, item.message) for item in error.constraint_failures] == [
        ([["my_field"]], "Expected Number, provided String"),
        ([["tags", 1]], "Expected String, provided Int"),
        ([["extra"]], "Unexpected field provided"),
    ]
    assert error.summary.startswith(
        "error: Failed to create document in collection `Foo`.\n"
        "constraint failures:\n"
        "  my_field: Expected Number, provided String\n"
    )
    assert query(db, "Foo.create({ my_field: 1.5, tags: [] }) { my_field, tags }") == {
        "my_field": 1.5,
        "tags": [],
    }


def test_a_pushed_migration_rewrites_the_documents(schema_http: httpx.Client, db: Client) -> None:
    assert push(schema_http, SCHEMA_V1).status_code == 200
    query(db, "User.create({ id: 1, name: 'Ann', age: 30 })")
    query(db, "User.create({ id: 2, name: 'Bob', age: 'forty' })")
    with pytest.raises(QueryRuntimeError) as refused:
        db.query(fql("User.create({ name: 'Cy', age: 2.5 })"))
    assert refused.value.code == "constraint_failure"

    pushed = push(schema_http, SCHEMA_V2)
    assert pushed.status_code == 200, pushed.text
    assert query(db, "User(1)!.data") == {
        "name": "Ann",
        "age": 30,
        "email": "unknown@example.com",
    }
    assert query(db, "User(2)!.data") == {
        "name": "Bob",
        "age": 0,
        "age_text": "forty",
        "email": "unknown@example.com",
    }
    # The index follows the migrated values.
    assert query(db, "User.byAge(0).toArray().map(.name)") == ["Bob"]
    assert query(db, 'User.byAge("forty").toArray().map(.name)') == []
    # The schema is visible through FQL.
    assert query(db, 'Collection.byName("User")!.fields.age') == {"signature": "Int"}

    # Pushing the same files again runs no migration a second time.
    query(db, "User(1)!.update({ email: 'ann@example.com' })")
    assert push(schema_http, SCHEMA_V2).status_code == 200
    assert query(db, "User(1)!.email") == "ann@example.com"


def test_a_push_whose_migration_is_missing_changes_nothing(
    schema_http: httpx.Client, db: Client
) -> None:
    assert push(schema_http, SCHEMA_V1).status_code == 200
    query(db, "User.create({ id: 1, name: 'Ann', age: 30 })")
    assert push(schema_http, SCHEMA_V2).status_code == 200
    version = schema_http.get("/files").json()["version"]

    refused = push(schema_http, SCHEMA_V3_WITHOUT_MIGRATION)
    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert message.startswith(
        "Invalid database schema update.\n"
        "    error: Field `.zip` is not present in the live schema\n"
    )
    # Neither the files, the definition nor the documents changed.
    assert schema_http.get("/files").json()["version"] == version
    assert "zip" not in query(db, 'Collection.byName("User")!.fields')
    assert query(db, "User(1)!.data") == {
        "name": "Ann",
        "age": 30,
        "email": "unknown@example.com",
    }


def test_an_fql_update_with_migrations_rewrites_documents(db: Client) -> None:
    query(db, 'Collection.create({ name: "Pet", fields: { nick: { signature: "String" } } })')
    query(db, "Pet.create({ id: 1, nick: 'Rex' })")
    query(
        db,
        'Collection.byName("Pet")!.update({ fields: { nick: null, name: { signature: "String" } },'
        ' migrations: [{ move: { field: ".nick", to: ".name" } }] })',
    )
    assert query(db, "Pet(1)!.data") == {"name": "Rex"}

    with pytest.raises(QueryRuntimeError) as caught:
        db.query(fql('Collection.byName("Pet")!.update({ fields: { age: { signature: "Int" } } })'))
    assert caught.value.code == "invalid_schema"
    assert caught.value.message.split("\n")[:2] == [
        "Invalid database schema update.",
        "    error: Field `.age` is not present in the live schema",
    ]
    assert "age" not in query(db, 'Collection.byName("Pet")!.fields')

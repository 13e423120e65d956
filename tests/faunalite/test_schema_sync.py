"""``SchemaService``: the schema endpoints' answers on an ``Engine``, without HTTP, and the FQL
a push turns into."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.engine import Engine, Principal
from faunalite.schema import parse_fsl
from faunalite.schema.fsl_diff import schema_changes
from faunalite.schema_sync import SchemaParams, SchemaService, change_query

ROOT = Principal()
NO_PARAMS = SchemaParams()


@pytest.fixture
def service() -> Iterator[SchemaService]:
    engine = Engine()
    yield SchemaService(engine)
    engine.close()


def test_changes_become_one_fql_statement_each() -> None:
    current = list(parse_fsl("collection Old {}\nfunction f() { 1 }\n").items)
    proposed = list(parse_fsl("collection New {}\nfunction f() { 2 }\n").items)
    text, bindings = change_query(schema_changes(current, proposed))
    assert text.splitlines() == [
        "Collection.create(fslItem0)",
        "Function.byName(fslName1)!.replace(fslItem1)",
        "Collection.byName(fslName2)!.delete()",
        "null",
    ]
    assert bindings["fslItem0"]["name"] == "New"
    assert bindings["fslItem1"] == {"name": "f", "body": "() => { 2 }"}
    assert bindings["fslName2"] == "Old"


def test_a_diff_changes_nothing(service: SchemaService) -> None:
    diff = service.diff(ROOT, NO_PARAMS, {"main.fsl": "collection A {}\n"})
    assert diff.body == {"version": 0, "diff": "* Adding collection `A` to main.fsl:1:1\n\n"}
    assert service.files(ROOT, NO_PARAMS).body == {"version": 0, "files": []}


def test_an_update_commits_and_versions_the_schema(service: SchemaService) -> None:
    updated = service.update(ROOT, NO_PARAMS, {"main.fsl": "collection A {}\n"})
    version = updated.body["version"]
    assert isinstance(version, int) and version > 0
    listed = service.files(ROOT, SchemaParams(version=version))
    assert listed.body == {"version": version, "files": [{"filename": "main.fsl"}]}
    stale = service.update(ROOT, SchemaParams(version=version + 1), {})
    assert (stale.status, stale.body) == (
        409,
        {"error": {"message": "Stale schema version provided"}},
    )


PROVIDER_FSL = """role customer {}
role manager {}

access provider auth0 {
  issuer "https://example.auth0.com/"
  jwks_uri "https://example.auth0.com/.well-known/jwks.json"
  role customer
  role manager { predicate (jwt => jwt.scope == "manager") }
}
"""


def test_access_providers_are_pushed_with_their_roles(service: SchemaService) -> None:
    updated = service.update(ROOT, NO_PARAMS, {"main.fsl": PROVIDER_FSL})
    assert updated.status == 200, updated.body
    with service.engine.model.query_session((), "admin") as session:
        stored = session.get("AccessProvider", "auth0")
    assert stored is not None
    assert stored.data["issuer"] == "https://example.auth0.com/"
    assert stored.data["roles"] == [
        "customer",
        {"role": "manager", "predicate": 'jwt => jwt.scope == "manager"'},
    ]
    assert str(stored.data["audience"]).startswith("https://db.fauna.com/db/")
    unchanged = service.diff(ROOT, NO_PARAMS, {"main.fsl": PROVIDER_FSL})
    assert unchanged.body["diff"] == ""
    moved = PROVIDER_FSL.replace("example.auth0.com/.well", "login.example.com/.well")
    assert service.update(ROOT, NO_PARAMS, {"main.fsl": moved}).status == 200
    with service.engine.model.query_session((), "admin") as session:
        replaced = session.get("AccessProvider", "auth0")
    assert replaced is not None
    assert replaced.data["jwks_uri"] == "https://login.example.com/.well-known/jwks.json"
    assert replaced.data["audience"] == stored.data["audience"]


def test_a_pushed_access_provider_is_validated_as_in_fql(service: SchemaService) -> None:
    insecure = PROVIDER_FSL.replace("https://example.auth0.com/.well", "http://example.com/.well")
    refused = service.update(ROOT, NO_PARAMS, {"main.fsl": insecure})
    assert refused.status == 400
    assert "Invalid URI." in str(refused.body)


def test_an_unknown_database_is_unauthorized(service: SchemaService) -> None:
    reply = service.files(Principal(("nope",)), NO_PARAMS)
    assert reply.status == 401

"""Unit tests of the ``AccessProvider`` collection and of the roles a JWT gets from one
(``faunalite.model.access_providers``; FaunaDB's ``AccessProvider.scala`` validators and
``JWTToken.getRoles``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.fql.context import QueryContext
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.model.access_providers import database_global_id, find_access_provider
from faunalite.model.hooks import DataModel, UnknownDatabase
from faunalite.model.session import QuerySession

PROVIDER = '{ name: "P", issuer: "https://issuer.example/", jwks_uri: "https://issuer.example/jwks"'


def _run(session: QuerySession, query: str) -> Any:
    context = QueryContext(snapshot_time=session.transaction_time(), storage=session)
    session.query_context = context
    return run_query(parse_query(query, "*query*"), context)


def _query(model: DataModel, query: str, database: tuple[str, ...] = ()) -> Any:
    with model.query_session(database, "admin") as session:
        return _run(session, query)


def _failures(model: DataModel, query: str) -> tuple[str, list[tuple[list[Any], str]]]:
    with pytest.raises(QueryError) as failed:
        _query(model, query)
    assert failed.value.code == "constraint_failure"
    found = [(item["paths"][0], item["message"]) for item in failed.value.constraint_failures]
    return failed.value.message, found


@pytest.fixture
def model() -> Iterator[DataModel]:
    model = DataModel()
    _query(
        model,
        """
        Collection.create({ name: "Things" })
        Role.create({ name: "Reader", privileges: [{ resource: "Things", actions: { read: true } }] })
        Role.create({ name: "Maker", privileges: [{ resource: "Things", actions: { create: true } }] })
        """,
    )
    _query(model, 'Things.create({ id: "1", n: 1 })')
    yield model
    model.close()


def test_create_stores_the_provider_with_the_databases_audience(model: DataModel) -> None:
    _query(model, f'AccessProvider.create({PROVIDER}, roles: "Reader" }})')
    with model.query_session((), "admin") as session:
        created = session.get("AccessProvider", "P")
        global_id = database_global_id(session.txn, (), create=False)
    assert created is not None and global_id is not None
    assert created.data == {
        "name": "P",
        "issuer": "https://issuer.example/",
        "jwks_uri": "https://issuer.example/jwks",
        "roles": "Reader",
        "audience": f"https://db.fauna.com/db/{global_id}",
    }
    assert _query(model, 'AccessProvider.byName("P")!.issuer') == "https://issuer.example/"
    assert _query(model, "AccessProvider.all().toArray().map(.name)") == ["P"]


def test_a_child_databases_audience_is_its_global_id(model: DataModel) -> None:
    global_id = _query(model, 'Database.create({ name: "app" }).global_id')
    audience = _query(model, f"AccessProvider.create({PROVIDER} }}).audience", ("app",))
    assert audience == f"https://db.fauna.com/db/{global_id}"
    with model.storage.transaction() as txn:
        found = find_access_provider(txn, global_id, "https://issuer.example/")
        assert find_access_provider(txn, global_id, "https://other.example/") is None
        assert find_access_provider(txn, "nosuchdb00000", "https://issuer.example/") is None
    assert found is not None
    assert (found.database, found.name, found.jwks_uri) == (
        ("app",),
        "P",
        "https://issuer.example/jwks",
    )


def test_update_and_replace_keep_the_audience_and_refuse_setting_it(model: DataModel) -> None:
    audience = _query(model, f"AccessProvider.create({PROVIDER} }}).audience")
    updated = _query(model, 'AccessProvider.byName("P")!.update({ roles: ["Reader"] }).audience')
    replaced = _query(
        model,
        'AccessProvider.byName("P")!.replace({ name: "P", issuer: "i", jwks_uri: "https://j" })'
        ".audience",
    )
    assert updated == replaced == audience
    message, failures = _failures(model, 'AccessProvider.byName("P")!.update({ audience: "x" })')
    assert message == "Failed to update AccessProvider `P`."
    assert failures == [(["audience"], "Unexpected field provided")]


def test_delete_removes_the_provider(model: DataModel) -> None:
    _query(model, f"AccessProvider.create({PROVIDER} }})")
    _query(model, 'AccessProvider.byName("P")!.delete()')
    assert _query(model, 'AccessProvider.byName("P").exists()') is False


def test_required_fields_and_their_types(model: DataModel) -> None:
    message, failures = _failures(model, 'AccessProvider.create({ name: "P", issuer: 1 })')
    assert message == "Failed to create AccessProvider."
    assert failures == [
        (["issuer"], "Expected String, provided Int"),
        (["jwks_uri"], "Missing required field of type String"),
    ]


@pytest.mark.parametrize(
    "uri", ["http://issuer.example/jwks", "ftp://issuer.example/jwks", "not a url", "https://"]
)
def test_the_jwks_uri_must_be_https(model: DataModel, uri: str) -> None:
    query = f'AccessProvider.create({{ name: "P", issuer: "i", jwks_uri: "{uri}" }})'
    assert _failures(model, query)[1] == [(["jwks_uri"], "Invalid URI.")]


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost", "[::1]:9000"])
def test_plain_http_is_accepted_on_loopback_for_local_jwks(model: DataModel, host: str) -> None:
    query = f'AccessProvider.create({{ name: "P", issuer: "i", jwks_uri: "http://{host}/jwks" }})'
    assert _query(model, query + ".jwks_uri") == f"http://{host}/jwks"


def test_the_issuer_is_unique_in_the_database(model: DataModel) -> None:
    _query(model, f"AccessProvider.create({PROVIDER} }})")
    duplicate = PROVIDER.replace('name: "P"', 'name: "Q"')
    assert _failures(model, f"AccessProvider.create({duplicate} }})")[1] == [
        (["issuer"], "Duplicate value.")
    ]
    # Its own issuer does not clash with itself on update.
    _query(model, 'AccessProvider.byName("P")!.update({ issuer: "https://issuer.example/" })')


def test_roles_must_exist_and_not_be_builtin(model: DataModel) -> None:
    query = f'AccessProvider.create({PROVIDER}, roles: ["Nope", "server", {{ role: "Reader", predicate: "x => true" }}] }})'
    assert _failures(model, query)[1] == [
        (["roles"], "Role `Nope` does not exist."),
        (["roles"], "Builtin role `server` not allowed."),
    ]


def test_only_admin_manages_providers(model: DataModel) -> None:
    _query(model, f"AccessProvider.create({PROVIDER} }})")
    with model.query_session((), "server") as session, pytest.raises(QueryError) as denied:
        _run(session, 'AccessProvider.byName("P")')
    assert denied.value.code == "permission_denied"


# -- the roles of a JWT ----------------------------------------------------------------------------


def _reads_and_creates(model: DataModel, claims: dict[str, Any]) -> tuple[bool, bool]:
    with model.query_session((), "@provider/P", claims=claims) as session:
        reads = _run(session, 'Things.byId("1").exists()')
        try:
            _run(session, "Things.create({ n: 2 })")
        except QueryError as error:
            assert error.code == "permission_denied"
            return bool(reads), False
        session.rollback()
        return bool(reads), True


def test_a_jwt_has_every_role_whose_predicate_accepts_its_payload(model: DataModel) -> None:
    _query(
        model,
        f"""AccessProvider.create({PROVIDER}, roles: [
          {{ role: "Reader", predicate: "(jwt) => jwt.sub != 'mallory'" }},
          {{ role: "Maker", predicate: "(jwt) => jwt.scope == 'make'" }}
        ] }})""",
    )
    assert _reads_and_creates(model, {"sub": "alice", "scope": "make"}) == (True, True)
    assert _reads_and_creates(model, {"sub": "alice", "scope": "read"}) == (True, False)
    assert _reads_and_creates(model, {"sub": "mallory", "scope": "make"}) == (False, True)


def test_no_role_applying_grants_nothing(model: DataModel) -> None:
    # A predicate that is not exactly true, or fails (a missing claim read as null), grants nothing.
    _query(
        model,
        f"""AccessProvider.create({PROVIDER}, roles: [
          {{ role: "Reader", predicate: "(jwt) => 'yes'" }},
          {{ role: "Maker", predicate: "(jwt) => jwt.groups.includes('makers')" }}
        ] }})""",
    )
    with pytest.raises(UnknownDatabase), model.query_session((), "@provider/P", claims={}):
        pass


def test_a_role_without_predicate_always_applies(model: DataModel) -> None:
    _query(model, f'AccessProvider.create({PROVIDER}, roles: "Reader" }})')
    assert _reads_and_creates(model, {}) == (True, False)


def test_a_deleted_provider_or_role_takes_effect_on_the_next_query(model: DataModel) -> None:
    _query(model, f'AccessProvider.create({PROVIDER}, roles: "Reader" }})')
    _query(model, 'Role.byName("Reader")!.delete()')
    with pytest.raises(UnknownDatabase), model.query_session((), "@provider/P", claims={}):
        pass
    _query(model, 'AccessProvider.byName("P")!.delete()')
    with pytest.raises(UnknownDatabase), model.query_session((), "@provider/P", claims={}):
        pass


def test_predicates_cannot_write(model: DataModel) -> None:
    _query(
        model,
        f"""AccessProvider.create({PROVIDER}, roles: {{
          role: "Reader", predicate: "(jwt) => {{ Things.create({{ n: 9 }}); true }}"
        }} }})""",
    )
    with pytest.raises(UnknownDatabase), model.query_session((), "@provider/P", claims={}):
        pass
    assert _query(model, "Things.where(.n == 9).count()") == 0

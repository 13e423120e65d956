"""``faunalite.model.identity`` below the server: what credentials and tokens keep in storage,
token secrets, and how a document identity's roles are found (``membership_role``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.fql.context import QueryContext
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.model.access import PREDICATE_ROLE
from faunalite.model.documents import DocValue
from faunalite.model.hooks import DataModel, UnknownDatabase
from faunalite.model.identity import (
    PASSWORD_HASH_FIELD,
    SECRET_HASH_FIELD,
    TOKEN_REGISTRY,
    membership_role,
    token_id_of_secret,
)
from faunalite.model.passwords import password_matches
from faunalite.model.session import CREDENTIAL, TOKEN, QuerySession
from faunalite.storage.interface import ROOT_SCOPE


def _run(session: QuerySession, query: str) -> Any:
    context = QueryContext(snapshot_time=session.transaction_time(), storage=session)
    session.query_context = context
    return run_query(parse_query(query, "*query*"), context)


@pytest.fixture
def model() -> Iterator[DataModel]:
    model = DataModel()
    with model.query_session((), "admin") as admin:
        _run(admin, 'Collection.create({ name: "User" }); Collection.create({ name: "Note" })')
    with model.query_session((), "admin") as admin:
        _run(admin, 'User.create({ id: "1", name: "ann" }); User.create({ id: "2", name: "bob" })')
    yield model
    model.close()


def _admin(model: DataModel, query: str) -> Any:
    with model.query_session((), "admin") as admin:
        value = _run(admin, query)
        if isinstance(value, DocValue):
            return value.fql_fields() if value.exists() else None
        return value


def _stored(model: DataModel, collection: str, key: int) -> Any:
    with model.storage.transaction() as txn:
        found = txn.get(ROOT_SCOPE, collection, key)
        assert found is not None
        return found.data


def test_a_credential_keeps_only_a_salted_hash_of_its_password(model: DataModel) -> None:
    # Long enough that it cannot turn up by chance in a base64 salt or digest.
    first = _admin(model, 'Credential.create({ document: User("1"), password: "hunter2-pw" })')
    second = _admin(model, 'Credential.create({ document: User("2"), password: "hunter2-pw" })')
    stored = [_stored(model, CREDENTIAL, int(fields["id"].value)) for fields in (first, second)]
    for data in stored:
        assert "password" not in data and "hunter2-pw" not in repr(data)
        assert password_matches("hunter2-pw", data[PASSWORD_HASH_FIELD])
    # Same password, different salts: different hashes.
    assert stored[0][PASSWORD_HASH_FIELD] != stored[1][PASSWORD_HASH_FIELD]
    # A new password replaces the hash; an update without one keeps it.
    _admin(model, 'Credential.byDocument(User("1"))!.update({ data: { note: "x" } })')
    kept = _stored(model, CREDENTIAL, int(first["id"].value))
    assert kept[PASSWORD_HASH_FIELD] == stored[0][PASSWORD_HASH_FIELD]
    _admin(model, 'Credential.byDocument(User("1"))!.update({ password: "new" })')
    changed = _stored(model, CREDENTIAL, int(first["id"].value))[PASSWORD_HASH_FIELD]
    assert password_matches("new", changed) and not password_matches("hunter2-pw", changed)
    # A replace without a password leaves the credential without one: it matches nothing.
    _admin(model, 'Credential.byDocument(User("1"))!.replace({ document: User("1") })')
    assert PASSWORD_HASH_FIELD not in _stored(model, CREDENTIAL, int(first["id"].value))
    assert _admin(model, 'Credential.byDocument(User("1"))!.verify("new")') is False


def test_a_token_keeps_only_a_hash_of_its_secret(model: DataModel) -> None:
    fields = _admin(model, 'Token.create({ document: User("1") })')
    secret, token_id = fields["secret"], int(fields["id"].value)
    assert token_id_of_secret(secret) == token_id
    assert len(secret) == 51 and secret.startswith("fn")
    data = _stored(model, TOKEN, token_id)
    registry = _stored(model, TOKEN_REGISTRY, token_id)
    for kept in (data, registry):
        assert secret not in repr(kept)
    assert data[SECRET_HASH_FIELD] == registry["hash"]
    assert model.principal_for_token(secret) == ((), "@doc/User/1", token_id)
    assert model.principal_for_token(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    _admin(model, f'Token.byId("{token_id}")!.delete()')
    assert model.principal_for_token(secret) is None
    with model.storage.transaction() as txn:
        assert txn.get(ROOT_SCOPE, TOKEN_REGISTRY, token_id) is None


@pytest.mark.parametrize(
    "text", ["", "fn", "not base64!", "fnAAAA", "fnAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw"]
)
def test_other_text_is_no_token_secret(text: str) -> None:
    assert token_id_of_secret(text) is None


def test_a_token_past_its_ttl_grants_nothing(model: DataModel) -> None:
    fields = _admin(model, 'Token.create({ document: User("1"), ttl: Time.now().add(1, "hour") })')
    assert model.principal_for_token(fields["secret"]) is not None
    _admin(model, f'Token.byId("{fields["id"].value}")!.update({{ ttl: Time.now() }})')
    time.sleep(0.01)
    assert model.principal_for_token(fields["secret"]) is None


def _roles(model: DataModel, roles: str) -> None:
    _admin(model, roles)


def _membership(model: DataModel, user: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    with model.query_session((), f"@doc/User/{user}") as session:
        _run(session, "1")
        with session.acting_as(PREDICATE_ROLE):
            return dict(membership_role(session, ("User", int(user))).policies)


def test_membership_unites_the_roles_that_take_the_document(model: DataModel) -> None:
    _roles(
        model,
        """
        Role.create({ name: "everyone", membership: { resource: "User" },
          privileges: { resource: "Note", actions: { read: true } } })
        Role.create({ name: "anns", membership: [
            { resource: "Note" },
            { resource: "User", predicate: "u => u.name == 'ann'" }
          ],
          privileges: { resource: "Note", actions: { read: "n => false", create: true } } })
        Role.create({ name: "others", membership: { resource: "Note" },
          privileges: { resource: "User", actions: { read: true } } })
        Role.create({ name: "odd", membership: { resource: "User", predicate: "u => 'yes'" },
          privileges: { resource: "User", actions: { delete: true } } })
        """,
    )
    assert _membership(model, "1") == {
        ("Note", "read"): ("n => false", True),
        ("Note", "create"): (True,),
    }
    # A predicate returning anything but ``true`` admits nobody.
    assert _membership(model, "2") == {("Note", "read"): (True,)}


def test_a_session_finds_its_roles_when_first_asked(model: DataModel) -> None:
    _roles(
        model,
        """Role.create({ name: "writers", membership: { resource: "User" },
          privileges: { resource: "Note", actions: { create: true } } })""",
    )
    with model.query_session((), "@doc/User/1") as session:
        assert session.identity == ("User", 1)
        assert session.user_role is not None
        assert session.user_role.holds("Note", "create")
        assert not session.user_role.holds("Note", "read")
        assert _run(session, 'Query.identity() == User("1")') is True
        # No role grants reading ``User``: not even the identity's own document.
        assert _run(session, "Query.identity().exists()") is False


@pytest.mark.parametrize("role", ["@doc/User/3", "@doc/Nope/1", "@doc/Key/1", "@doc/User/x"])
def test_a_missing_identity_is_no_session(model: DataModel, role: str) -> None:
    with pytest.raises(UnknownDatabase), model.query_session((), role):
        pass


def test_a_token_must_still_exist_when_the_query_starts(model: DataModel) -> None:
    fields = _admin(model, 'Token.create({ document: User("1") })')
    token_id = int(fields["id"].value)
    with model.query_session((), "@doc/User/1", token=token_id) as session:
        assert session.token == token_id
    _admin(model, f'Token.byId("{token_id}")!.delete()')
    with pytest.raises(UnknownDatabase), model.query_session((), "@doc/User/1", token=token_id):
        pass


def test_an_identity_reads_its_own_credential_and_tokens_only(model: DataModel) -> None:
    _admin(model, 'Credential.create({ document: User("1"), password: "a" })')
    _admin(model, 'Credential.create({ document: User("2"), password: "b" })')
    own_fields = _admin(model, 'Token.create({ document: User("1") })')
    own = int(own_fields["id"].value)
    other = int(_admin(model, 'Token.create({ document: User("2") })')["id"].value)
    with model.query_session((), "@doc/User/1", token=own) as session:
        assert _run(session, 'Credential.byDocument(User("1")).exists()') is True
        assert _run(session, 'Credential.byDocument(User("2")).exists()') is False
        assert _run(session, f'Token.byId("{own}").exists()') is True
        assert _run(session, f'Token.byId("{other}").exists()') is False
    with model.query_session((), "@doc/User/1", token=own) as session:
        _run(session, f'Token.byId("{own}")!.delete()')
    # Its own token, deleted by itself (a logout): the secret grants nothing any more.
    assert model.principal_for_token(own_fields["secret"]) is None
    # ... but another document's token it may not delete.
    with model.query_session((), "@doc/User/1") as session, pytest.raises(QueryError) as caught:
        _run(session, f'Token.byId("{other}").delete()')
    # (as for user documents: the document it may not read is a null)
    assert (caught.value.code, caught.value.message) == (
        "null_value",
        "Null value, due to permission denied",
    )

"""Every secret form, for every built-in role, against read, write, schema, key and database
operations, through the ``fauna`` driver against a real faunalite server, with FaunaDB's
outcome for each.

FaunaDB's rules (``ext/model/.../auth/AuthScope.scala``, ``Permissions.scala``): ``admin`` does
everything; ``server`` reads and writes all but the admin collections (``Database``, ``Key``,
``Role``), whose documents it does not see; ``server-readonly`` has ``server``'s reads and no
writes; ``client`` reads nothing; only ``admin`` and ``server`` call functions. Only an
``admin`` key may carry a scope. A user-defined role (``@role/Reader``, a key of role
``Reader``) has exactly its Role's privileges: ``Reader`` has none, so it does what ``client``
does, and so does a document identity (``@doc/Things/1``) no role's membership takes. A role
naming no Role, and a document that does not exist, are refused (401). ``test_user_role_privileges`` goes through each privilege action.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import AuthenticationError, QueryRuntimeError
from faunalite.testing import BackgroundServer

from .conftest import client_for

_numbers = itertools.count()

# What a query may come to: a value, ``permission_denied`` or ``null_value`` (400), or 401.
OK = "ok"
EMPTY = "empty"  # 200 with an empty array: the role skips every document of the Set
DENIED = "permission_denied"
NULL_PERMISSION_DENIED = "null_value"
UNAUTHORIZED = "unauthorized"

OPERATIONS: dict[str, str] = {
    "compute": "1 + 1",
    "read data": 'Things.byId("1")!.n',
    "list data": "Things.all().toArray().length",
    "write data": "Things.create({ n: 2 }) != null",
    "read schema": 'Collection.byName("Things")!.name',
    "list schema": "Collection.all().toArray().length",
    "write schema": "Collection.create({ name: 'C' + newId().toString() }) != null",
    "list keys": "Key.all().toArray()",
    "create key": 'Key.create({ role: "server" }) != null',
    "list databases": "Database.all().toArray()",
    "create database": "Database.create({ name: 'd' + newId().toString() }) != null",
    "list roles": "Role.all().toArray()",
    "read role": 'Role.byName("Reader") != null',
    "call function": "Twice(2)",
}

_ADMIN = dict.fromkeys(OPERATIONS, OK)
_SERVER = {
    **_ADMIN,
    "list keys": EMPTY,
    "create key": DENIED,
    "list databases": EMPTY,
    "create database": DENIED,
    "list roles": EMPTY,
    "read role": DENIED,
}
_SERVER_READONLY = {
    **_SERVER,
    "write data": DENIED,
    "write schema": DENIED,
    "call function": DENIED,
}
_CLIENT = {
    **dict.fromkeys(OPERATIONS, DENIED),
    "compute": OK,
    # A document the role may not read is a null whose cause says so.
    "read data": NULL_PERMISSION_DENIED,
}
_REFUSED = dict.fromkeys(OPERATIONS, UNAUTHORIZED)

EXPECTED_BY_ROLE = {
    "admin": _ADMIN,
    "server": _SERVER,
    "server-readonly": _SERVER_READONLY,
    "client": _CLIENT,
    # A Role with no privileges grants what ``client`` has: nothing but pure FQL.
    "Reader": _CLIENT,
    "refused": _REFUSED,
}


@dataclass
class Fixture:
    """A database with one document, one user role, one child database and a key of each
    role, made as admin."""

    server: BackgroundServer
    name: str
    keys: dict[str, str]
    """Key secrets by the key's role (plus ``expired`` and ``deleted``)."""


def _make_fixture(server: BackgroundServer) -> Fixture:
    name = f"access_{next(_numbers)}"
    with client_for(server, server.secret) as root:
        root.query(fql("Database.create({ name: ${name} })", name=name))
    keys: dict[str, str] = {}
    with client_for(server, f"{server.secret}:{name}:admin") as admin:
        admin.query(fql('Collection.create({ name: "Things" })'))
        admin.query(fql('Things.create({ id: "1", n: 1 })'))
        admin.query(fql('Function.create({ name: "Twice", body: "x => x * 2" })'))
        admin.query(fql('Role.create({ name: "Reader", privileges: [] })'))
        admin.query(fql('Database.create({ name: "child" })'))
        for role in ("admin", "server", "server-readonly", "client", "Reader"):
            keys[role] = admin.query(fql("Key.create({ role: ${r} }).secret", r=role)).data
        keys["expired"] = admin.query(
            fql('Key.create({ role: "admin", ttl: Time.now().add(1, "second") }).secret')
        ).data
        deleted = admin.query(fql('Key.create({ role: "admin" }) { id, secret }')).data
        keys["deleted"] = deleted["secret"]
        admin.query(fql("Key.byId(${id})!.delete()", id=deleted["id"]))
    time.sleep(1.05)  # let the expiring key's ttl pass
    return Fixture(server, name, keys)


@pytest.fixture(scope="module")
def access(faunalite_server: BackgroundServer) -> Fixture:
    return _make_fixture(faunalite_server)


def _secret_forms() -> Iterator[tuple[str, str, str]]:
    """``(label, secret template, expected role column)`` for every secret form; the template
    names ``{root}``, ``{db}`` and ``{<role>}`` (that role's key secret)."""
    for role in ("admin", "server", "server-readonly", "client"):
        yield f"root:db:{role}", "{root}:{db}:" + role, role
        yield f"{role} key", "{" + role + "}", role
        # An admin key may narrow itself to another built-in role.
        yield f"admin key:{role}", "{admin}:" + role, role
        if role != "admin":
            # ... no other key may carry a scope, not even its own role.
            yield f"{role} key:admin", "{" + role + "}:admin", "refused"
            yield f"{role} key:{role}", "{" + role + "}:" + role, "refused"
    # A user-defined role: the Role's privileges, on a root or admin secret or as a key's role.
    yield "root:db:@role/Reader", "{root}:{db}:@role/Reader", "Reader"
    yield "admin key:@role/Reader", "{admin}:@role/Reader", "Reader"
    yield "user-role key", "{Reader}", "Reader"
    yield "server key:@role/Reader", "{server}:@role/Reader", "refused"
    yield "user-role key:@role/Reader", "{Reader}:@role/Reader", "refused"
    yield "root:db:@role/nope", "{root}:{db}:@role/nope", "refused"
    # A document identity: no role has a membership on Things, so it has no privileges
    # (what ``Reader`` has). The root key and admin keys may take one, a server key only in
    # its own database (FaunaDB's ``DocumentAuthScope``).
    yield "root:db:@doc", "{root}:{db}:@doc/Things/1", "Reader"
    yield "root:db:collections/", "{root}:{db}:collections/Things/1", "Reader"
    yield "root:db:classes/", "{root}:{db}:classes/Things/1", "Reader"
    yield "admin key:@doc", "{admin}:@doc/Things/1", "Reader"
    yield "server key:@doc", "{server}:@doc/Things/1", "Reader"
    yield "server key:child:@doc", "{server}:child:@doc/Things/1", "refused"
    yield "client key:@doc", "{client}:@doc/Things/1", "refused"
    # ... and the document must exist, in a user collection.
    yield "root:db:@doc missing", "{root}:{db}:@doc/Things/404", "refused"
    yield "root:db:@doc native", "{root}:{db}:@doc/Key/1", "refused"
    yield "expired key", "{expired}", "refused"
    yield "deleted key", "{deleted}", "refused"
    yield "root:missing db:admin", "{root}:{db}_missing:admin", "refused"
    yield "wrong root", "not{root}:{db}:admin", "refused"
    # A scope FaunaDB cannot read is ignored: the key's own rights apply.
    yield "admin key:junk", "{admin}:junk", "admin"
    yield "server key:junk", "{server}:junk", "server"
    yield "client key:a:b:c", "{client}:a:b:c", "client"


SECRET_FORMS = list(_secret_forms())


_MESSAGES = {
    DENIED: "Insufficient privileges to perform the action.",
    NULL_PERMISSION_DENIED: "Null value, due to permission denied",
}


def _outcome(client: Client, query: str) -> str:
    try:
        data = client.query(fql(query)).data
    except AuthenticationError as error:
        assert error.status_code == 401
        return UNAUTHORIZED
    except QueryRuntimeError as error:
        assert error.status_code == 400
        assert error.message == _MESSAGES[error.code]
        return error.code
    return EMPTY if data == [] else OK


@pytest.mark.parametrize(
    ("template", "column"),
    [pytest.param(template, column, id=label) for label, template, column in SECRET_FORMS],
)
def test_secret_form_rights(access: Fixture, template: str, column: str) -> None:
    secret = template.format(root=access.server.secret, db=access.name, **access.keys)
    with client_for(access.server, secret) as client:
        got = {operation: _outcome(client, query) for operation, query in OPERATIONS.items()}
    assert got == EXPECTED_BY_ROLE[column]


def test_the_six_reported_holes_are_closed(access: Fixture) -> None:
    root, db, k = access.server.secret, access.name, access.keys
    for secret in (f"{root}:{db}:@role/nope", f"{root}:{db}:@doc/Things/404", k["expired"]):
        with client_for(access.server, secret) as client, pytest.raises(AuthenticationError):
            client.query(fql('Things.byId("1")'))
    with client_for(access.server, k["client"]) as client:
        assert _outcome(client, "Things.all().toArray()") == DENIED
    with client_for(access.server, k["server"]) as client:
        assert client.query(fql("Key.all().toArray()")).data == []
        assert client.query(fql("Database.all().toArray()")).data == []
    with client_for(access.server, f"{root}:{db}:admin") as admin:
        # ... while the keys and the database's children are there for an admin to see.
        assert len(admin.query(fql("Key.all().toArray()")).data) >= 5


def test_refused_secret_wire_shape(access: Fixture) -> None:
    reply = httpx.post(
        f"{access.server.endpoint}/query/1",
        json={"query": "1"},
        headers={"Authorization": f"Bearer {access.server.secret}:{access.name}:@role/nope"},
    )
    assert reply.status_code == 401
    assert reply.json() == {"error": {"code": "unauthorized", "message": "Access token required"}}
    assert reply.headers["www-authenticate"] == "Bearer"


def test_a_key_expires_while_in_use(access: Fixture) -> None:
    with client_for(access.server, f"{access.server.secret}:{access.name}:admin") as admin:
        secret = admin.query(
            fql('Key.create({ role: "server", ttl: Time.now().add(1, "second") }).secret')
        ).data
    with client_for(access.server, secret) as client:
        assert client.query(fql("1 + 1")).data == 2
        time.sleep(1.05)
        with pytest.raises(AuthenticationError):
            client.query(fql("1 + 1"))


def test_an_unreadable_document_is_a_permission_denied_null(access: Fixture) -> None:
    reply = httpx.post(
        f"{access.server.endpoint}/query/1",
        json={"query": 'Things.byId("1")'},
        headers={"Authorization": f"Bearer {access.keys['client']}", "X-Format": "tagged"},
    )
    assert reply.status_code == 200
    assert reply.json()["data"] == {
        "@ref": {
            "id": "1",
            "coll": {"@mod": "Things"},
            "exists": False,
            "cause": "permission denied",
        }
    }


# -- user-defined roles: each privilege action, true, false or a predicate ---------------------

_ME = 'doc => doc.owner == "me"'
_PRIVILEGES: list[dict[str, Any]] = [
    {
        "resource": "Open",
        "actions": dict.fromkeys(("read", "write", "create", "create_with_id", "delete"), True),
    },
    {
        "resource": "Guarded",
        "actions": {
            "read": True,
            "write": '(oldDoc, newDoc) => oldDoc.owner == "me" && newDoc.owner == "me"',
            "create": _ME,
            "create_with_id": False,
            "delete": _ME,
            "history_read": True,
        },
    },
    {"resource": "Mine", "actions": {"read": _ME}},
    {"resource": "ReadOnly", "actions": {"read": True}},
    # Without ``create_with_id``, ``create`` and ``history_write`` together allow an id.
    {
        "resource": "Historic",
        "actions": {"read": True, "create": True, "history_write": True},
    },
    {
        "resource": "Closed",
        "actions": dict.fromkeys(("read", "write", "create", "create_with_id", "delete"), False),
    },
    {"resource": "AddOne", "actions": {"call": True}},
    {"resource": "Positive", "actions": {"call": "x => x > 0"}},
    {"resource": "Forbidden", "actions": {"call": False}},
    {"resource": "AsServer", "actions": {"call": True}},
    {"resource": "AsCaller", "actions": {"call": True}},
    {"resource": "Collection", "actions": {"read": True}},
]

# ``{me}`` and ``{you}``: fresh documents, made by an admin for each cell, owned by "me"/"you".
DOCUMENT_OPERATIONS: dict[str, str] = {
    "read mine": 'C.byId("{me}")!.owner',
    "read other's": 'C.byId("{you}")!.owner',
    "list": "C.all().toArray().map(.owner).distinct().order()",
    "update mine": 'C.byId("{me}")!.update({{ n: 1 }}).n',
    "give mine away": 'C.byId("{me}")!.update({{ owner: "you" }}).owner',
    "update other's": 'C.byId("{you}")!.update({{ n: 1 }}).n',
    "create mine": 'C.create({{ owner: "me" }}).owner',
    "create other's": 'C.create({{ owner: "you" }}).owner',
    "create with id": 'C.create({{ id: newId(), owner: "me" }}).owner',
    "delete mine": 'C.byId("{me}")!.delete().exists()',
    "delete other's": 'C.byId("{you}")!.delete().exists()',
}

_ALL_GRANTED: dict[str, Any] = {
    "read mine": "me",
    "read other's": "you",
    "list": ["me", "you"],
    "update mine": 1,
    "give mine away": "you",
    "update other's": 1,
    "create mine": "me",
    "create other's": "you",
    "create with id": "me",
    "delete mine": False,
    "delete other's": False,
}
_READ_ONLY = {
    **dict.fromkeys(DOCUMENT_OPERATIONS, DENIED),
    "read mine": "me",
    "read other's": "you",
    "list": ["me", "you"],
}
EXPECTED_BY_COLLECTION: dict[str, dict[str, Any]] = {
    "Open": _ALL_GRANTED,
    "Guarded": {
        **_ALL_GRANTED,
        "give mine away": DENIED,
        "update other's": DENIED,
        "create other's": DENIED,
        "create with id": DENIED,
        "delete other's": DENIED,
    },
    # A document the role may not read is a permission-denied null (so ``!`` fails on it),
    # and a Set of the collection skips it.
    "Mine": {
        **dict.fromkeys(DOCUMENT_OPERATIONS, DENIED),
        "read mine": "me",
        "read other's": NULL_PERMISSION_DENIED,
        "list": ["me"],
        "update other's": NULL_PERMISSION_DENIED,
        "delete other's": NULL_PERMISSION_DENIED,
    },
    "ReadOnly": _READ_ONLY,
    "Historic": {
        **_READ_ONLY,
        "create mine": "me",
        "create other's": "you",
        "create with id": "me",
    },
    # ``false`` grants nothing: not even a Set of the collection.
    "Closed": {
        **dict.fromkeys(DOCUMENT_OPERATIONS, NULL_PERMISSION_DENIED),
        "list": DENIED,
        "create mine": DENIED,
        "create other's": DENIED,
        "create with id": DENIED,
    },
}

OTHER_OPERATIONS: dict[str, tuple[str, Any]] = {
    "call granted": ("AddOne(1)", 2),
    "call, predicate true": ("Positive(1)", 1),
    "call, predicate false": ("Positive(-1)", DENIED),
    "call false": ("Forbidden(1)", DENIED),
    "call not listed": ("Unlisted(1)", DENIED),
    # A function with a role runs its body with that role, one without with the caller's.
    "call, role server": ("AsServer()", "me"),
    "call, caller's role": ("AsCaller()", NULL_PERMISSION_DENIED),
    # A read at a past instant needs ``history_read``, not ``read``.
    "history read granted": (
        'at (Time.now().subtract(1, "millisecond")) { Guarded.byId("1")!.owner }',
        "me",
    ),
    "history read not granted": (
        'at (Time.now().subtract(1, "millisecond")) { Open.byId("1")!.owner }',
        NULL_PERMISSION_DENIED,
    ),
    "read schema granted": ('Collection.byName("Open")!.name', "Open"),
    "write schema not granted": ('Collection.create({ name: "X" + newId().toString() })', DENIED),
    "list keys": ("Key.all().toArray()", DENIED),
    "list roles": ("Role.all().toArray()", DENIED),
    "read role": ('Role.byName("Custom")', DENIED),
}


@dataclass
class RoleFixture:
    server: BackgroundServer
    admin: str
    custom: str
    """A key of role ``Custom`` (``_PRIVILEGES``)."""


@pytest.fixture(scope="module")
def abac(faunalite_server: BackgroundServer) -> RoleFixture:
    name = f"abac_{next(_numbers)}"
    with client_for(faunalite_server, faunalite_server.secret) as root:
        root.query(fql("Database.create({ name: ${name} })", name=name))
    admin_secret = f"{faunalite_server.secret}:{name}:admin"
    with client_for(faunalite_server, admin_secret) as admin:
        for collection in EXPECTED_BY_COLLECTION:
            admin.query(fql("Collection.create({ name: ${c} })", c=collection))
        for collection in EXPECTED_BY_COLLECTION:
            admin.query(fql('Collection(${c}).create({ id: "1", owner: "me" })', c=collection))
        for function, body in {
            "AddOne": "x => x + 1",
            "Positive": "x => x",
            "Forbidden": "x => x",
            "Unlisted": "x => x",
            "AsCaller": '() => Closed.byId("1")!.owner',
        }.items():
            admin.query(fql("Function.create({ name: ${f}, body: ${b} })", f=function, b=body))
        admin.query(
            fql(
                'Function.create({ name: "AsServer", role: "server", '
                "body: '() => Closed.byId(\"1\")!.owner' })"
            )
        )
        admin.query(fql('Role.create({ name: "Custom", privileges: ${p} })', p=_PRIVILEGES))
        custom = admin.query(fql('Key.create({ role: "Custom" }).secret')).data
    return RoleFixture(faunalite_server, admin_secret, custom)


def _result(client: Client, query: str) -> Any:
    try:
        return client.query(fql(query)).data
    except QueryRuntimeError as error:
        assert error.status_code == 400
        assert error.message == _MESSAGES[error.code]
        return error.code


@pytest.mark.parametrize("collection", list(EXPECTED_BY_COLLECTION))
@pytest.mark.parametrize("operation", list(DOCUMENT_OPERATIONS))
def test_user_role_privileges(abac: RoleFixture, collection: str, operation: str) -> None:
    with client_for(abac.server, abac.admin) as admin:
        made = admin.query(
            fql(
                '[Collection(${c}).create({ owner: "me" }).id, '
                'Collection(${c}).create({ owner: "you" }).id]',
                c=collection,
            )
        ).data
    query = DOCUMENT_OPERATIONS[operation].format(me=made[0], you=made[1])
    with client_for(abac.server, abac.custom) as client:
        got = _result(client, query.replace("C.", f"{collection}.", 1))
    assert got == EXPECTED_BY_COLLECTION[collection][operation]


@pytest.mark.parametrize("operation", list(OTHER_OPERATIONS))
def test_user_role_calls_and_native_collections(abac: RoleFixture, operation: str) -> None:
    query, expected = OTHER_OPERATIONS[operation]
    with client_for(abac.server, abac.custom) as client:
        assert _result(client, query) == expected


def test_a_changed_or_deleted_role_applies_to_the_next_query(abac: RoleFixture) -> None:
    with client_for(abac.server, abac.admin) as admin:
        admin.query(
            fql(
                'Role.create({ name: "Changing", '
                'privileges: [{ resource: "Open", actions: { read: true } }] })'
            )
        )
        secret = admin.query(fql('Key.create({ role: "Changing" }).secret')).data
        with client_for(abac.server, secret) as client:
            assert _result(client, 'Open.byId("1")!.owner') == "me"
            admin.query(fql('Role.byName("Changing")!.update({ privileges: [] })'))
            assert _result(client, 'Open.byId("1")!.owner') == NULL_PERMISSION_DENIED
            admin.query(fql('Role.byName("Changing")!.delete()'))
            with pytest.raises(AuthenticationError):
                client.query(fql("1"))

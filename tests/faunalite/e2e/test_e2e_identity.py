"""An app's sign-up, login, per-user data and logout, through the ``fauna`` driver against a real
faunalite server: credentials, tokens, role membership and ``@doc`` secrets, with FaunaDB's
answers (``stdlib/Credential.scala``, ``stdlib/Tokens.scala``, ``auth/AuthScope.scala``,
``auth/Permissions.scala``; specs ``FQL2CredentialSpec``, ``FQL2TokenSpec``, ``FQL2AuthSpec``).

The app: ``User`` documents sign up and log in through two functions running as ``server``,
which a ``public`` key may call; the ``user`` role (membership ``User``) reads and writes only
the ``Note``s whose ``owner`` is ``Query.identity()``, and reads only its own ``User``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import AuthenticationError, QueryRuntimeError
from fauna.query import Document
from faunalite.testing import BackgroundServer, serve_in_background

from .conftest import client_for

_numbers = itertools.count()

DENIED = "Insufficient privileges to perform the action."

SCHEMA = [
    'Collection.create({ name: "User", indexes: { byName: { terms: [{ field: "name" }] } } })',
    'Collection.create({ name: "Note" })',
    'Collection.create({ name: "Audit" })',
    """Function.create({
      name: "signUp",
      role: "server",
      body: "(name, password) => {
        let user = User.create({ name: name })
        Credential.create({ document: user, password: password })
        user.id
      }"
    })""",
    """Function.create({
      name: "logIn",
      role: "server",
      body: "(name, password) => {
        let user = User.byName(name).first()!
        Credential.byDocument(user)!.login(password).secret
      }"
    })""",
    """Role.create({
      name: "public",
      privileges: [
        { resource: "signUp", actions: { call: true } },
        { resource: "logIn", actions: { call: true } }
      ]
    })""",
    """Role.create({
      name: "user",
      membership: { resource: "User" },
      privileges: [
        {
          resource: "Note",
          actions: {
            read: "note => note.owner == Query.identity()",
            create: "note => note.owner == Query.identity()",
            write: "(old, new) => old.owner == Query.identity() && new.owner == Query.identity()",
            delete: "note => note.owner == Query.identity()"
          }
        },
        { resource: "User", actions: { read: "user => user == Query.identity()" } }
      ]
    })""",
    # Only the users whose document says so may write audits.
    """Role.create({
      name: "auditor",
      membership: { resource: "User", predicate: "user => user.auditor == true" },
      privileges: { resource: "Audit", actions: { create: true, read: true } }
    })""",
]


@dataclass
class App:
    server: BackgroundServer
    database: str
    admin: Client
    public: Client
    connect: Callable[[str], Client]

    def sign_up(self, name: str, password: str) -> str:
        return str(self.public.query(fql("signUp(${n}, ${p})", n=name, p=password)).data)

    def log_in(self, name: str, password: str) -> str:
        secret = self.public.query(fql("logIn(${n}, ${p})", n=name, p=password)).data
        assert isinstance(secret, str)
        return secret

    def as_user(self, name: str, password: str) -> Client:
        return self.connect(self.log_in(name, password))

    def as_user_after_sign_up(self, name: str) -> Client:
        self.sign_up(name, "pw")
        return self.as_user(name, "pw")

    def secret(self, scope: str) -> str:
        return f"{self.server.secret}:{self.database}:{scope}"


@pytest.fixture
def app(faunalite_server: BackgroundServer, connect: Callable[[str], Client]) -> Iterator[App]:
    name = f"identity_{next(_numbers)}"
    with client_for(faunalite_server, faunalite_server.secret) as root:
        root.query(fql("Database.create({ name: ${name} })", name=name))
    admin = connect(f"{faunalite_server.secret}:{name}:admin")
    for statement in SCHEMA:
        admin.query(fql(statement))
    public_key = admin.query(fql('Key.create({ role: "public" }).secret')).data
    yield App(faunalite_server, name, admin, connect(public_key), connect)


def _error(client: Client, query: str, **args: Any) -> QueryRuntimeError:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(query, **args))
    assert caught.value.status_code == 400
    return caught.value


def _refused(client: Client, query: str = "1") -> None:
    with pytest.raises(AuthenticationError) as caught:
        client.query(fql(query))
    assert caught.value.status_code == 401
    assert caught.value.code == "unauthorized"


def test_sign_up_log_in_own_data_and_log_out(app: App) -> None:
    ann_id = app.sign_up("ann", "ann's password")
    bob_id = app.sign_up("bob", "bob's password")
    bobs_note = app.admin.query(
        fql('Note.create({ owner: User.byId(${bob}), text: "bob" }).id', bob=bob_id)
    ).data
    secret = app.log_in("ann", "ann's password")
    assert secret.startswith("fn")
    ann = app.connect(secret)

    assert ann.query(fql("Query.identity()!.name")).data == "ann"
    assert ann.query(fql("Query.identity()!.id")).data == ann_id
    mine = ann.query(fql('Note.create({ owner: Query.identity(), text: "ann" }).id')).data
    assert ann.query(fql("Note.byId(${id})!.text", id=mine)).data == "ann"
    ann.query(fql('Note.byId(${id})!.update({ text: "ann, edited" })', id=mine))
    # A Set of notes skips the ones the user may not read.
    texts = ann.query(fql("Note.all().map(n => n.text).toArray()")).data
    assert texts == ["ann, edited"]

    # Another user's documents: a read is a null due to permission denied ...
    for query in ("Note.byId(${id})!.text", "User.byId(${bob})!.name"):
        error = _error(ann, query, id=bobs_note, bob=bob_id)
        assert (error.code, error.message) == ("null_value", "Null value, due to permission denied")
    assert ann.query(fql("Note.byId(${id}).exists()", id=bobs_note)).data is False
    # ... and a write the predicates refuse is permission_denied.
    error = _error(ann, 'Note.create({ owner: User.byId(${bob}), text: "x" })', bob=bob_id)
    assert (error.code, error.message) == ("permission_denied", DENIED)
    error = _error(
        ann, "Note.byId(${id})!.update({ owner: User.byId(${bob}) })", id=mine, bob=bob_id
    )
    assert (error.code, error.message) == ("permission_denied", DENIED)
    # Nothing outside the role: no other collection, no schema, no keys.
    for query in ('Audit.create({ by: "ann" })', "Key.create({ role: 'server' })"):
        assert _error(ann, query).code == "permission_denied"

    # The token is the caller's own: readable, and deleting it logs out at once.
    token = ann.query(fql("Query.token()")).data
    assert isinstance(token, Document) and token.coll.name == "Token"
    assert ann.query(fql("Query.token()!.document == Query.identity()")).data is True
    assert ann.query(fql("Query.token()!.secret")).data is None
    ann.query(fql("Query.token()!.delete()"))
    _refused(ann)
    assert app.admin.query(fql("Note.byId(${id})!.text", id=mine)).data == "ann, edited"


def test_each_login_is_its_own_token(app: App) -> None:
    ann_id = app.sign_up("ann", "pw")
    first, second = app.as_user("ann", "pw"), app.as_user("ann", "pw")
    tokens = app.admin.query(
        fql("Token.byDocument(User.byId(${id})!).toArray().length", id=ann_id)
    ).data
    assert tokens == 2
    first.query(fql("Query.token()!.delete()"))
    _refused(first)
    assert second.query(fql("Query.identity()!.name")).data == "ann"


def test_a_wrong_password_is_invalid_secret(app: App) -> None:
    ann_id = app.sign_up("ann", "right")
    for client, query in (
        (app.public, 'logIn("ann", "wrong")'),
        (app.admin, 'Credential.byDocument(User.byId(${id})!)!.login("wrong")'),
        (app.admin, 'Credential.byDocument(User.byId(${id})!)!.login("")'),
    ):
        error = _error(client, query, id=ann_id)
        assert (error.code, error.message) == ("invalid_secret", "Provided secret did not match.")
    assert app.admin.query(fql("Token.all().toArray()")).data == []


def test_verify(app: App) -> None:
    ann_id = app.sign_up("ann", "right")
    verify = "Credential.byDocument(User.byId(${id})!)!.verify(${password})"
    assert app.admin.query(fql(verify, id=ann_id, password="right")).data is True
    assert app.admin.query(fql(verify, id=ann_id, password="Right")).data is False
    assert app.admin.query(fql(verify, id=ann_id, password="")).data is False
    # verify() reads the credential, so a role that may not read it gets a null
    # (FQL2CredentialSpec "respect permissions").
    credential = app.admin.query(fql("Credential.all().first()!.id")).data
    query = 'Credential.byId(${c})?.verify("right")'
    assert app.public.query(fql(query, c=credential)).data is None


def test_a_credential_never_shows_its_password(app: App) -> None:
    ann_id = app.sign_up("ann", "s3cret")
    credential = app.admin.query(fql("Credential.byDocument(User.byId(${id})!)!", id=ann_id)).data
    assert isinstance(credential, Document)
    assert set(credential.data) == {"document"}
    assert credential.data["document"].id == ann_id
    assert app.admin.query(fql("Credential.all().first()!.password")).data is None
    fields = app.admin.query(fql("Object.keys(Credential.all().first()!)")).data
    assert fields == ["id", "coll", "ts", "document"]
    # Not even in the result of the create that wrote it.
    created = app.admin.query(
        fql('Credential.create({ document: User.create({ name: "x" }), password: "p" })')
    ).data
    assert set(created.data) == {"document"}
    # The alias names the same collection.
    assert app.admin.query(fql("Credentials.all().first()!.id")).data == credential.id
    # A document without a credential has a null one.
    other = app.admin.query(fql('User.create({ name: "nobody" }).id')).data
    assert app.admin.query(fql("Credential.byDocument(User.byId(${id})!) == null", id=other)).data


def test_changing_and_removing_a_password(app: App) -> None:
    ann_id = app.sign_up("ann", "old")
    cred = "Credential.byDocument(User.byId(${id})!)!"
    app.admin.query(fql(cred + '.update({ password: "new" })', id=ann_id))
    assert _error(app.public, 'logIn("ann", "old")').code == "invalid_secret"
    assert app.as_user("ann", "new").query(fql("Query.identity()!.name")).data == "ann"
    app.admin.query(
        fql(cred + '.replace({ document: User.byId(${id}), password: "newer" })', id=ann_id)
    )
    assert _error(app.public, 'logIn("ann", "new")').code == "invalid_secret"
    app.as_user("ann", "newer")
    app.admin.query(fql(cred + ".delete()", id=ann_id))
    assert (
        app.admin.query(fql("Credential.byDocument(User.byId(${id})!).exists()", id=ann_id)).data
        is False
    )
    # Without a credential, ``byDocument`` is the null Credential FaunaDB gives (id -1).
    error = _error(app.public, 'logIn("ann", "newer")')
    assert (error.code, error.message) == (
        "document_not_found",
        "Collection `Credential` does not contain document with id -1.",
    )


def test_a_token_expires_with_its_ttl(app: App) -> None:
    ann_id = app.sign_up("ann", "pw")
    short = app.admin.query(
        fql(
            'Credential.byDocument(User.byId(${id})!)!.login("pw", Time.now().add(1, "second"))',
            id=ann_id,
        )
    ).data
    assert isinstance(short, Document) and "ttl" in short.data
    client = app.connect(short.data["secret"])
    assert client.query(fql("Query.identity()!.name")).data == "ann"
    time.sleep(1.1)
    _refused(client)
    # A ttl moved into the past ends a token at once.
    token = app.admin.query(fql("Token.create({ document: User.byId(${id}) })", id=ann_id)).data
    later = app.connect(token.data["secret"])
    assert later.query(fql("1")).data == 1
    app.admin.query(
        fql('Token.byId(${t})!.update({ ttl: Time.now().subtract(1, "minute") })', t=token.id)
    )
    _refused(later)


def test_a_token_ends_with_its_document(app: App) -> None:
    ann_id = app.sign_up("ann", "pw")
    ann = app.as_user("ann", "pw")
    assert ann.query(fql("1")).data == 1
    app.admin.query(fql("User.byId(${id})!.delete()", id=ann_id))
    _refused(ann)
    # ... and a deleted token, even one deleted by an admin.
    bob_id = app.sign_up("bob", "pw")
    bob = app.as_user("bob", "pw")
    app.admin.query(fql("Token.byDocument(User.byId(${id})!).forEach(t => t.delete())", id=bob_id))
    _refused(bob)


def test_a_membership_predicate_decides_who_has_a_role(app: App) -> None:
    app.sign_up("ann", "pw")
    carl_id = app.sign_up("carl", "pw")
    app.admin.query(fql("User.byId(${id})!.update({ auditor: true })", id=carl_id))
    ann, carl = app.as_user("ann", "pw"), app.as_user("carl", "pw")
    error = _error(ann, 'Audit.create({ by: "ann" })')
    assert (error.code, error.message) == ("permission_denied", DENIED)
    assert carl.query(fql('Audit.create({ by: "carl" }).by')).data == "carl"
    # Both have the ``user`` role as well: its privileges add up with ``auditor``'s.
    assert carl.query(fql('Note.create({ owner: Query.identity(), text: "c" }).text')).data == "c"
    error = _error(ann, "Audit.all().toArray()")
    assert error.code == "permission_denied"
    # Membership is decided per query: the same token loses the role when the document changes.
    app.admin.query(fql("User.byId(${id})!.update({ auditor: false })", id=carl_id))
    assert _error(carl, 'Audit.create({ by: "carl" })').code == "permission_denied"


def test_a_role_whose_membership_predicate_fails_grants_nothing(app: App) -> None:
    app.admin.query(
        fql(
            """Role.create({
              name: "broken",
              membership: { resource: "User", predicate: "user => user.missing.field" },
              privileges: { resource: "Audit", actions: { create: true } }
            })"""
        )
    )
    app.sign_up("ann", "pw")
    assert _error(app.as_user("ann", "pw"), "Audit.create({})").code == "permission_denied"


def test_doc_secrets(app: App) -> None:
    ann_id = app.sign_up("ann", "pw")
    app.admin.query(fql('Note.create({ owner: User.byId(${id}), text: "a" })', id=ann_id))
    app.admin.query(fql('Note.create({ owner: null, text: "nobody" })'))
    server_key = app.admin.query(fql('Key.create({ role: "server" }).secret')).data
    client_key = app.admin.query(fql('Key.create({ role: "client" }).secret')).data
    for secret in (
        app.secret(f"@doc/User/{ann_id}"),
        app.secret(f"collections/User/{ann_id}"),
        f"{server_key}:@doc/User/{ann_id}",
    ):
        client = app.connect(secret)
        assert client.query(fql("Query.identity()!.name")).data == "ann"
        assert client.query(fql("Note.all().map(n => n.text).toArray()")).data == ["a"]
        # A key acting as a document has no token.
        error = _error(client, "Query.token()!")
        assert (error.code, error.message) == ("null_value", "Null value, due to no token")
    for secret in (
        app.secret("@doc/User/1"),  # no such document
        app.secret("@doc/Nope/1"),  # no such collection
        f"{server_key}:{app.database}:@doc/User/{ann_id}",  # a server key takes no database path
        f"{client_key}:@doc/User/{ann_id}",  # only admin and server keys act as documents
    ):
        _refused(app.connect(secret))


def test_keys_have_no_identity(app: App) -> None:
    for query, cause in (("Query.identity()!", "missing identity"), ("Query.token()!", "no token")):
        error = _error(app.admin, query)
        assert (error.code, error.message) == ("null_value", f"Null value, due to {cause}")


def test_who_may_make_tokens_and_credentials(app: App) -> None:
    ann_id = app.sign_up("ann", "pw")
    create = 'Token.create({ document: User.byId(${id}), data: { device: "phone" } })'
    server = app.connect(app.secret("server"))
    token = server.query(fql(create, id=ann_id)).data
    assert token.data["data"] == {"device": "phone"}
    assert app.connect(token.data["secret"]).query(fql("Query.identity()!.name")).data == "ann"
    # The secret is shown once, at creation.
    assert server.query(fql("Token.byId(${t})!.secret", t=token.id)).data is None
    for scope in ("server-readonly", "client"):
        error = _error(app.connect(app.secret(scope)), create, id=ann_id)
        assert (error.code, error.message) == ("permission_denied", DENIED)
    # A token's or a credential's document must be a user document.
    for query in (
        'Token.create({ document: Key.create({ role: "server" }) })',
        'Credential.create({ document: Key.create({ role: "server" }), password: "x" })',
    ):
        error = _error(app.admin, query)
        assert error.code == "constraint_failure"
        assert error.constraint_failures is not None
        failures = [(f.paths, f.message) for f in error.constraint_failures]
        assert failures == [([["document"]], "Expected document from a user-defined collection.")]
    # ... and its secret is the server's to make.
    error = _error(app.admin, "Token.byId(${t})!.update({ secret: 'mine' })", t=token.id)
    assert error.message == f"Failed to update Token with id {token.id}."
    assert error.constraint_failures is not None
    assert [(f.paths, f.message) for f in error.constraint_failures] == [
        ([["secret"]], "Failed to update field because it is readonly")
    ]


def test_is_env_protected(app: App, root: Client) -> None:
    assert app.admin.query(fql("Query.isEnvProtected()")).data is False
    assert root.query(fql("Query.isEnvProtected()")).data is False
    root.query(fql("Database.byName(${name})!.update({ protected: true })", name=app.database))
    assert app.admin.query(fql("Query.isEnvProtected()")).data is True
    # Only admin principals may ask (FaunaDB's ``stdlib/Query.scala``).
    for client in (app.connect(app.secret("server")), app.as_user_after_sign_up("ann")):
        error = _error(client, "Query.isEnvProtected()")
        assert (error.code, error.message) == ("permission_denied", DENIED)


def test_a_token_no_role_takes_reads_its_own_credential_and_tokens_only(app: App) -> None:
    """FaunaDB's baseline for a document identity (``InstancePermissions``): its credential and
    tokens, read, and its tokens, deleted; nothing else without a role."""
    app.admin.query(fql('Collection.create({ name: "Guest" })'))
    guest = app.admin.query(fql("Guest.create({}).id")).data
    app.admin.query(fql('Credential.create({ document: Guest(${g}), password: "pw" })', g=guest))
    login = 'Credential.byDocument(Guest(${g}))!.login("pw")'
    secret = app.admin.query(fql(login, g=guest)).data.data["secret"]
    ann_id = app.sign_up("ann", "pw")
    anns_token = app.admin.query(fql("Token.create({ document: User(${id}) }).id", id=ann_id)).data
    client = app.connect(secret)
    assert (
        client.query(fql("Credential.byDocument(Guest(${g}))!.document.id", g=guest)).data == guest
    )
    assert client.query(fql("Query.token()!.document.id")).data == guest
    assert client.query(fql("Token.byId(${t}).exists()", t=anns_token)).data is False
    assert client.query(fql("Query.identity().exists()")).data is False
    for query in ("Guest.all().toArray()", "Token.all().toArray()", "Guest.create({})"):
        error = _error(client, query)
        assert (error.code, error.message) == ("permission_denied", DENIED)
    # It may not extend its own token, only end it.
    error = _error(client, 'Query.token()!.update({ ttl: Time.now().add(1, "day") })')
    assert (error.code, error.message) == ("permission_denied", DENIED)
    client.query(fql("Query.token()!.delete()"))
    _refused(client)


FSL_APP = """
collection Member {}
collection Board {}

role member {
  membership Member {
    predicate (.active)
  }
  privileges Board {
    read
    create {
      predicate (post => post.author == Query.identity())
    }
  }
}
"""


def test_an_fsl_role_membership_takes_documents(tmp_path: Path) -> None:
    """The same model from FSL: ``membership`` with a short-lambda predicate (issue 10's
    ``serve --schema``)."""
    (tmp_path / "main.fsl").write_text(FSL_APP)
    with serve_in_background(schema=tmp_path) as server, client_for(server, server.secret) as admin:
        active = admin.query(fql("Member.create({ active: true }).id")).data
        idle = admin.query(fql("Member.create({ active: false }).id")).data
        for member in (active, idle):
            admin.query(
                fql('Credential.create({ document: Member(${m}), password: "pw" })', m=member)
            )
        login = 'Credential.byDocument(Member(${m}))!.login("pw").secret'
        with client_for(server, admin.query(fql(login, m=active)).data) as client:
            post = client.query(fql("Board.create({ author: Query.identity() }).author.id")).data
            assert post == active
            assert len(client.query(fql("Board.all().toArray()")).data) == 1
        with client_for(server, admin.query(fql(login, m=idle)).data) as client:
            error = _error(client, "Board.create({ author: Query.identity() })")
            assert (error.code, error.message) == ("permission_denied", DENIED)
            assert _error(client, "Board.all().toArray()").code == "permission_denied"


def test_a_function_with_a_role_keeps_the_callers_identity(app: App) -> None:
    """A function's ``role`` changes the rights, not who is calling (FaunaDB's
    ``LoginAuth.withPermissions`` keeps the identity)."""
    app.admin.query(
        fql(
            """Function.create({
              name: "myName",
              role: "server",
              body: "() => [Query.identity()!.name, Audit.all().count()]"
            })"""
        )
    )
    app.admin.query(
        fql(
            """Role.byName("user")!.update({ privileges: Role.byName("user")!.privileges.append(
              { resource: "myName", actions: { call: true } }) })"""
        )
    )
    ann = app.as_user_after_sign_up("ann")
    # Inside, the rights are server's (Audit is readable) and the identity is still ann's.
    assert ann.query(fql("myName()")).data == ["ann", 0]
    error = _error(ann, "Audit.all().count()")
    assert (error.code, error.message) == ("permission_denied", DENIED)

"""``faunalite.server.auth``: FaunaDB's secret grammar, and that nothing outside it authenticates.

The key lookup here is a plain dict of key and token secrets → the principal each grants,
standing in for the engine's ``Key`` and ``Token`` tables (the e2e tests,
``test_e2e_access.py`` and ``test_e2e_identity.py``, run the real ones).
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faunalite.engine import Principal
from faunalite.model.access import BUILTIN_ROLES, identity_of_role
from faunalite.server.auth import SecretScope, authenticate, parse_secret

ROOT = "secret"
KEYS = {
    "fnADMIN": Principal(("app",), "admin"),
    "fnSERVER": Principal(("app",), "server"),
    "fnCLIENT": Principal(("app",), "client"),
    "fnUSERROLE": Principal(("app",), "@role/Reader"),
    # A role string that is neither built in nor ``@role/...`` grants nothing.
    "fnODDROLE": Principal(("app",), "Reader"),
    # A token: its document's identity, with the token's id.
    "fnTOKEN": Principal(("app",), "@doc/Users/7", 42),
}


def _auth(secret: str) -> Principal | None:
    return authenticate(f"Bearer {secret}", ROOT, KEYS.get)


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("secret", ("secret", None)),
        ("secret:admin", ("secret", SecretScope((), "admin"))),
        ("secret:server-readonly", ("secret", SecretScope((), "server-readonly"))),
        ("secret:a/b:client", ("secret", SecretScope(("a", "b"), "client"))),
        ("secret:db:@role/Reader", ("secret", SecretScope(("db",), "@role/Reader"))),
        ("secret:@doc/Users/1", ("secret", SecretScope((), "@doc/Users/1"))),
        # The legacy spellings of a document identity are read as ``@doc/``.
        ("secret:db:classes/Users/1", ("secret", SecretScope(("db",), "@doc/Users/1"))),
        ("secret:db:collections/U/1", ("secret", SecretScope(("db",), "@doc/U/1"))),
        # The database segment may be any text without , ( ) & = : (even "admin" or "@role/x").
        ("secret:admin:server", ("secret", SecretScope(("admin",), "server"))),
        ("secret:@role/x:admin", ("secret", SecretScope(("@role", "x"), "admin"))),
        # Text after the first ':' that fits no scope is ignored, as FaunaDB ignores it.
        ("secret:", ("secret", None)),
        ("secret:junk", ("secret", None)),
        ("secret:db:", ("secret", None)),
        ("secret:a:b:admin", ("secret", None)),
        ("secret:db:admins", ("secret", None)),
        ("secret:db:@role/", ("secret", None)),
        ("secret:db:@role/a=b", ("secret", None)),
        # A key part with a reserved character is no secret at all.
        ("", None),
        (":admin", None),
        ("se/cret", None),
        ("se(cret", None),
        ("a,b:admin", None),
    ],
)
def test_parse_secret(secret: str, expected: tuple[str, SecretScope | None] | None) -> None:
    assert parse_secret(secret) == expected


@pytest.mark.parametrize(
    ("secret", "principal"),
    [
        ("secret", Principal((), "admin")),
        ("secret:server", Principal((), "server")),
        ("secret:a/b:server-readonly", Principal(("a", "b"), "server-readonly")),
        ("secret:junk", Principal((), "admin")),
        ("fnADMIN", Principal(("app",), "admin")),
        ("fnADMIN:client", Principal(("app",), "client")),
        ("fnADMIN:child:server", Principal(("app", "child"), "server")),
        ("fnSERVER", Principal(("app",), "server")),
        ("fnSERVER:junk", Principal(("app",), "server")),
        ("fnCLIENT", Principal(("app",), "client")),
        # A user-defined role, scoped on an admin secret or as a key's role; whether the Role
        # exists is settled as each query starts (a missing one is 401 then).
        ("secret:@role/nope", Principal((), "@role/nope")),
        ("secret:db:@role/Reader", Principal(("db",), "@role/Reader")),
        ("fnADMIN:@role/Reader", Principal(("app",), "@role/Reader")),
        ("fnADMIN:child:@role/Reader", Principal(("app", "child"), "@role/Reader")),
        ("fnUSERROLE", Principal(("app",), "@role/Reader")),
        # A document identity: any scope of the root key, an admin key's, or a server key's
        # without a database path (whether the document exists is settled per query).
        ("secret:@doc/Users/1", Principal((), "@doc/Users/1")),
        ("secret:db:collections/Users/1", Principal(("db",), "@doc/Users/1")),
        ("secret:a/b:classes/Users/1", Principal(("a", "b"), "@doc/Users/1")),
        ("fnADMIN:@doc/Users/1", Principal(("app",), "@doc/Users/1")),
        ("fnADMIN:child:@doc/Users/1", Principal(("app", "child"), "@doc/Users/1")),
        ("fnSERVER:@doc/Users/1", Principal(("app",), "@doc/Users/1")),
        # A token is its document; a scope after it is ignored.
        ("fnTOKEN", Principal(("app",), "@doc/Users/7", 42)),
        ("fnTOKEN:admin", Principal(("app",), "@doc/Users/7", 42)),
        ("fnTOKEN:child:@doc/Users/1", Principal(("app",), "@doc/Users/7", 42)),
    ],
)
def test_granted(secret: str, principal: Principal) -> None:
    assert _auth(secret) == principal


@pytest.mark.parametrize(
    "secret",
    [
        # A server key acts as a document of its own database only; other keys never do.
        "fnSERVER:child:@doc/Users/1",
        "fnCLIENT:@doc/Users/1",
        "fnUSERROLE:@doc/Users/1",
        # A document identity needs a collection and a numeric id.
        "secret:@doc/Users",
        "secret:@doc/Users/x1",
        "secret:db:@doc//1",
        "fnODDROLE",
        # Only an admin secret may take a user role.
        "fnSERVER:@role/Reader",
        "fnUSERROLE:@role/Reader",
        "fnCLIENT:@role/Reader",
        # Only an admin key may carry a scope.
        "fnSERVER:admin",
        "fnSERVER:server",
        "fnCLIENT:db:client",
        # Unknown keys and near misses of the root key.
        "fnNOPE",
        "Secret",
        "secretx:admin",
        "xsecret",
        # A JWT, with no verifier to check it.
        "eyJhbGciOi.eyJzdWIi.sig",
    ],
)
def test_refused(secret: str) -> None:
    assert _auth(secret) is None


def test_header_forms() -> None:
    basic = base64.b64encode(b"secret:server:").decode()
    assert authenticate(f"Basic {basic}", ROOT) == Principal((), "server")
    assert authenticate("Bearer secret", ROOT) == Principal()
    for header in (None, "", "Bearer", "bearer secret", "Bearer secret extra", "Token secret"):
        assert authenticate(header, ROOT) is None
    assert authenticate("Basic not-base64!", ROOT) is None


def _is_granted_role(role: str) -> bool:
    """A role a secret may grant: built in, a user role or a document identity."""
    return (
        role in BUILTIN_ROLES
        or (role.startswith("@role/") and len(role) > len("@role/"))
        or identity_of_role(role) is not None
    )


def _within_key_rights(key: str, principal: Principal) -> bool:
    """What a non-admin key's secret may come to: the key's own grant or, for a server key,
    acting as a document of its own database."""
    granted = KEYS[key]
    if principal == granted:
        return True
    return (
        granted.role == "server"
        and principal.database == granted.database
        and identity_of_role(principal.role) is not None
    )


# Secrets built from the grammar's own pieces, so that near misses are common.
_SECRET_TEXT = st.lists(
    st.sampled_from(
        [
            *"secrtfn:/@_-,()&=ab",
            *KEYS,
            ROOT,
            *BUILTIN_ROLES,
            *("@role/", "@doc/", "classes/", "collections/", "Reader", "Users/1", "db", "a/b"),
            *("1", "/"),
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_SECRET_TEXT)
def test_no_secret_outside_the_grammar_authenticates(text: str) -> None:
    """Whatever the text, a grant needs the root key or a known key before the first ':' (or
    the whole text), and the role granted is a built-in one, a user role (``@role/...``) or a
    document identity (``@doc/<Coll>/<id>``)."""
    principal = _auth(text)
    key = text.partition(":")[0]
    if principal is None:
        return
    assert key == ROOT or key in KEYS
    assert _is_granted_role(principal.role)
    if key != ROOT and KEYS[key].role != "admin":
        # A non-admin key never gains rights, whatever follows it.
        assert _within_key_rights(key, principal)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_never_grants_more_than_its_key(text: str) -> None:
    principal = _auth(text)
    if principal is not None:
        key = text.partition(":")[0]
        assert key == ROOT or key in KEYS
        assert _is_granted_role(principal.role)
        if key != ROOT and KEYS[key].role != "admin":
            assert _within_key_rights(key, principal)

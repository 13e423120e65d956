"""``faunalite.server.auth``: FaunaDB's secret grammar, and that nothing outside it authenticates.

The key lookup here is a plain dict of key secrets → the principal each key grants, standing in
for the engine's ``Key`` table (the e2e table test, ``test_e2e_access.py``, runs the real one).
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faunalite.engine import Principal
from faunalite.model.access import BUILTIN_ROLES
from faunalite.server.auth import SecretScope, authenticate, parse_secret

ROOT = "secret"
KEYS = {
    "fnADMIN": Principal(("app",), "admin"),
    "fnSERVER": Principal(("app",), "server"),
    "fnCLIENT": Principal(("app",), "client"),
    "fnUSERROLE": Principal(("app",), "@role/Reader"),
    # A role string that is neither built in nor ``@role/...`` grants nothing.
    "fnODDROLE": Principal(("app",), "Reader"),
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
        ("secret:db:classes/Users/1", ("secret", SecretScope(("db",), "classes/Users/1"))),
        ("secret:db:collections/U/1", ("secret", SecretScope(("db",), "collections/U/1"))),
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
    ],
)
def test_granted(secret: str, principal: Principal) -> None:
    assert _auth(secret) == principal


@pytest.mark.parametrize(
    "secret",
    [
        # Document identities are not implemented: refused, never widened.
        "secret:@doc/Users/1",
        "secret:db:collections/Users/1",
        "fnADMIN:@doc/Users/1",
        "fnSERVER:@doc/Users/1",
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
    """A role a secret may grant: built in, or a user role (never a document identity)."""
    return role in BUILTIN_ROLES or (role.startswith("@role/") and len(role) > len("@role/"))


# Secrets built from the grammar's own pieces, so that near misses are common.
_SECRET_TEXT = st.lists(
    st.sampled_from(
        [
            *"secrtfn:/@_-,()&=ab",
            *KEYS,
            ROOT,
            *BUILTIN_ROLES,
            *("@role/", "@doc/", "classes/", "collections/", "Reader", "Users/1", "db", "a/b"),
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_SECRET_TEXT)
def test_no_secret_outside_the_grammar_authenticates(text: str) -> None:
    """Whatever the text, a grant needs the root key or a known key before the first ':' (or
    the whole text), and the role granted is a built-in one or a user role (``@role/...``)."""
    principal = _auth(text)
    key = text.partition(":")[0]
    if principal is None:
        return
    assert key == ROOT or key in KEYS
    assert _is_granted_role(principal.role)
    if key != ROOT and KEYS[key].role != "admin":
        # A non-admin key never gains rights, whatever follows it.
        assert principal == KEYS[key]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_never_grants_more_than_its_key(text: str) -> None:
    principal = _auth(text)
    if principal is not None:
        key = text.partition(":")[0]
        assert key == ROOT or key in KEYS
        assert _is_granted_role(principal.role)
        if key != ROOT and KEYS[key].role != "admin":
            assert principal == KEYS[key]

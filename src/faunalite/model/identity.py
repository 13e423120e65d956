"""Document identities: the ``Credential`` and ``Token`` native collections, and role membership.

Follows FaunaDB (``stdlib/Credential.scala``, ``stdlib/Tokens.scala``, ``doc/Credentials.scala``,
``doc/Token.scala``, ``auth/RoleMembership.scala``, ``auth/Permissions.scala``):

* A ``Credential`` ties a document of a user collection (``document``) to a password. The
  password is write-only: it is kept only as a salted scrypt hash (``passwords``) in a hidden
  field, so reading a credential shows ``id``, ``coll``, ``ts``, ``document`` and ``data``.
  ``credential.login(password[, ttl])`` creates a ``Token`` for the document (a wrong password is
  ``invalid_secret`` ``Provided secret did not match.``); ``credential.verify(password)`` says
  whether it matches; a credential without a password matches none. A ``replace`` without a
  ``password`` removes it (FaunaDB's write hook hashes only a written password, and a replace
  keeps no internal field). ``Credential.byDocument(doc)`` is the credential of a document (a
  missing one is a null ``Credential``, id ``-1`` as in FaunaDB).
* A ``Token`` names a ``document`` and may have a ``ttl``. Its secret is shown once, in the
  result of ``Token.create``/``login``: ``fn`` + URL-safe base64 of ``0x7E 0x71``, the 8-byte
  token id, 8 bytes naming the database (faunalite's storage scope, where FaunaDB puts the
  database's global id) and 20 random bytes. Only a SHA-256 hash of it is kept (the secret
  is random, so a fast hash loses nothing), in the token and in a root-scope registry that
  ``authenticate_token`` reads. ``secret`` cannot be written (``Failed to update field because
  it is readonly``). Deleting the token (logout: ``Query.token()!.delete()``) ends it at once.
* Both need a document of a user-defined collection (``Expected document from a user-defined
  collection.``). ``server`` and ``admin`` may write them; ``server-readonly`` and ``client``
  may not, and a user-defined role needs privileges on ``Credential``/``Token``.
* A request authenticated as a document (a token, or a ``@doc/<Coll>/<id>`` scoped secret)
  runs as the role string ``@doc/<Coll>/<id>``. Its privileges are the union of the roles whose
  ``membership`` names the document's collection and whose membership ``predicate`` (if any)
  returns ``true`` for the document (``membership_role``). Besides them, a document always
  reads its own credential and its own tokens and deletes its own tokens (FaunaDB's baseline
  of ``InstancePermissions``, ``is_own_credential_or_token``). The document must exist when the
  query starts (``identity_is_live``), or the request is unauthorized.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_string, expect_time, wrong_type
from faunalite.fql.stdlib.registry import MODULES, TypeTable, module
from faunalite.fql.values import Module, Time, Value
from faunalite.model.access import DOC_ROLE_PREFIX, UserRole, identity_of_role, identity_role
from faunalite.model.collections import native_set_methods, parse_id_argument
from faunalite.model.databases import decode_secret, encode_secret, hash_secret
from faunalite.model.doc_methods import CREDENTIAL_DOC
from faunalite.model.documents import CredentialDoc, DocValue, expired_at, is_expired, make_doc
from faunalite.model.passwords import hash_password, password_matches
from faunalite.model.schema import (
    OBJECT,
    STRING,
    TIME,
    Failures,
    FieldType,
    NativeSpec,
    create_native,
    register_spec,
    scan_all,
)
from faunalite.model.session import (
    COLLECTION,
    CREDENTIAL,
    HIDDEN_PREFIX,
    NATIVE_COLLECTIONS,
    ROLE,
    TOKEN,
    QuerySession,
    session_of,
)
from faunalite.model.sets import set_from_source
from faunalite.storage.interface import ROOT_SCOPE, DocKey, DocRef, Transaction

PASSWORD_HASH_FIELD = "#password_hash"
SECRET_HASH_FIELD = "#secret_hash"
TOKEN_REGISTRY = "#tokens"
"""Root-scope storage collection: token id → ``{scope, hash}``."""

_TOKEN_PREFIX = b"\x7e\x71"
_TOKEN_SECRET_BYTES = 38
MISSING_CREDENTIAL_ID = -1
"""The id of the null ``Credential`` that ``byDocument`` answers for a document without one."""

NOT_A_USER_DOCUMENT = "Expected document from a user-defined collection."

DOCUMENT = FieldType("Ref<Any>", lambda value: isinstance(value, DocValue))


# -- validation and hashing ---------------------------------------------------------------------


def _is_user_collection(name: str) -> bool:
    return name not in NATIVE_COLLECTIONS and not name.startswith(HIDDEN_PREFIX)


def _validate_owner(
    session: QuerySession, stored: dict[str, Any], old: DocValue | None
) -> Failures:
    document = stored.get("document")
    if isinstance(document, DocRef) and not _is_user_collection(document.collection):
        return [(["document"], NOT_A_USER_DOCUMENT)]
    return []


def _keep_password_hash(session: QuerySession, stored: dict[str, Any], replacing: bool) -> None:
    """A written ``password`` is replaced by its hash before anything is stored; a replace
    without one leaves the credential without a password (FaunaDB's replace keeps no
    internal field, and only ``Token`` re-adds its hidden ones)."""
    password = stored.pop("password", None)
    if isinstance(password, str):
        stored[PASSWORD_HASH_FIELD] = hash_password(password)
    elif replacing:
        stored.pop(PASSWORD_HASH_FIELD, None)


# -- token secrets ------------------------------------------------------------------------------


def new_token_secret(token_id: int, scope: int) -> str:
    raw = _TOKEN_PREFIX + token_id.to_bytes(8, "big") + scope.to_bytes(8, "big")
    return encode_secret(raw + secrets.token_bytes(20))


def token_id_of_secret(secret: str) -> int | None:
    """The token id inside a token secret, ``None`` if ``secret`` is not shaped like one."""
    raw = decode_secret(secret, _TOKEN_PREFIX, _TOKEN_SECRET_BYTES)
    return None if raw is None else int.from_bytes(raw[2:10], "big")


def _create_token(session: QuerySession, key: DocKey, stored: dict[str, Any]) -> dict[str, Value]:
    secret = new_token_secret(int(key), session.scope)
    digest = hash_secret(secret)
    stored[SECRET_HASH_FIELD] = digest
    session.txn.put(ROOT_SCOPE, TOKEN_REGISTRY, key, {"scope": session.scope, "hash": digest})
    return {"secret": secret}


def _delete_token(session: QuerySession, doc: DocValue, stored: dict[str, Any]) -> None:
    session.txn.delete(ROOT_SCOPE, TOKEN_REGISTRY, doc.key)


CREDENTIAL_SPEC = register_spec(
    NativeSpec(
        CREDENTIAL,
        {"document": DOCUMENT, "password": STRING, "data": OBJECT},
        "Credential",
        "{ id: ID | Null, document: Ref<{ *: Any }>, password: String | Null, "
        "data: { *: Any } | Null }",
        required=("document",),
        named=False,
        schema=False,
        validate=_validate_owner,
        prepare=_keep_password_hash,
    )
)

TOKEN_SPEC = register_spec(
    NativeSpec(
        TOKEN,
        {"document": DOCUMENT, "ttl": TIME, "data": OBJECT},
        "Token",
        "{ id: ID | Null, document: { *: Any } | Null, ttl: Time | Null, data: { *: Any } | Null }",
        required=("document",),
        named=False,
        schema=False,
        protected=("secret",),
        validate=_validate_owner,
        on_create=_create_token,
        on_delete=_delete_token,
    )
)


# -- authentication -----------------------------------------------------------------------------


def authenticate_token(
    txn: Transaction, secret: str, now_ns: int
) -> tuple[tuple[str, ...], str, int] | None:
    """The database path, identity role and token id a token secret grants at ``now_ns``
    (Unix nanoseconds), ``None`` if it grants nothing: unknown, deleted, or past its ``ttl``."""
    token_id = token_id_of_secret(secret)
    if token_id is None:
        return None
    entry = txn.get(ROOT_SCOPE, TOKEN_REGISTRY, token_id)
    if entry is None or not hmac.compare_digest(
        str(entry.data.get("hash", "")), hash_secret(secret)
    ):
        return None
    scope = int(entry.data["scope"])
    database = txn.database(scope)
    token = txn.get(scope, TOKEN, token_id) if database is not None else None
    if database is None or token is None:
        return None
    ttl = token.data.get("ttl")
    if isinstance(ttl, Time) and ttl.epoch_ns <= now_ns:
        return None
    document = token.data.get("document")
    if not isinstance(document, DocRef):
        return None
    return database.path, identity_role(document.collection, int(document.id)), token_id


def identity_is_live(
    txn: Transaction, scope: int, role: str, token: int | None, now_micros: int
) -> bool:
    """Whether a ``@doc/...`` principal may run a query now: its document exists in a user
    collection (and has not expired), and its token, if any, still exists. Any other role is
    not this module's to judge (``True``)."""
    if not role.startswith(DOC_ROLE_PREFIX):
        return True
    identity = identity_of_role(role)
    if identity is None:
        return False
    collection, key = identity
    if not _is_user_collection(collection) or txn.get(scope, COLLECTION, collection) is None:
        return False
    document = txn.get(scope, collection, key)
    if document is None or expired_at(document, now_micros):
        return False
    return token is None or txn.get(scope, TOKEN, token) is not None


# -- roles of an identity -----------------------------------------------------------------------


def _memberships(data: Any) -> list[dict[str, Any]]:
    membership = data.get("membership") if isinstance(data, dict) else None
    if isinstance(membership, dict):
        membership = [membership]
    if not isinstance(membership, list):
        return []
    return [entry for entry in membership if isinstance(entry, dict)]


def membership_role(session: QuerySession, identity: tuple[str, int]) -> UserRole:
    """The privileges of the document ``identity``: every role (as of the query's start) with
    a membership on the document's collection whose predicate, if any, returns exactly
    ``true`` for the document. The session must be acting with predicate rights."""
    collection, key = identity
    document = make_doc(session, collection, key)
    policies: dict[tuple[str, str], tuple[Any, ...]] = {}
    for stored_role in scan_all(session, ROLE, at_start=True):
        name = str(stored_role.key)
        if not any(
            _admits(session, name, entry, collection, document)
            for entry in _memberships(stored_role.data)
        ):
            continue
        granted = UserRole.from_stored(name, stored_role.data)
        for grant, found in granted.policies.items():
            policies[grant] = policies.get(grant, ()) + found
    return UserRole(identity_role(collection, key), policies)


def _admits(
    session: QuerySession, role: str, entry: dict[str, Any], collection: str, document: DocValue
) -> bool:
    from faunalite.model.roles import role_allows

    if entry.get("resource") != collection:
        return False
    predicate = entry.get("predicate")
    if predicate is None:
        return True
    if not isinstance(predicate, str):
        return False
    check = UserRole(role, {(collection, "membership"): (predicate,)})
    return role_allows(session, check, collection, "membership", [document])


def is_own_credential_or_token(session: QuerySession, collection: str, stored: Any) -> bool:
    """Whether a ``Credential`` or ``Token`` (``stored``: its stored form) belongs to the
    document the session acts as (FaunaDB's baseline rights of a document identity)."""
    if collection not in (CREDENTIAL, TOKEN):
        return False
    identity = identity_of_role(session.role)
    document = stored.get("document") if isinstance(stored, dict) else None
    return (
        identity is not None
        and isinstance(document, DocRef)
        and (document.collection, document.id) == identity
    )


# -- modules ------------------------------------------------------------------------------------


def _expect_document(value: Value) -> DocValue:
    if not isinstance(value, DocValue):
        raise wrong_type("document", "Ref<Any>", value)
    return value


def _id_module(collection: str) -> TypeTable:
    table = module(collection, f"{collection}Collection")
    spec = CREDENTIAL_SPEC if collection == CREDENTIAL else TOKEN_SPEC
    document = spec.document_type

    def create(ctx: Any, receiver: Module, data: Value) -> Value:
        return create_native(ctx, session_of(ctx), spec, data)

    def by_id(ctx: Any, receiver: Module, doc_id: Value) -> Value:
        session = session_of(ctx)
        return make_doc(session, collection, parse_id_argument(doc_id), session.read_ts)

    table.method("create", 1, signature=f"(data: {spec.create_type}) => {document}")(create)
    table.method("byId", 1, signature=f"(id: ID) => Ref<{document}>")(by_id)
    table.callable(1, signature=f"(id: ID) => Ref<{document}>")(by_id)
    native_set_methods(table, spec)
    return table


CREDENTIAL_MODULE = _id_module(CREDENTIAL)
MODULES["Credentials"] = CREDENTIAL_MODULE
TOKEN_MODULE = _id_module(TOKEN)


@CREDENTIAL_MODULE.method(
    "byDocument", 1, signature="(document: { *: Any } | Null) => Ref<Credential>"
)
def _credential_by_document(ctx: Any, receiver: Module, document: Value) -> Value:
    session = session_of(ctx)
    owner = _expect_document(document).ref()
    for stored in session.txn.scan(session.scope, CREDENTIAL, at_ts=session.read_ts):
        if stored.data.get("document") == owner:
            return make_doc(session, CREDENTIAL, stored.key, session.read_ts)
    return make_doc(session, CREDENTIAL, MISSING_CREDENTIAL_ID, session.read_ts)


@dataclass(frozen=True, slots=True)
class TokensOfDocumentSource:
    """``Token.byDocument(doc)``: the tokens naming ``owner``, in id order."""

    owner: DocRef
    read_ts: int | None
    label: str

    def elements(self, ctx: Any, after: Any, reverse: bool) -> Iterator[tuple[Any, Value]]:
        session = session_of(ctx)
        if not session.set_is_readable(TOKEN):
            return
        at_ts = self.read_ts if self.read_ts is not None else session.read_ts
        documents = session.txn.scan(
            session.scope, TOKEN, after=after, reverse=reverse, at_ts=at_ts
        )
        session.charge_page_read()
        for stored in documents:
            if stored.data.get("document") != self.owner or is_expired(session, stored, at_ts):
                continue
            doc = make_doc(session, TOKEN, stored.key, at_ts)
            if session.user_role is not None and not session.may_read_document(doc):
                continue
            session.charge_read(stored, at_ts)
            yield stored.key, doc

    def describe(self) -> str:
        return self.label

    @property
    def stream_root(self) -> None:
        return None


@TOKEN_MODULE.method("byDocument", 1, signature="(document: { *: Any }) => Set<Token>")
def _tokens_by_document(ctx: Any, receiver: Module, document: Value) -> Value:
    session = session_of(ctx)
    owner = _expect_document(document)
    session.set_is_readable(TOKEN)
    label = f"Token.byDocument({owner.collection}({owner.key}))"
    return set_from_source(TokensOfDocumentSource(owner.ref(), session.read_ts, label))


# -- credential methods -------------------------------------------------------------------------


def _password_hash(credential: DocValue) -> str:
    stored = credential.require().data
    found = stored.get(PASSWORD_HASH_FIELD) if isinstance(stored, dict) else None
    return found if isinstance(found, str) else ""


@CREDENTIAL_DOC.method("verify", 1, signature="(secret: String) => Boolean")
def verify(ctx: Any, credential: CredentialDoc, secret: Value) -> Value:
    """``credential.verify(password)``."""
    password = expect_string(secret, "secret")
    return password_matches(password, _password_hash(credential))


@CREDENTIAL_DOC.method(
    "login",
    (1, 2),
    signature="((secret: String) => Token) & ((secret: String, ttl: Time) => Token)",
)
def login(ctx: Any, credential: CredentialDoc, secret: Value, ttl: Value = None) -> Value:
    """``credential.login(password[, ttl])``: a new token for the credential's document."""
    password = expect_string(secret, "secret")
    expires = None if ttl is None else expect_time(ttl, "ttl")
    if not password_matches(password, _password_hash(credential)):
        raise QueryError("invalid_secret", "Provided secret did not match.")
    owner = credential.require().data.get("document")
    if not isinstance(owner, DocRef):
        raise QueryError("invalid_secret", "Provided secret did not match.")
    session = credential.session
    data: dict[str, Value] = {"document": make_doc(session, owner.collection, owner.id)}
    if expires is not None:
        data["ttl"] = expires
    return create_native(ctx, session, TOKEN_SPEC, data)

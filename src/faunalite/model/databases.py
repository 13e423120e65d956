"""Child databases, keys and roles: the ``Database``, ``Key`` and ``Role`` native collections.

A ``Database`` document lives in its parent database (keyed by name) and mirrors a storage
scope: creating it creates the scope, renaming renames it, deleting it drops the scope with
everything inside. Every query runs inside exactly one scope, so databases are isolated.

A ``Key`` document grants a role on the database it lives in, or on its child named by
``database``. ``Key.create`` returns the secret once: ``fn`` + URL-safe base64 of
``0x7E 0x70``, the 8-byte key id and 20 random bytes, as FaunaDB shapes them. Only a SHA-256
hash of the secret is kept, in the key document (hidden) and in a registry in the root scope
that maps key ids to the scope holding the key, so ``authenticate_key`` can find it.

Managing databases and keys needs the ``admin`` role (others get ``permission_denied``).
``Role`` documents are stored as given; a key or secret of a user-defined role gets the Role's
privileges (``faunalite.model.roles``); its ``membership`` gives them to document identities
(``faunalite.model.identity``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Any

from faunalite.fql.stdlib.args import expect_string
from faunalite.fql.stdlib.registry import TypeTable, module
from faunalite.fql.values import Module, Time, Value
from faunalite.model.collections import native_set_methods, parse_id_argument
from faunalite.model.documents import DocValue, KeyDoc, NamedDoc
from faunalite.model.schema import (
    ANY,
    BOOLEAN,
    BUILTIN_ROLES,
    NUMBER,
    OBJECT,
    STRING,
    TIME,
    Failures,
    NativeSpec,
    create_native,
    register_spec,
)
from faunalite.model.session import DATABASE, KEY, ROLE, QuerySession, session_of
from faunalite.storage.interface import ROOT_SCOPE, DocKey, Transaction

SCOPE_FIELD = "#scope"
SECRET_HASH_FIELD = "#secret_hash"
KEY_REGISTRY = "#keys"
"""Root-scope storage collection: key id → ``{scope, hash}``."""

_KEY_PREFIX = b"\x7e\x70"


# -- databases ------------------------------------------------------------------------------------


def _new_global_id() -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(13))


def _database_defaults() -> dict[str, Any]:
    return {"global_id": _new_global_id()}


def _create_database(session: QuerySession, key: DocKey, stored: dict[str, Any]) -> None:
    info = session.txn.create_database(session.scope, str(key))
    stored[SCOPE_FIELD] = info.scope
    return None


def _rename_database(session: QuerySession, old: str, new: str, stored: dict[str, Any]) -> None:
    session.txn.rename_database(int(stored[SCOPE_FIELD]), new)


def _delete_database(session: QuerySession, doc: DocValue, stored: dict[str, Any]) -> None:
    session.txn.delete_database(int(stored[SCOPE_FIELD]))


DATABASE_SPEC = register_spec(
    NativeSpec(
        DATABASE,
        {
            "priority": NUMBER,
            "typechecked": BOOLEAN,
            "protected": BOOLEAN,
            "data": OBJECT,
            "global_id": ANY,
        },
        "DatabaseDef",
        "{ name: String, priority: Number | Null, typechecked: Boolean | Null,"
        " protected: Boolean | Null, data: { *: Any } | Null }",
        defaults=_database_defaults,
        schema=False,
        admin_only=True,
        read_only=("global_id",),
        on_create=_create_database,
        on_rename=_rename_database,
        on_delete=_delete_database,
    )
)


def database_typechecked(txn: Transaction, path: tuple[str, ...]) -> bool | None:
    """The ``typechecked`` setting in force for the database at ``path``: its own, else the
    nearest ancestor's that sets it (FaunaDB's ``Database.isTypechecked`` inherits it), else
    ``None`` when no database on the way sets it."""
    for depth in range(len(path), 0, -1):
        parent = txn.find_database(path[: depth - 1])
        if parent is None:
            return None
        doc = txn.get(parent.scope, DATABASE, path[depth - 1])
        data = doc.data if doc is not None else None
        if isinstance(data, dict) and isinstance(data.get("typechecked"), bool):
            return bool(data["typechecked"])
    return None


# -- roles -------------------------------------------------------------------------------------------

ROLE_SPEC = register_spec(
    NativeSpec(
        ROLE,
        {"privileges": ANY, "membership": ANY, "data": OBJECT},
        "Role",
        "{ name: String, privileges: Any | Null, membership: Any | Null, data: { *: Any } | Null }",
        admin_only=True,
    )
)


# -- keys ----------------------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    """What is kept of a key's or token's secret: random, so a fast hash loses nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def encode_secret(raw: bytes) -> str:
    """A secret's text: URL-safe base64 without padding (``fn...`` for FaunaDB's prefixes)."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_secret(secret: str, prefix: bytes, length: int) -> bytes | None:
    """The bytes of a secret of ``length`` bytes starting with ``prefix``, ``None`` if
    ``secret`` is not shaped like one."""
    try:
        raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != length or not raw.startswith(prefix):
        return None
    return raw


def new_key_secret(key_id: int) -> str:
    return encode_secret(_KEY_PREFIX + key_id.to_bytes(8, "big") + secrets.token_bytes(20))


def key_id_of_secret(secret: str) -> int | None:
    """The key id inside a key secret, ``None`` if ``secret`` is not shaped like one."""
    raw = decode_secret(secret, _KEY_PREFIX, 30)
    return None if raw is None else int.from_bytes(raw[2:10], "big")


def _validate_key(session: QuerySession, stored: dict[str, Any], old: DocValue | None) -> Failures:
    failures: Failures = []
    role = stored.get("role")
    if isinstance(role, str) and role not in BUILTIN_ROLES and session.get(ROLE, role) is None:
        failures.append((["role"], f"Role `{role}` not found."))
    database = stored.get("database")
    if isinstance(database, str) and session.get(DATABASE, database) is None:
        failures.append((["database"], f"Database `{database}` not found."))
    return failures


def _create_key(session: QuerySession, key: DocKey, stored: dict[str, Any]) -> dict[str, Value]:
    secret = new_key_secret(int(key))
    digest = hash_secret(secret)
    stored[SECRET_HASH_FIELD] = digest
    session.txn.put(ROOT_SCOPE, KEY_REGISTRY, key, {"scope": session.scope, "hash": digest})
    return {"secret": secret}


def _delete_key(session: QuerySession, doc: DocValue, stored: dict[str, Any]) -> None:
    session.txn.delete(ROOT_SCOPE, KEY_REGISTRY, doc.key)


KEY_SPEC = register_spec(
    NativeSpec(
        KEY,
        {"role": STRING, "database": STRING, "ttl": TIME, "data": OBJECT},
        "Key",
        "{ role: String, database: String | Null, ttl: Time | Null, data: { *: Any } | Null }",
        required=("role",),
        named=False,
        schema=False,
        admin_only=True,
        validate=_validate_key,
        on_create=_create_key,
        on_delete=_delete_key,
    )
)


def authenticate_key(
    txn: Transaction, secret: str, now_ns: int
) -> tuple[tuple[str, ...], str] | None:
    """The database path and role a key secret grants at ``now_ns`` (Unix nanoseconds),
    ``None`` if it grants nothing: unknown, deleted, or past its ``ttl``."""
    key_id = key_id_of_secret(secret)
    if key_id is None:
        return None
    entry = txn.get(ROOT_SCOPE, KEY_REGISTRY, key_id)
    if entry is None:
        return None
    digest = hash_secret(secret)
    if not hmac.compare_digest(str(entry.data.get("hash", "")), digest):
        return None
    scope = int(entry.data["scope"])
    database = txn.database(scope)
    key_doc = txn.get(scope, KEY, key_id) if database is not None else None
    if database is None or key_doc is None:
        return None
    ttl = key_doc.data.get("ttl")
    if isinstance(ttl, Time) and ttl.epoch_ns <= now_ns:
        return None
    path = database.path
    child = key_doc.data.get("database")
    if isinstance(child, str):
        path = (*path, child)
    if txn.find_database(path) is None:
        return None
    return path, str(key_doc.data.get("role", "client"))


# -- modules ----------------------------------------------------------------------------------------


def _named_module(spec: NativeSpec) -> TypeTable:
    table = module(spec.collection, f"{spec.collection}Collection")

    def create(ctx: Any, receiver: Module, data: Value) -> Value:
        return create_native(ctx, session_of(ctx), spec, data)

    def by_name(ctx: Any, receiver: Module, name: Value) -> Value:
        session = session_of(ctx)
        session.require_admin()
        return NamedDoc(session, spec.collection, expect_string(name, "name"), session.read_ts)

    document = spec.document_type
    table.method("create", 1, signature=f"(data: {spec.create_type}) => {document}")(create)
    table.method("byName", 1, signature=f"(name: String) => NamedRef<{document}>")(by_name)
    native_set_methods(table, spec)
    return table


DATABASE_MODULE = _named_module(DATABASE_SPEC)
ROLE_MODULE = _named_module(ROLE_SPEC)
KEY_MODULE = module(KEY, "KeyCollection")


@KEY_MODULE.method("create", 1, signature=f"(data: {KEY_SPEC.create_type}) => Key")
def _key_create(ctx: Any, receiver: Module, data: Value) -> Value:
    return create_native(ctx, session_of(ctx), KEY_SPEC, data)


@KEY_MODULE.method("byId", 1, signature="(id: ID) => Ref<Key>")
def _key_by_id(ctx: Any, receiver: Module, key_id: Value) -> Value:
    session = session_of(ctx)
    session.require_admin()
    return KeyDoc(session, KEY, parse_id_argument(key_id), session.read_ts)


@KEY_MODULE.callable(1, signature="(id: ID) => Ref<Key>")
def _key_apply(ctx: Any, receiver: Module, key_id: Value) -> Value:
    return _key_by_id(ctx, receiver, key_id)


native_set_methods(KEY_MODULE, KEY_SPEC)

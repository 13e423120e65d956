"""Writing documents: ``create``/``update``/``replace``/``delete`` and their ``*Data`` variants.

FaunaDB's rules (fql-language.md §4.2-§4.3): ``update`` deep-merges (a ``null`` removes a
field, objects merge recursively, anything else replaces); ``replace`` swaps all user fields;
fields named like metadata or methods are refused with ``constraint_failure`` unless written
through the ``*Data`` variants, which put everything under ``data``; ``id`` is only allowed in
``create``, as an ID, an integer or a numeric string, never negative (else a
``constraint_failure`` on ``id``, checked before anything else); ``ttl`` must be a ``Time``; values that cannot be stored (functions, sets) fail with
``invalid_type``; documents inside the data are stored as references.

Every document write of any collection, user or native, ends in ``write_document``: the one
place where index maintenance and constraint checks hook in (``BEFORE_WRITE``/``AFTER_WRITE``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from faunalite.fql.errors import QueryError
from faunalite.fql.values import (
    ID,
    INT64_MAX,
    INT64_MIN,
    TRANSACTION_TIME,
    Function,
    Lambda,
    Long,
    Module,
    Null,
    StorageValue,
    Time,
    Value,
    is_int,
    type_name,
)
from faunalite.fql.walk_clock import visit_container
from faunalite.model.documents import DocValue, UserDoc
from faunalite.model.session import COLLECTION, QuerySession
from faunalite.storage.interface import DocKey, DocRef, Document, IndexEntry

RESERVED_ON_WRITE: tuple[str, ...] = ("coll", "ts", "data", "update", "replace", "delete")
RESERVED_ON_WRITE += ("exists", "updateData", "replaceData")
"""Top-level names ``create``/``update``/``replace`` refuse (``id`` and ``ttl`` are handled
apart: ``id`` only in ``create``, ``ttl`` must be a time)."""

RESERVED_MESSAGE = "Is a reserved field and cannot be used"


# -- the single write path ----------------------------------------------------------------------


@dataclass(slots=True)
class DocumentWrite:
    """One document write about to happen (``after`` ``None``: a delete).

    ``before``/``after`` are stored forms. Hooks in ``BEFORE_WRITE`` may fill
    ``index_entries`` (the document's complete entries after the write, by index name) or
    raise a ``QueryError`` to refuse the write; hooks in ``AFTER_WRITE`` run once the new
    version is visible in the transaction (check constraints read it there).
    """

    session: QuerySession
    collection: str
    key: DocKey
    before: Any
    after: Any
    action: str
    index_entries: dict[str, list[IndexEntry]] = field(default_factory=dict)
    explicit_id: bool = False
    """A create whose id the query chose (FaunaDB's ``create_with_id`` privilege)."""


WriteHook = Callable[[DocumentWrite], None]
BEFORE_WRITE: list[WriteHook] = []
AFTER_WRITE: list[WriteHook] = []


def write_document(write: DocumentWrite) -> Document | None:
    """Apply ``write`` through the hooks; returns the new version (``None`` for a delete)."""
    for hook in BEFORE_WRITE:
        hook(write)
    session = write.session
    if write.after is None:
        session.txn.delete(session.scope, write.collection, write.key)
        result = None
    else:
        result = session.txn.put(
            session.scope,
            write.collection,
            write.key,
            write.after,
            index_entries=write.index_entries,
        )
    session.charge_write(write.after)
    for hook in AFTER_WRITE:
        hook(write)
    return result


# -- values in and out of storage ---------------------------------------------------------------


def unstorable(value: Value) -> QueryError:
    if isinstance(value, Lambda):
        return QueryError(
            "invalid_type", "Anonymous functions cannot be stored. Use a string of FQL instead."
        )
    return QueryError("invalid_type", f"Values of type `{type_name(value)}` cannot be stored.")


def to_stored(session: QuerySession, value: Value) -> Any:
    """An FQL value in its stored form; object fields that are null are left out (null means
    absent). Raises ``invalid_type`` for what cannot be stored."""
    kind = type(value)
    if kind is dict:
        visit_container()
        return {
            name: to_stored(session, item)
            for name, item in value.items()
            if not isinstance(item, Null)
        }
    if kind is list:
        visit_container()
        return [to_stored(session, item) for item in value]
    if value is TRANSACTION_TIME:
        return session.transaction_time()
    if isinstance(value, DocValue):
        return value.ref()
    if isinstance(value, (Function, Module, StorageValue)):
        raise unstorable(value)
    if kind is Long:
        # FaunaDB stores every integer as a LongV and reads it back normalised.
        return int(value)
    return value


def stored_patch(session: QuerySession, patch: dict[str, Value]) -> dict[str, Any]:
    """The stored form of an ``update`` patch, keeping its nulls (they mean "remove")."""
    result: dict[str, Any] = {}
    for name, value in patch.items():
        if isinstance(value, Null):
            result[name] = value
        elif type(value) is dict:
            result[name] = stored_patch(session, value)
        else:
            result[name] = to_stored(session, value)
    return result


def deep_merge(old: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``update``'s merge of stored data: a null removes the key, two objects merge, anything
    else replaces. ``patch`` may hold nulls (it is FQL data, not yet cleaned)."""
    merged = dict(old)
    for name, value in patch.items():
        if isinstance(value, Null):
            merged.pop(name, None)
        elif type(value) is dict and type(merged.get(name)) is dict:
            merged[name] = deep_merge(merged[name], value)
        else:
            merged[name] = value
    return merged


def constraint_failure(message: str, failures: list[tuple[list[Any], str]]) -> QueryError:
    """``constraint_failure`` with FaunaDB's ``constraint_failures`` list."""
    return QueryError(
        "constraint_failure",
        message,
        constraint_failures=[
            {"paths": [path] if path else [], "message": text} for path, text in failures
        ],
    )


# -- checks ----------------------------------------------------------------------------------------


def check_writable(ctx: Any, session: QuerySession, method: str) -> None:
    """Writes are refused inside set functions, in the past and without the right role."""
    # Imported here: importing the sets module loads the stdlib, whose event sources import
    # the sets module back.
    from faunalite.model.sets import check_write_allowed

    check_write_allowed(ctx, method)
    session.require_write()
    if session.read_ts is not None:
        raise QueryError("invalid_write", "Cannot write at a snapshot time in the past.")


def check_collection_not_redefined(session: QuerySession, collection: str) -> None:
    if collection in session.changes.collections_redefined:
        raise QueryError(
            "invalid_write", "Cannot modify a document and its collection in the same query."
        )
    session.changes.collections_with_doc_writes.add(collection)


def expect_data(value: Value) -> dict[str, Value]:
    if type(value) is not dict:
        raise QueryError(
            "invalid_argument",
            f"expected value for `data` of type {{ *: Any }}, received {type_name(value)}",
        )
    return value


def _user_fields(
    data: dict[str, Value], *, allow_id: bool
) -> tuple[dict[str, Value], list[tuple[list[Any], str]], Value, Value]:
    """Split a write argument into user fields, reserved-field failures, ``id`` and ``ttl``
    (``None`` when absent)."""
    failures: list[tuple[list[Any], str]] = []
    fields: dict[str, Value] = {}
    doc_id: Value = None
    ttl: Value = None
    for name, value in data.items():
        if name == "id" and allow_id:
            doc_id = value
        elif name == "ttl":
            ttl = value
        elif name in RESERVED_ON_WRITE or name == "id":
            failures.append(([name], RESERVED_MESSAGE))
        else:
            fields[name] = value
    # Reserved names fail alone: FaunaDB validates the field types only after them.
    if not failures and ttl is not None and not isinstance(ttl, (Time, Null)):
        failures.append((["ttl"], f"Expected Time | Null, provided {type_name(ttl)}"))
    return fields, failures, doc_id, ttl


ID_FIELD_TYPE = "ID | String | Long"
"""What FaunaDB accepts as an explicit ``id`` (``WriteBroker.scala`` ``getOrMakeID``)."""

_LONG_TEXT = re.compile(r"[+-]?[0-9]+")


def parse_document_id(value: Value) -> int:
    """An explicit ``id`` of ``create``: an ID, an integer or a string Java's
    ``Long.parseLong`` reads, and ``>= 0``; anything else is FaunaDB's ``constraint_failure``
    item for the ``id`` path (raised as a ``_IdFailure``)."""
    if isinstance(value, Null):
        raise _IdFailure(f"Missing required field of type {ID_FIELD_TYPE}")
    number = cast_id(value)
    if number is None:
        raise _IdFailure(f"Expected {ID_FIELD_TYPE}, provided {schema_type_name(value)}")
    if number < 0:
        raise _IdFailure("id must be nonnegative")
    return number


def cast_id(value: Value) -> int | None:
    """``value`` as a document id where FaunaDB accepts one in its place (``TypeTag.ID.cast``:
    an ID, an integer, or a string ``Long.parseLong`` reads), else ``None``."""
    if isinstance(value, ID):
        return value.value
    if is_int(value):
        return int(value)
    if type(value) is str and _LONG_TEXT.fullmatch(value):
        number = int(value)
        return number if INT64_MIN <= number <= INT64_MAX else None
    return None


class _IdFailure(Exception):
    """Why an explicit ``id`` is refused, in FaunaDB's words."""


def schema_type_name(value: Value) -> str:
    """The type FaunaDB's schema validation names for a provided value
    (``SchemaType.valuePreciseType``): scalars by kind, arrays as tuples, objects as records."""
    if type(value) is list:
        visit_container()
        return "[" + ", ".join(schema_type_name(item) for item in value) + "]"
    if type(value) is dict:
        visit_container()
        if not value:
            return "{}"
        inner = ", ".join(f"{name}: {schema_type_name(item)}" for name, item in value.items())
        return "{ " + inner + " }"
    if isinstance(value, DocValue):
        return "Document"
    return type_name(value)


# -- user documents --------------------------------------------------------------------------------


def create_user_document(
    ctx: Any, session: QuerySession, collection: str, argument: Value, *, plain: bool
) -> UserDoc:
    """``Coll.create(data)`` (``plain``: ``Coll.createData(data)``)."""
    check_writable(ctx, session, "createData" if plain else "create")
    data = expect_data(argument)
    failure_message = f"Failed to create document in collection `{collection}`."
    if plain:
        fields, doc_id, ttl = dict(data), None, None
        failures: list[tuple[list[Any], str]] = []
    else:
        fields, failures, doc_id, ttl = _user_fields(data, allow_id=True)
    key: int | None = None
    if doc_id is not None:
        # FaunaDB settles the id before validating the other fields: its failure is alone.
        try:
            key = parse_document_id(doc_id)
        except _IdFailure as refused:
            raise constraint_failure(failure_message, [(["id"], str(refused))]) from None
    if failures:
        raise constraint_failure(failure_message, failures)
    check_collection_not_redefined(session, collection)
    if key is None:
        key = session.new_id()
    else:
        if session.get(collection, key) is not None:
            raise QueryError(
                "document_id_exists",
                f"Collection `{collection}` already contains document with id {key}.",
            )
    stored: dict[str, Any] = {"data": to_stored(session, fields)}
    if not isinstance(ttl, Time):
        ttl = default_ttl(session, collection)
    if isinstance(ttl, Time):
        stored["ttl"] = ttl
    write_document(
        DocumentWrite(
            session, collection, key, None, stored, "create", explicit_id=doc_id is not None
        )
    )
    return UserDoc(session, collection, key)


NANOS_PER_DAY = 86_400 * 1_000_000_000


def default_ttl(session: QuerySession, collection: str) -> Time | None:
    """The ``ttl`` of a document created without one: creation time plus the collection's
    ``ttl_days``, if it has any."""
    definition = session.get(COLLECTION, collection)
    days = definition.data.get("ttl_days") if definition is not None else None
    if not isinstance(days, (int, float)) or isinstance(days, bool):
        return None
    return Time(session.txn_ts * 1000 + int(days * NANOS_PER_DAY))


def update_user_document(
    ctx: Any, doc: UserDoc, argument: Value, *, replace: bool, plain: bool
) -> UserDoc:
    """``doc.update``/``replace``/``updateData``/``replaceData``."""
    session = doc.session
    method = ("replace" if replace else "update") + ("Data" if plain else "")
    check_writable(ctx, session, method)
    data = expect_data(argument)
    current = doc.require()
    failure_message = (
        f"Failed to update document with id {doc.key} in collection `{doc.collection}`."
    )
    if plain:
        fields, ttl = dict(data), None
        failures: list[tuple[list[Any], str]] = []
    else:
        fields, failures, _, ttl = _user_fields(data, allow_id=False)
    if failures:
        raise constraint_failure(failure_message, failures)
    check_collection_not_redefined(session, doc.collection)
    before = current.data if isinstance(current.data, dict) else {}
    old_fields = before.get("data", {})
    if replace:
        new_fields = to_stored(session, fields)
    else:
        new_fields = to_stored(session, deep_merge(old_fields, stored_patch(session, fields)))
    after: dict[str, Any] = {"data": new_fields}
    old_ttl = before.get("ttl")
    if isinstance(ttl, Time):
        after["ttl"] = ttl
    elif ttl is None and not replace and isinstance(old_ttl, Time):
        after["ttl"] = old_ttl
    write_document(DocumentWrite(session, doc.collection, doc.key, before, after, method.lower()))
    return UserDoc(session, doc.collection, doc.key)


def delete_document(ctx: Any, doc: DocValue) -> DocValue:
    """``doc.delete()`` for a user document: returns the now missing reference."""
    session = doc.session
    check_writable(ctx, session, "delete")
    current = doc.require()
    check_collection_not_redefined(session, doc.collection)
    write_document(DocumentWrite(session, doc.collection, doc.key, current.data, None, "delete"))
    return type(doc)(session, doc.collection, doc.key)


def stored_ref(collection: str, key: DocKey) -> DocRef:
    return DocRef(collection, key)

"""Document values: lazy references to stored documents, as FQL sees them.

A ``DocValue`` is a collection plus a key (the id of an ID document, the name of a schema
document) plus the instant it reads at. Nothing is read when it is made (``Coll(id)``,
``Coll.byId(id)``, a reference stored in another document); each field access reads the
document from the query's transaction. A reference whose document does not exist is FaunaDB's
"null doc": it still answers ``id``/``name``, ``coll`` and ``exists()``, equals ``null``, and
every other use fails with ``document_not_found`` (``missing_error``).

Four classes, because their member tables differ: ``UserDoc`` (documents of user
collections), ``NamedDoc`` (``Collection``, ``Function``, ``Database``, ``Role`` definitions,
identified by name), ``KeyDoc`` (``Key`` and ``Token`` documents, identified by id) and
``CredentialDoc`` (``Credential`` documents, which add ``login`` and ``verify``). Their methods are
registered in ``writes`` and ``schema``.

Stored layout (the data-model's, storage only keeps it): a user document is
``{"data": {...user fields...}, "ttl"?: Time}``; a schema or key document is its definition's
fields in display order, with bookkeeping fields under ``#``-prefixed keys that are never shown.
References are stored as ``DocRef`` and come back as ``DocValue`` reading at the same instant
as the document that holds them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from faunalite.fql.compare import compare
from faunalite.fql.display import debug
from faunalite.fql.errors import QueryError
from faunalite.fql.span import Span
from faunalite.fql.values import ID, TRANSACTION_TIME, Function, Module, StorageValue, Time, Value
from faunalite.model.hash_order import hash_set_order
from faunalite.model.retention import check_read_at
from faunalite.model.session import (
    COLLECTION,
    CREDENTIAL,
    HIDDEN_PREFIX,
    ID_NATIVE_COLLECTIONS,
    NAMED_COLLECTIONS,
    QuerySession,
)
from faunalite.storage.interface import DocKey, DocRef, Document

PERMISSION_DENIED_CAUSE = "permission denied"
"""The ``@ref`` cause of a document the principal's role may not read."""

SPECIAL_FIELD_NAMES = frozenset(
    {"id", "coll", "ts", "data", "ttl", "update", "replace", "delete", "exists"}
    | {"updateData", "replaceData"}
)
"""Field names that collide with document metadata or methods: such user fields are only
reachable (and only shown) under ``data``."""

SPECIAL_FIELDS_SHOWN_ORDER = tuple(hash_set_order(SPECIAL_FIELD_NAMES))
"""The order of the ``data`` object a document shows: FaunaDB builds it by walking
``Tokens.SpecialFieldNames`` (``Schema.scala`` ``toExternalData``), a Scala hash set, in that
set's iteration order (derived from its hashing, not stated by a spec)."""

ComputedFieldResolver = Callable[["UserDoc"], dict[str, Callable[[], Value]]]
COMPUTED_FIELD_RESOLVERS: list[ComputedFieldResolver] = []
"""Hooks giving a user document's computed fields (name → how to compute it), which reads
show at top level after the stored fields (``faunalite.model.constraints`` registers one)."""


class DocValue(StorageValue):
    """Base of document references (see the module docstring). Not instantiated directly."""

    __slots__ = ("collection", "extra", "key", "origin", "pinned", "read_ts", "session")
    order_rank: ClassVar[int] = 6

    def __init__(
        self,
        session: QuerySession,
        collection: str,
        key: DocKey,
        read_ts: int | None = None,
        *,
        extra: dict[str, Value] | None = None,
        origin: Span | None = None,
    ) -> None:
        self.session = session
        self.collection = collection
        self.key = key
        self.read_ts = read_ts
        self.extra = extra
        self.origin = origin
        self.pinned: Document | None = None
        """A fixed version this reference reads, unchecked (a role predicate's argument: the
        version being written)."""

    # -- identity ---------------------------------------------------------------------------

    @property
    def fql_type_name(self) -> str:  # type: ignore[override]
        return self.collection if self.exists() else f"Null{self.collection}"

    @property
    def key_field(self) -> str:
        return "id"

    def key_value(self) -> Value:
        return ID(int(self.key))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DocValue)
            and other.collection == self.collection
            and other.key == self.key
        )

    def __hash__(self) -> int:
        return hash((self.collection, self.key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.collection!r}, {self.key!r})"

    def ref(self) -> DocRef:
        return DocRef(self.collection, self.key)

    # -- reading ----------------------------------------------------------------------------

    def document(self) -> Document | None:
        """The version this reference reads, ``None`` when it does not exist, expired, or
        the principal's role may not read it (see ``faunalite.model.access``)."""
        if self.pinned is not None:
            return self.pinned
        check_read_at(self.session, self.collection, self.read_ts)
        if not self.session.may_read_document(self):
            return None
        found = self.session.get(self.collection, self.key, self.read_ts)
        if found is None or is_expired(self.session, found, self.read_ts):
            return None
        self.session.charge_read(found, self.read_ts)
        return found

    def exists(self) -> bool:
        return self.document() is not None

    def cause(self) -> str:
        """Why the document is missing, in FaunaDB's words (``@ref`` ``cause``)."""
        if not self.session.may_read_document(self):
            return PERMISSION_DENIED_CAUSE
        if self.session.was_deleted(self.collection, self.key):
            return "deleted"
        return "not found"

    def not_found_message(self) -> str:
        return f"Collection `{self.collection}` does not contain document with id {self.key}."

    def missing_error(self) -> QueryError | None:
        if self.exists():
            return None
        if not self.session.may_read_document(self):
            return QueryError("null_value", "Null value, due to permission denied")
        return QueryError("document_not_found", self.not_found_message())

    def require(self) -> Document:
        found = self.document()
        if found is None:
            error = self.missing_error()
            assert error is not None
            raise error
        return found

    def ts_value(self, document: Document) -> Value:
        """``ts``: the placeholder ``TransactionTime()`` for a write of this very query."""
        if document.ts == self.session.txn_ts:
            return TRANSACTION_TIME
        return Time(document.ts * 1000)

    def meta_fields(self, document: Document) -> dict[str, Value]:
        fields: dict[str, Value] = {
            self.key_field: self.key_value(),
            "coll": Module(self.collection),
            "ts": self.ts_value(document),
        }
        if self.extra:
            fields.update(self.extra)
        return fields

    def stored_fields(self, document: Document) -> dict[str, Value]:
        """The fields after the metadata, converted from their stored form."""
        raise NotImplementedError

    def fql_fields(self) -> dict[str, Value]:
        """All fields in FaunaDB's order (``Object.keys(doc)``, output)."""
        document = self.require()
        fields = self.meta_fields(document)
        fields.update(self.stored_fields(document))
        return fields

    def fql_get_field(self, name: str) -> Value | None:
        if name == self.key_field:
            return self.key_value()
        if name == "coll":
            return Module(self.collection)
        document = self.require()
        if name == "ts":
            return self.ts_value(document)
        if self.extra and name in self.extra:
            return self.extra[name]
        return self.stored_fields(document).get(name)

    # -- comparison and rendering -----------------------------------------------------------

    def fql_equals(self, other: Value) -> bool:
        return isinstance(other, DocValue) and self.__eq__(other)

    def fql_compare(self, other: Value) -> int | None:
        if not isinstance(other, DocValue):
            return None
        by_collection = compare(self.collection, other.collection)
        if by_collection:
            return by_collection
        return compare(self.key_value(), other.key_value())

    def fql_debug(self, nested: bool) -> str:
        if nested or not self.exists():
            return f"[doc {self.key} in {self.collection}]"
        return debug(self.fql_fields(), True)

    def fql_display(self) -> str:
        return self.fql_debug(False)

    def from_stored(self, value: Any) -> Value:
        return from_stored(self.session, value, self.read_ts)


class UserDoc(DocValue):
    """A document of a user collection."""

    __slots__ = ()

    def collection_deleted(self) -> bool:
        """Whether the collection is gone: its documents then read as missing for that reason
        (``@ref`` cause ``collection deleted``)."""
        return self.session.get(COLLECTION, self.collection, self.read_ts) is None

    def cause(self) -> str:
        if self.session.may_read(self.collection) and self.collection_deleted():
            return "collection deleted"
        return super().cause()

    def not_found_message(self) -> str:
        if self.collection_deleted():
            reason = "because the collection was deleted"
            return f"Document with id {self.key} does not exist {reason}."
        return super().not_found_message()

    def user_data(self, document: Document) -> dict[str, Value]:
        data = document.data.get("data", {}) if isinstance(document.data, dict) else {}
        converted = self.from_stored(data)
        assert isinstance(converted, dict)
        return converted

    def meta_fields(self, document: Document) -> dict[str, Value]:
        fields = super().meta_fields(document)
        ttl = document.data.get("ttl") if isinstance(document.data, dict) else None
        if isinstance(ttl, Time):
            fields["ttl"] = ttl
        return fields

    def user_fields(self, document: Document) -> dict[str, Value]:
        """The stored user fields shown at top level (without computed fields)."""
        data = self.user_data(document)
        return {name: value for name, value in data.items() if name not in SPECIAL_FIELD_NAMES}

    def stored_fields(self, document: Document) -> dict[str, Value]:
        """User fields, computed fields, then (if any) ``data`` holding the user fields whose
        names collide with metadata or methods, as FaunaDB shows a document."""
        fields = self.user_fields(document)
        for resolve in COMPUTED_FIELD_RESOLVERS:
            for name, compute in resolve(self).items():
                fields[name] = compute()
        data = self.user_data(document)
        special = {name: data[name] for name in SPECIAL_FIELDS_SHOWN_ORDER if name in data}
        if special:
            fields["data"] = special
        return fields

    def fql_get_field(self, name: str) -> Value | None:
        if name == "data":
            return self.user_data(self.require())
        if name == "ttl":
            document = self.require()
            ttl = document.data.get("ttl") if isinstance(document.data, dict) else None
            return ttl if isinstance(ttl, Time) else None
        for resolve in COMPUTED_FIELD_RESOLVERS:
            compute = resolve(self).get(name)
            if compute is not None:
                self.require()
                return compute()
        if name in ("id", "coll", "ts") or (self.extra and name in self.extra):
            return super().fql_get_field(name)
        # Only the asked field: computing every computed field here would recurse when a
        # computed body reads a stored field.
        return self.user_fields(self.require()).get(name)


class NamedDoc(DocValue):
    """A schema document (``Collection``, ``Function``, ``Database``, ``Role``), by name."""

    __slots__ = ()

    @property
    def key_field(self) -> str:
        return "name"

    def key_value(self) -> Value:
        return str(self.key)

    def not_found_message(self) -> str:
        return f"{self.collection} `{self.key}` not found."

    def stored_fields(self, document: Document) -> dict[str, Value]:
        return _visible(self, document, skip=("name",))

    def fql_debug(self, nested: bool) -> str:
        if nested or not self.exists():
            return f"[{self.collection.lower()} {self.key}]"
        return debug(self.fql_fields(), True)


class KeyDoc(DocValue):
    """A ``Key``, ``Token`` or ``Credential`` document, by id."""

    __slots__ = ()

    def stored_fields(self, document: Document) -> dict[str, Value]:
        return _visible(self, document, skip=())


class CredentialDoc(KeyDoc):
    """A ``Credential`` document: a ``KeyDoc`` that also answers ``login`` and ``verify``."""

    __slots__ = ()


def _visible(doc: DocValue, document: Document, skip: tuple[str, ...]) -> dict[str, Value]:
    data = document.data if isinstance(document.data, dict) else {}
    return {
        name: doc.from_stored(value)
        for name, value in data.items()
        if not name.startswith(HIDDEN_PREFIX) and name not in skip
    }


def is_expired(session: QuerySession, document: Document, read_ts: int | None) -> bool:
    """Whether ``document`` is past its ``ttl`` at the instant it is read (``read_ts``, or the
    query's time): FaunaDB treats it as non-existent from then on."""
    return expired_at(document, session.txn_ts if read_ts is None else read_ts)


def expired_at(document: Document, micros: int) -> bool:
    """Whether ``document`` is past its ``ttl`` at ``micros`` (a storage timestamp)."""
    ttl = document.data.get("ttl") if isinstance(document.data, dict) else None
    return isinstance(ttl, Time) and ttl.epoch_ns <= micros * 1000


def make_doc(
    session: QuerySession, collection: str, key: DocKey, read_ts: int | None = None
) -> DocValue:
    """The reference of the right class for a document of ``collection``."""
    if collection in NAMED_COLLECTIONS:
        return NamedDoc(session, collection, key, read_ts)
    if collection == CREDENTIAL:
        return CredentialDoc(session, collection, key, read_ts)
    if collection in ID_NATIVE_COLLECTIONS:
        return KeyDoc(session, collection, key, read_ts)
    return UserDoc(session, collection, key, read_ts)


def from_stored(session: QuerySession, value: Any, read_ts: int | None) -> Value:
    """Stored data → FQL values: references become documents reading at ``read_ts``."""
    kind = type(value)
    if kind is dict:
        return {name: from_stored(session, item, read_ts) for name, item in value.items()}
    if kind is list:
        return [from_stored(session, item, read_ts) for item in value]
    if kind is DocRef:
        return make_doc(session, value.collection, value.id, read_ts)
    return value


def is_member(session: QuerySession, value: Value, module_name: str) -> bool | None:
    """``isa`` for storage modules: ``Doc``, a user collection, a native collection."""
    if module_name == "Doc":
        return isinstance(value, DocValue)
    if module_name == "Object" and isinstance(value, DocValue):
        return True
    if isinstance(value, DocValue):
        if value.collection == module_name:
            return value.exists()
        if module_name in NAMED_COLLECTIONS or module_name in ID_NATIVE_COLLECTIONS:
            return False
        if session.module_table(module_name) is not None:
            return False
        return None
    if module_name == "Function" and isinstance(value, Function):
        return True
    return None

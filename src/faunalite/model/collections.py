"""Collections: the ``Collection`` native module, user collection modules and scans.

``Collection.create({ name: "Dogs" })`` stores a definition document (``schema``); in later
queries ``Dogs`` is a global whose static members are ``create``, ``createData``, ``byId``,
``Dogs(id)``, ``all``, ``where``, ``firstWhere``, ``definition`` and ``toString`` (plus one method
per index, added by whoever registers a ``COLLECTION_TABLE_EXTENSIONS`` hook). Globals are
resolved from the schema as it was when the query started, so a collection is never usable in
the query that created it, as in FaunaDB.

``DocumentScanSource`` is the ``SetSource`` of ``Coll.all()`` and of the native ``X.all()``:
documents in key order, read in batches, at the instant the set was made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_string, invalid_argument, wrong_type
from faunalite.fql.stdlib.registry import TypeTable, module
from faunalite.fql.values import ID, INT64_MAX, NULL, Module, Null, Value, is_int
from faunalite.model.collection_schema import schema_failures
from faunalite.model.documents import DocValue, NamedDoc, UserDoc, is_expired, make_doc
from faunalite.model.field_types import definition_failures
from faunalite.model.retention import check_read_at
from faunalite.model.schema import (
    ARRAY,
    BOOLEAN,
    NUMBER,
    OBJECT,
    STRING,
    Failures,
    NativeSpec,
    alias_failures,
    create_native,
    names_at_start,
    register_spec,
)
from faunalite.model.session import (
    COLLECTION,
    QuerySession,
    add_global_resolver,
    add_table_resolver,
    created_in_this_query_hints,
    session_of,
)
from faunalite.model.set_sources import Position, StreamRoot
from faunalite.model.writes import create_user_document
from faunalite.storage.interface import DocKey

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext

SCAN_BATCH = 64
"""Documents read from storage at a time by a scan."""


# -- the Collection native collection ------------------------------------------------------------


def _collection_defaults() -> dict[str, Any]:
    return {"history_days": 0, "indexes": {}, "constraints": []}


def _validate_collection(
    session: QuerySession, stored: dict[str, Any], old: DocValue | None
) -> Failures:
    return (
        schema_failures(stored)
        + definition_failures(stored)
        + alias_failures(session, COLLECTION_SPEC, stored, old)
    )


def _rename_collection(session: QuerySession, old: str, new: str, stored: dict[str, Any]) -> None:
    session.txn.rename_collection(session.scope, old, new)


def _drop_collection(session: QuerySession, doc: DocValue, stored: dict[str, Any]) -> None:
    session.txn.drop_collection(session.scope, str(doc.key))


COLLECTION_SPEC = register_spec(
    NativeSpec(
        COLLECTION,
        {
            "alias": STRING,
            "computed_fields": OBJECT,
            "fields": OBJECT,
            "migrations": ARRAY,
            "wildcard": STRING,
            "history_days": NUMBER,
            "ttl_days": NUMBER,
            "document_ttls": BOOLEAN,
            "indexes": OBJECT,
            "constraints": ARRAY,
            "data": OBJECT,
        },
        "CollectionDef",
        # FaunaDB's type of `Collection.create`'s argument.
        "{ name: String, alias: String | Null,"
        " computed_fields: { *: { body: String, signature: String | Null } } | Null,"
        " fields: { *: { signature: String, default: String | Null } } | Null,"
        " migrations: Array<{ backfill: { field: String, value: String } }"
        " | { drop: { field: String } } | { split: { field: String, to: Array<String> } }"
        " | { move: { field: String, to: String } } | { add: { field: String } }"
        " | { move_conflicts: { into: String } } | { move_wildcard: { into: String } }"
        " | { add_wildcard: {} }> | Null,"
        " wildcard: String | Null, history_days: Number | Null, ttl_days: Number | Null,"
        " document_ttls: Boolean | Null,"
        " indexes: { *: { terms: Array<{ field: String, mva: Boolean | Null }> | Null,"
        ' values: Array<{ field: String, mva: Boolean | Null, order: "asc" | "desc" | Null }>'
        " | Null, queryable: Boolean | Null } } | Null,"
        " constraints: Array<{ unique: Array<String> | Array<{ field: String, mva: Boolean | Null }> }"
        " | { check: { name: String, body: String } }> | Null,"
        " data: { *: Any } | Null }",
        defaults=_collection_defaults,
        validate=_validate_collection,
        on_rename=_rename_collection,
        on_delete=_drop_collection,
    )
)


# -- scans ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentScanSource:
    """Documents of one storage collection in key order (``Coll.all()``, ``Key.all()``).

    ``read_ts`` is the instant the set was made at (``None``: the reading query's view, which
    cursor code may move with ``reading_at``). ``start``/``end`` are inclusive key bounds.
    """

    collection: str
    read_ts: int | None = None
    start: DocKey | None = None
    end: DocKey | None = None
    label: str = ""

    def elements(
        self, ctx: QueryContext, after: Position | None, reverse: bool
    ) -> Iterator[tuple[Position, Value]]:
        session = session_of(ctx)
        if not session.set_is_readable(self.collection):
            return
        at_ts = self.read_ts if self.read_ts is not None else session.read_ts
        check_read_at(session, self.collection, at_ts)
        while True:
            page = session.txn.scan(
                session.scope,
                self.collection,
                start=self.start,
                end=self.end,
                after=after,
                reverse=reverse,
                limit=SCAN_BATCH,
                at_ts=at_ts,
            )
            session.charge_page_read()
            for document in page:
                if is_expired(session, document, at_ts):
                    continue
                session.charge_read(document, at_ts)
                doc = make_doc(session, self.collection, document.key, at_ts)
                if session.user_role is not None and not session.may_read_document(doc):
                    continue  # a user role's Set skips the documents it may not read
                yield document.key, doc
            if len(page) < SCAN_BATCH:
                return
            after = page[-1].key

    def describe(self) -> str:
        return self.label or f"{self.collection}.all()"

    @property
    def stream_root(self) -> StreamRoot | None:
        return StreamRoot.COLLECTION if self.start is None and self.end is None else None


def _set_method(ctx: Any, value: Value, name: str, args: list[Value]) -> Value:
    from faunalite.fql.stdlib.registry import PROTOTYPES

    method = PROTOTYPES[type(value)].methods[name]
    return method.impl(ctx, value, *args)


def _range_bound(session: QuerySession, collection: str, bound: Value) -> DocKey | None:
    if isinstance(bound, Null):
        return None
    if isinstance(bound, DocValue):
        return bound.key
    return parse_id_argument(bound)


def scan_set(ctx: Any, collection: str, label: str, range_arg: Value = None) -> Value:
    """The Set of ``collection``'s documents, optionally within ``{ from, to }``."""
    from faunalite.model.sets import set_from_source

    session = session_of(ctx)
    session.set_is_readable(collection)
    start = end = None
    if range_arg is not None:
        if type(range_arg) is not dict or not set(range_arg) <= {"from", "to"} or not range_arg:
            raise invalid_argument(
                "range",
                "should be an object contining `{ from }`, `{ to }`, or `{ from, to }` fields",
            )
        start = _range_bound(session, collection, range_arg.get("from", NULL))
        end = _range_bound(session, collection, range_arg.get("to", NULL))
    source = DocumentScanSource(collection, session.read_ts, start, end, label)
    return set_from_source(source)


def parse_id_argument(value: Value) -> int:
    """A document id argument: an ID, an integer or a string of digits."""
    if isinstance(value, ID):
        return value.value
    if is_int(value) and value >= 0:
        return int(value)
    if type(value) is str:
        text = value.strip()
        # ASCII digits only (``"²".isdigit()`` holds, yet ``int("²")`` fails) and within a
        # Long, as ``ID()`` reads them.
        if text.isascii() and text.isdigit() and int(text) <= INT64_MAX:
            return int(text)
        raise QueryError("invalid_id", f'`"{value}"` is not a valid ID.')
    raise wrong_type("id", "ID", value)


# -- user collections as globals ---------------------------------------------------------------------


def _definitions_at_start(session: QuerySession) -> dict[str, str]:
    """Name and alias → collection name, as of the query's start."""
    return names_at_start(session, COLLECTION, "collections_at_start", lambda doc: str(doc.key))


def user_collection_name(session: QuerySession, name: str) -> str | None:
    """The collection a global ``name`` (name or alias) denotes, as of the query's start."""
    return _definitions_at_start(session).get(name)


def _resolve_collection(session: QuerySession, name: str) -> Value | None:
    collection = user_collection_name(session, name)
    return Module(collection) if collection is not None else None


TableExtension = Callable[[QuerySession, str, TypeTable], None]
COLLECTION_TABLE_EXTENSIONS: list[TableExtension] = []
"""Hooks that add members to a user collection's table (index methods)."""

RANGE_TYPE = "{ from: Any } | { to: Any } | { from: Any, to: Any }"
"""FaunaDB's type of the ``range`` argument of ``all()`` and index methods."""


def set_member_signatures(document_type: str) -> dict[str, str]:
    """FaunaDB's types of ``all``/``where``/``firstWhere``/``toString`` on a collection module
    whose documents have type ``document_type``."""
    documents = f"Set<{document_type}>"
    return {
        "all": f"(() => {documents}) & ((range: {RANGE_TYPE}) => {documents})",
        "where": f"(pred: ({document_type} => Boolean)) => {documents}",
        "firstWhere": f"(pred: ({document_type} => Boolean)) => {document_type} | Null",
        "toString": "() => String",
    }


def index_method_signature(document_type: str, term_count: int) -> str:
    """FaunaDB's type of an index method: its terms (``term1``...), then an optional range.
    FaunaDB types each term as the indexed field's type; here every term is ``Any``."""
    terms = [f"term{number}: Any" for number in range(1, term_count + 1)]
    without_range = ", ".join(terms)
    with_range = ", ".join([*terms, f"range: {RANGE_TYPE}"])
    documents = f"Set<{document_type}>"
    return f"(({without_range}) => {documents}) & (({with_range}) => {documents})"


USER_COLLECTION = TypeTable(
    "UserCollection", self_type="<Doc, NullDoc> UserCollection<Doc, NullDoc>"
)
"""The static members every user collection module has (copied per collection). Its
signatures are generic in the collection's document type ``Doc`` (FaunaDB's ``User`` for a
collection ``User``) and null-document type ``NullDoc`` (``NullUser``)."""

_USER_SET_SIGNATURES = set_member_signatures("Doc")


def _collection_table(session: QuerySession, name: str) -> TypeTable | None:
    if name not in _definitions_at_start(session).values():
        return None
    table = TypeTable(
        name,
        fields=dict(USER_COLLECTION.fields),
        methods=dict(USER_COLLECTION.methods),
        apply=USER_COLLECTION.apply,
        self_type=USER_COLLECTION.self_type,
        field_signatures=dict(USER_COLLECTION.field_signatures),
    )
    table.field("definition", signature="CollectionDef")(
        lambda coll: NamedDoc(session, COLLECTION, name, session.read_ts)
    )
    for extend in COLLECTION_TABLE_EXTENSIONS:
        extend(session, name, table)
    return table


add_global_resolver(_resolve_collection)
add_table_resolver(_collection_table)


# FaunaDB derives `create`'s and `createData`'s argument types from the collection's schema;
# these are the types it gives a collection without defined fields (any field but `data`).
@USER_COLLECTION.method(
    "create", 1, signature="(data: { id: ID | Null, ttl: Time | Null, data: Null, *: Any }) => Doc"
)
def _create(ctx: Any, coll: Module, data: Value) -> Value:
    return create_user_document(ctx, session_of(ctx), coll.name, data, plain=False)


@USER_COLLECTION.method("createData", 1, signature="(data: { *: Any }) => Doc")
def _create_data(ctx: Any, coll: Module, data: Value) -> Value:
    return create_user_document(ctx, session_of(ctx), coll.name, data, plain=True)


@USER_COLLECTION.method("byId", 1, signature="(id: ID) => Ref<Doc>")
def _by_id(ctx: Any, coll: Module, doc_id: Value) -> Value:
    session = session_of(ctx)
    return UserDoc(session, coll.name, parse_id_argument(doc_id), session.read_ts)


@USER_COLLECTION.callable(1, signature="(id: ID) => Ref<Doc>")
def _apply(ctx: Any, coll: Module, doc_id: Value) -> Value:
    return _by_id(ctx, coll, doc_id)


@USER_COLLECTION.method("all", (0, 1), signature=_USER_SET_SIGNATURES["all"])
def _all(ctx: Any, coll: Module, range_arg: Value = None) -> Value:
    return scan_set(ctx, coll.name, f"{coll.name}.all()", range_arg)


@USER_COLLECTION.method("where", 1, signature=_USER_SET_SIGNATURES["where"])
def _where(ctx: Any, coll: Module, predicate: Value) -> Value:
    return _set_method(ctx, scan_set(ctx, coll.name, f"{coll.name}.all()"), "where", [predicate])


@USER_COLLECTION.method("firstWhere", 1, signature=_USER_SET_SIGNATURES["firstWhere"])
def _first_where(ctx: Any, coll: Module, predicate: Value) -> Value:
    whole = scan_set(ctx, coll.name, f"{coll.name}.all()")
    return _set_method(ctx, whole, "firstWhere", [predicate])


@USER_COLLECTION.method("toString", 0, signature=_USER_SET_SIGNATURES["toString"])
def _to_string(ctx: Any, coll: Module) -> Value:
    return coll.name


# -- native modules -----------------------------------------------------------------------------


def schema_module(
    spec: NativeSpec, kind: str, find: Callable[[QuerySession, str], Value | None]
) -> TypeTable:
    """The module of a schema collection (``Collection``, ``Function``): ``create``, ``byName``,
    the set methods, and ``X("name")``, which returns ``find(session, name)``, the ``kind``
    (``collection``, ``function``) that name denotes as of the query's start."""
    table = module(spec.collection, f"{spec.collection}Collection")

    def create(ctx: Any, receiver: Module, data: Value) -> Value:
        return create_native(ctx, session_of(ctx), spec, data)

    def by_name(ctx: Any, receiver: Module, name: Value) -> Value:
        session = session_of(ctx)
        session.require_read(spec.collection)
        return NamedDoc(session, spec.collection, expect_string(name, "name"), session.read_ts)

    def apply(ctx: Any, receiver: Module, name: Value) -> Value:
        session = session_of(ctx)
        text = expect_string(name, kind)
        found = find(session, text)
        if found is None:
            error = invalid_argument(kind, f"No such user {kind} `{text}`.")
            error.hints = created_in_this_query_hints(ctx, session, spec.collection, text)
            raise error
        return found

    document = spec.document_type
    table.method("create", 1, signature=f"(data: {spec.create_type}) => {document}")(create)
    table.method("byName", 1, signature=f"(name: String) => NamedRef<{document}>")(by_name)
    table.callable(1, signature=f"({kind}: String) => Any")(apply)
    native_set_methods(table, spec)
    return table


def native_set_methods(table: TypeTable, spec: NativeSpec) -> None:
    """``all``/``where``/``firstWhere``/``toString`` on a native collection module."""
    collection = spec.collection
    signatures = set_member_signatures(spec.document_type)

    def all_(ctx: Any, receiver: Module, range_arg: Value = None) -> Value:
        return scan_set(ctx, collection, f"{collection}.all()", range_arg)

    def where(ctx: Any, receiver: Module, predicate: Value) -> Value:
        return _set_method(ctx, all_(ctx, receiver), "where", [predicate])

    def first_where(ctx: Any, receiver: Module, predicate: Value) -> Value:
        return _set_method(ctx, all_(ctx, receiver), "firstWhere", [predicate])

    def to_string(ctx: Any, receiver: Module) -> Value:
        return collection

    table.method("all", (0, 1), signature=signatures["all"])(all_)
    table.method("where", 1, signature=signatures["where"])(where)
    table.method("firstWhere", 1, signature=signatures["firstWhere"])(first_where)
    table.method("toString", 0, signature=signatures["toString"])(to_string)


COLLECTION_MODULE = schema_module(COLLECTION_SPEC, "collection", _resolve_collection)

"""User indexes and unique constraints: kept up to date on every write, queried as methods.

* Definitions: the ``Collection`` write hook echoes an index with ``queryable``/``status`` and
  a unique constraint with ``status``, and once the definition is written it (re)builds every
  index whose shape changed over the collection's documents and drops the ones that went away.
  Building is synchronous, so an index is complete as soon as its definition commits.
* Documents: ``_maintain`` (a ``BEFORE_WRITE`` hook) computes a document's complete set of
  entries (storage replaces them all on each put), refuses writes to computed fields, and
  checks unique constraints with ``unique_conflicts`` before anything is written.
* Queries: each index of a collection (as defined when the query started) becomes a method
  ``Coll.name(term1, …, termN[, { from, to }])`` returning a Set backed by ``IndexSource``,
  which pages through ``index_scan`` and never scans the collection.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faunalite.fql.display import debug
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import invalid_argument
from faunalite.fql.stdlib.registry import TypeTable
from faunalite.fql.values import ID, INT64_MIN, NULL, Module, Null, Value
from faunalite.model.collection_schema import (
    CollectionSchema,
    IndexDef,
    normalized_definition,
    parse_schema,
)
from faunalite.model.collections import COLLECTION_TABLE_EXTENSIONS, index_method_signature
from faunalite.model.documents import DocValue, is_expired, make_doc
from faunalite.model.retention import check_read_at
from faunalite.model.session import (
    COLLECTION,
    QuerySession,
    is_user_collection,
    session_of,
)
from faunalite.model.set_sources import Position, StreamRoot
from faunalite.model.writes import AFTER_WRITE, BEFORE_WRITE, DocumentWrite, cast_id, to_stored
from faunalite.storage.interface import DocKey, IndexPosition, StoredValue, iter_pages

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext

INDEX_BATCH = 64
"""Index hits read from storage at a time."""
BUILD_BATCH = 256
"""Documents read at a time while building an index."""

_SCHEMAS_KEY = "collection_schemas"
_SCHEMAS_AT_START_KEY = "collection_schemas_at_start"
_SCHEMAS_BY_VERSION_KEY = "collection_schemas_by_version"

UNIQUE_FAILURE = "Failed unique constraint"
COMPUTED_WRITE_FAILURE = "Cannot write to a computed field"
RANGE_SHAPE = "should be an object contining `{ from }`, `{ to }`, or `{ from, to }` fields"


# -- parsed definitions, memoised per query -----------------------------------------------------


def collection_schema(
    session: QuerySession, collection: str, *, at_start: bool = False
) -> CollectionSchema | None:
    """The declarations of ``collection`` now (or when the query started)."""
    key = _SCHEMAS_AT_START_KEY if at_start else _SCHEMAS_KEY
    cache: dict[str, CollectionSchema | None] = session.cache.setdefault(key, {})
    if collection not in cache:
        found = (
            session.get_at_start(COLLECTION, collection)
            if at_start
            else session.get(COLLECTION, collection)
        )
        stored = found.data if found is not None and isinstance(found.data, dict) else None
        if found is None or stored is None:
            cache[collection] = None
        elif found.ts < session.txn_ts:
            # A committed version never changes, so the schema now and at the start (the same
            # version unless this query redefined the collection) is parsed once.
            by_version: dict[tuple[str, int], CollectionSchema] = session.cache.setdefault(
                _SCHEMAS_BY_VERSION_KEY, {}
            )
            version = (collection, found.ts)
            if version not in by_version:
                by_version[version] = parse_schema(stored)
            cache[collection] = by_version[version]
        else:
            cache[collection] = parse_schema(stored)
    return cache[collection]


# -- write hooks ---------------------------------------------------------------------------------


def write_failure_message(write: DocumentWrite) -> str:
    """FaunaDB's summary of a failed document write (``replace`` also says "update")."""
    if write.action == "create":
        return f"Failed to create document in collection `{write.collection}`."
    return f"Failed to update document with id {write.key} in collection `{write.collection}`."


def _maintain(write: DocumentWrite) -> None:
    """``BEFORE_WRITE``: echo definitions, compute entries, refuse computed and duplicates."""
    if write.collection == COLLECTION:
        write.session.cache.pop(_SCHEMAS_KEY, None)
        if isinstance(write.after, dict):
            write.after = normalized_definition(write.after)
        return
    if write.after is None or not is_user_collection(write.collection):
        return
    schema = collection_schema(write.session, write.collection)
    if schema is None or schema.is_empty:
        return
    _refuse_computed_writes(write, schema)
    session = write.session
    for index in schema.storage_indexes():
        write.index_entries[index.storage_name] = index.entries(
            write.key, write.after, session.txn_ts
        )
    for index, paths in schema.uniques:
        for entry in write.index_entries[index.storage_name]:
            conflicts = session.txn.unique_conflicts(
                session.scope, write.collection, index.storage_name, entry.terms, exclude=write.key
            )
            if conflicts:
                # Unlike other constraint failures, FaunaDB's message does not name the
                # write: it is always "Failed unique constraint." (WriteBroker).
                raise QueryError(
                    "constraint_failure",
                    UNIQUE_FAILURE + ".",
                    constraint_failures=[{"paths": paths, "message": UNIQUE_FAILURE}],
                )


def _refuse_computed_writes(write: DocumentWrite, schema: CollectionSchema) -> None:
    if not schema.computed:
        return
    new_fields = write.after.get("data", {}) if isinstance(write.after, dict) else {}
    old_fields = write.before.get("data", {}) if isinstance(write.before, dict) else {}
    written = [
        name
        for name in schema.computed
        if name in new_fields and old_fields.get(name) != new_fields[name]
    ]
    if written:
        raise QueryError(
            "constraint_failure",
            write_failure_message(write),
            constraint_failures=[
                {"paths": [[name]], "message": COMPUTED_WRITE_FAILURE} for name in written
            ],
        )


def _rebuild_changed_indexes(write: DocumentWrite) -> None:
    """``AFTER_WRITE`` on ``Collection``: bring storage in line with the new definition."""
    if write.collection != COLLECTION or write.after is None:
        return
    session = write.session
    collection = str(write.key)
    new = {index.storage_name: index for index in parse_schema(write.after).storage_indexes()}
    old: dict[str, IndexDef] = {}
    if isinstance(write.before, dict):
        old = {index.storage_name: index for index in parse_schema(write.before).storage_indexes()}
    for name, index in old.items():
        if name not in new or new[name].shape != index.shape:
            session.txn.drop_index(session.scope, collection, name)
    to_build = [
        index for name, index in new.items() if name not in old or old[name].shape != index.shape
    ]
    if to_build:
        build_indexes(session, collection, to_build)


def build_indexes(session: QuerySession, collection: str, indexes: list[IndexDef]) -> None:
    """Index every live document of ``collection`` in ``indexes`` (a full scan, by design)."""
    txn = session.txn

    def fetch(after: DocKey | None, size: int) -> list[Any]:
        return txn.scan(session.scope, collection, after=after, limit=size)

    for document in iter_pages(fetch, lambda doc: doc.key, BUILD_BATCH):
        for index in indexes:
            entries = index.entries(document.key, document.data, document.ts)
            txn.set_index_entries(
                session.scope, collection, index.storage_name, document.key, entries
            )


BEFORE_WRITE.append(_maintain)
AFTER_WRITE.append(_rebuild_changed_indexes)


# -- index sets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexSource:
    """The documents an index call selects, in index order (a ``SetSource``).

    ``lower``/``upper`` bound the covered values (inclusive, prefixes allowed); for an index
    without values ``key_lower``/``key_upper`` bound the document ids instead.
    """

    collection: str
    index: str
    terms: tuple[StoredValue, ...]
    descending: tuple[bool, ...]
    label: str
    read_ts: int | None = None
    ranged: bool = False
    lower: tuple[StoredValue, ...] | None = None
    upper: tuple[StoredValue, ...] | None = None
    key_lower: DocKey | None = None
    key_upper: DocKey | None = None

    def elements(
        self, ctx: QueryContext, after: Position | None, reverse: bool
    ) -> Iterator[tuple[Position, Value]]:
        session = session_of(ctx)
        if not session.set_is_readable(self.collection):
            return
        at_ts = self.read_ts if self.read_ts is not None else session.read_ts
        check_read_at(session, self.collection, at_ts)
        position: IndexPosition | None = after
        while True:
            hits = session.txn.index_scan(
                session.scope,
                self.collection,
                self.index,
                self.terms,
                descending=self.descending,
                lower=self.lower,
                upper=self.upper,
                key_lower=self.key_lower,
                key_upper=self.key_upper,
                after=position,
                reverse=reverse,
                limit=INDEX_BATCH,
                at_ts=at_ts,
            )
            session.charge_page_read()
            for hit in hits:
                # Entries of an expired document stay until it is written again; FaunaDB
                # treats such a document as gone, so the set skips it.
                found = session.get(self.collection, hit.key, at_ts)
                if found is None or is_expired(session, found, at_ts):
                    continue
                session.charge_read(found, at_ts)
                doc = make_doc(session, self.collection, hit.key, at_ts)
                if session.user_role is not None and not session.may_read_document(doc):
                    continue  # a user role's Set skips the documents it may not read
                yield hit.position, doc
            if len(hits) < INDEX_BATCH:
                return
            position = hits[-1].position

    def describe(self) -> str:
        return self.label

    @property
    def stream_root(self) -> StreamRoot | None:
        return None if self.ranged else StreamRoot.INDEX


def _lookup_term(session: QuerySession, value: Value, position: int) -> StoredValue:
    try:
        return to_stored(session, value)
    except QueryError:
        raise invalid_argument(
            f"term{position}", "Argument cannot be used as lookup term"
        ) from None


_ID_BOUND_MIN = ID(INT64_MIN)
"""Where a ``null`` bound on a covered ``id`` sits: before every document id."""
_ID_BOUND_MAX = NULL
"""Where a bound on a covered ``id`` that is no id sits: after every document id (the key of
null sorts after every ID, and a covered ``id`` is never null)."""


def _value_bound(
    session: QuerySession, index: IndexDef, name: str, bound: Value
) -> tuple[StoredValue, ...]:
    """A range bound on covered values, as FaunaDB's ``collectRange`` builds it
    (``CollectionIndexMethod.scala``): a value is a one-value prefix; an array is a prefix of
    the covered values, except when the index covers one value, where it is that value (with a
    null appended for ``to``, so that it takes in the arrays it begins). ``null`` is a value
    like any other (the greatest); on a covered ``id`` it is below every id, an ID-like value
    is that id and anything else is above every id."""
    if type(bound) is list and len(index.values) == 1:
        items: list[Value] = [[*bound, NULL] if name == "to" else bound]
    elif type(bound) is list:
        items = bound
    else:
        items = [bound]
    if len(items) > len(index.values):
        raise invalid_argument(
            "range", f"The field `{name}` can have at most {len(index.values)} values"
        )
    prefix: list[StoredValue] = []
    for item, covered in zip(items, index.values, strict=False):
        if covered.path == ("id",):
            prefix.append(_id_bound(item))
            continue
        try:
            prefix.append(to_stored(session, item))
        except QueryError:
            raise invalid_argument(
                "range",
                f"The `{name}` field should be either an indexable value or an array of values",
            ) from None
    return tuple(prefix)


def _id_bound(item: Value) -> StoredValue:
    if isinstance(item, DocValue):
        return ID(int(item.key))
    if isinstance(item, Null):
        return _ID_BOUND_MIN
    number = cast_id(item)
    return _ID_BOUND_MAX if number is None else ID(number)


def _key_bound(name: str, bound: Value) -> DocKey:
    """A range bound of an index without values: a document or its id."""
    if isinstance(bound, DocValue):
        return bound.key
    number = cast_id(bound)
    if number is None:
        raise invalid_argument("range", f"The `{name}` field must be a document id.")
    return number


def index_call(ctx: Any, coll: Module, index: IndexDef, args: list[Value]) -> Value:
    """``Coll.index(term1, …, termN[, range])``."""
    from faunalite.model.sets import set_from_source

    session = session_of(ctx)
    session.set_is_readable(coll.name)
    if not index.queryable:
        raise QueryError(
            "invalid_index_invocation", f"The index `{coll.name}.{index.name}` is not queryable."
        )
    count = len(index.terms)
    terms = tuple(_lookup_term(session, arg, n + 1) for n, arg in enumerate(args[:count]))
    label = f"{coll.name}.{index.name}({', '.join(debug(arg) for arg in args)})"
    source = IndexSource(
        coll.name, index.storage_name, terms, index.descending, label, session.read_ts
    )
    if len(args) > count:
        source = _with_range(session, source, index, args[count])
    return set_from_source(source)


def _with_range(
    session: QuerySession, source: IndexSource, index: IndexDef, range_arg: Value
) -> IndexSource:
    if type(range_arg) is not dict or not range_arg or not set(range_arg) <= {"from", "to"}:
        raise invalid_argument("range", RANGE_SHAPE)
    start = range_arg.get("from")
    end = range_arg.get("to")
    fields: dict[str, Any] = {}
    if index.values:
        fields["lower"] = None if start is None else _value_bound(session, index, "from", start)
        fields["upper"] = None if end is None else _value_bound(session, index, "to", end)
    else:
        fields["key_lower"] = None if start is None else _key_bound("from", start)
        fields["key_upper"] = None if end is None else _key_bound("to", end)
    return IndexSource(
        source.collection,
        source.index,
        source.terms,
        source.descending,
        source.label,
        source.read_ts,
        True,
        **fields,
    )


def _add_index_methods(session: QuerySession, collection: str, table: TypeTable) -> None:
    """One method per index of the collection as it was defined when the query started."""
    schema = collection_schema(session, collection, at_start=True)
    if schema is None:
        return
    for index in schema.indexes.values():
        if table.has_member(index.name):
            continue
        count = len(index.terms)

        def call(ctx: Any, coll: Module, *args: Value, _index: IndexDef = index) -> Value:
            return index_call(ctx, coll, _index, list(args))

        signature = index_method_signature("Doc", count)
        table.method(index.name, (count, count + 1), signature=signature)(call)


COLLECTION_TABLE_EXTENSIONS.append(_add_index_methods)

"""Schema documents: the native collections whose documents define the database.

``Collection``, ``Function`` and ``Role`` documents are schema (identified by ``name``, their
changes bump the schema version); ``Database`` and ``Key`` documents are native documents
managed the same way. Each native collection is described by a ``NativeSpec``: which fields its
documents accept (and of what type), the defaults ``create`` fills in, extra validation, and
the side effects a write has on storage (creating a child database, renaming a collection's
documents...). ``create_native``/``update_native``/``delete_native`` apply a spec; every write
ends in ``writes.write_document``.

Validation follows FaunaDB: unknown fields → ``Unexpected field provided``, wrong types →
``Expected <T>, provided <U>``, a missing name → ``Missing required field of type String``,
names must be identifiers (databases and roles too: ``is_valid_name``) and must not clash with
FQL's own globals or other schema items (``The identifier `X` is reserved.``). Failures are ``constraint_failure`` errors summarised as
``Failed to create <Coll>.`` / ``Failed to update <Coll> `<name>`.``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from faunalite.fql.errors import QueryError
from faunalite.fql.lexer import KEYWORDS
from faunalite.fql.stdlib.registry import GLOBAL_FUNCTIONS, MODULES
from faunalite.fql.values import Null, Time, Value, is_number, type_name
from faunalite.model.documents import DocValue, make_doc
from faunalite.model.session import (
    COLLECTION,
    DATABASE,
    FUNCTION,
    HIDDEN_PREFIX,
    SCHEMA_META,
    QuerySession,
)
from faunalite.model.writes import (
    RESERVED_MESSAGE,
    RESERVED_ON_WRITE,
    DocumentWrite,
    check_writable,
    constraint_failure,
    deep_merge,
    expect_data,
    stored_patch,
    to_stored,
    write_document,
)
from faunalite.storage.interface import DocKey, Document

Failures = list[tuple[list[Any], str]]

_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
BUILTIN_ROLES = frozenset({"admin", "server", "server-readonly", "client"})

RESERVED_TYPE_NAMES = frozenset(
    {"Any", "Never", "Ref", "NamedRef", "EmptyRef", "EmptyNamedRef", "Stream", "Tuple"}
)
OTHER_GLOBALS = frozenset(
    {
        "AccessProvider",
        "Collection",
        "Credential",
        "Credentials",
        "Database",
        "Doc",
        "EventSource",
        "Function",
        "Key",
        "Query",
        "Role",
        "Set",
        "SetCursor",
        "Token",
    }
)


def is_valid_name(name: str) -> bool:
    """FaunaDB's rule for schema names (``Validators.isValidName``): an identifier of ASCII
    letters, digits and ``_`` not starting with a digit, neither a keyword nor ``_``. Database
    and role names must follow it (``bad-name`` is ``Invalid identifier.``)."""
    return _IDENTIFIER_RE.match(name) is not None and name not in KEYWORDS and name != "_"


def is_reserved_identifier(name: str) -> bool:
    """Names no collection, function or alias may take (FaunaDB's global namespace)."""
    return (
        name in KEYWORDS
        or name in ("FQL", "_")
        or name in RESERVED_TYPE_NAMES
        or name in OTHER_GLOBALS
        or name in MODULES
        or name in GLOBAL_FUNCTIONS
    )


# -- field types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldType:
    """An accepted field: its FQL type name for messages and the test of a value."""

    name: str
    test: Callable[[Value], bool]


STRING = FieldType("String", lambda v: type(v) is str)
NUMBER = FieldType("Number", is_number)
BOOLEAN = FieldType("Boolean", lambda v: type(v) is bool)
OBJECT = FieldType("{ *: Any }", lambda v: type(v) is dict)
ARRAY = FieldType("Array<Any>", lambda v: type(v) is list)
TIME = FieldType("Time", lambda v: isinstance(v, Time))
ANY = FieldType("Any", lambda v: True)


@dataclass(slots=True)
class NativeSpec:
    """How one native collection's documents are written (see the module docstring).

    ``fields``: accepted fields besides the key, in display order. ``required``: fields that
    must be present. ``defaults``: values ``create`` fills in when a field is absent.
    ``read_only``: fields the server sets, refused on input. ``validate(session, new, old)``
    adds failures; ``on_create``/``on_rename``/``on_delete`` apply side effects and may add
    hidden fields to the stored document; ``on_create`` may return fields shown only in the
    result of ``create`` (a key's ``secret``). ``document_type`` is FaunaDB's type name for
    the collection's documents (``CollectionDef``) and ``create_type`` the FQL type of
    ``create``'s argument, as FaunaDB's typer declares them (the stdlib signatures).
    """

    collection: str
    fields: dict[str, FieldType]
    document_type: str
    create_type: str
    required: tuple[str, ...] = ()
    defaults: Callable[[], dict[str, Any]] = dict
    named: bool = True
    schema: bool = True
    admin_only: bool = False
    read_only: tuple[str, ...] = ()
    validate: Callable[[QuerySession, dict[str, Any], DocValue | None], Failures] = field(
        default=lambda session, new, old: []
    )
    on_create: Callable[[QuerySession, DocKey, dict[str, Any]], dict[str, Value] | None] = field(
        default=lambda session, key, stored: None
    )
    on_rename: Callable[[QuerySession, str, str, dict[str, Any]], None] = field(
        default=lambda session, old, new, stored: None
    )
    on_delete: Callable[[QuerySession, DocValue, dict[str, Any]], None] = field(
        default=lambda session, doc, stored: None
    )


SPECS: dict[str, NativeSpec] = {}


def register_spec(spec: NativeSpec) -> NativeSpec:
    SPECS[spec.collection] = spec
    return spec


# -- names ---------------------------------------------------------------------------------------


def schema_item_names(session: QuerySession, *, current: bool) -> set[str]:
    """Names and aliases of every collection and function (now, or at the query's start)."""
    names: set[str] = set()
    for collection in (COLLECTION, FUNCTION):
        for document in scan_all(session, collection, at_start=not current):
            names.add(str(document.key))
            alias = document.data.get("alias") if isinstance(document.data, dict) else None
            if isinstance(alias, str):
                names.add(alias)
    return names


def scan_all(session: QuerySession, collection: str, *, at_start: bool = False) -> list[Any]:
    if at_start:
        if session.start_ts <= 0:
            return []
        return session.txn.scan(session.scope, collection, at_ts=session.start_ts)
    return session.txn.scan(session.scope, collection)


_Entry = TypeVar("_Entry")


def names_at_start(
    session: QuerySession, collection: str, cache_key: str, entry: Callable[[Document], _Entry]
) -> dict[str, _Entry]:
    """Name and alias → ``entry(document)`` for each document of ``collection`` as of the
    query's start, which is what globals resolve against; computed once per query."""
    cache: dict[str, _Entry] | None = session.cache.get(cache_key)
    if cache is None:
        cache = {}
        for document in scan_all(session, collection, at_start=True):
            found = entry(document)
            cache[str(document.key)] = found
            alias = document.data.get("alias")
            if isinstance(alias, str):
                cache[alias] = found
        session.cache[cache_key] = cache
    return cache


def alias_failures(
    session: QuerySession, spec: NativeSpec, stored: dict[str, Any], old: DocValue | None
) -> Failures:
    """Why the ``alias`` of a document of ``spec`` (``old`` before the write) is refused."""
    alias = stored.get("alias")
    if not isinstance(alias, str):
        return []
    old_alias = None
    if old is not None:
        previous = old.document()
        if previous is not None:
            old_alias = previous.data.get("alias")
    return name_failures(session, spec, alias, old_alias, "alias")


def name_failures(
    session: QuerySession, spec: NativeSpec, name: Value, old_name: str | None, path: str
) -> Failures:
    """Why ``name`` cannot name a document of ``spec`` (empty when it can)."""
    if not isinstance(name, str):
        return []
    global_name = spec.collection in (COLLECTION, FUNCTION)
    # A Database keeps a name it already has (ValidIdentifierValidator checks only a changed one).
    keeps_name = spec.collection == DATABASE and name == old_name
    if global_name:
        if not _IDENTIFIER_RE.match(name) or name == "_":
            return [([path], "Invalid identifier.")]
    elif not keeps_name and not is_valid_name(name):
        return [([path], "Invalid identifier.")]
    if global_name and is_reserved_identifier(name):
        return [([path], f"The identifier `{name}` is reserved.")]
    if spec.collection == "Role" and name in BUILTIN_ROLES:
        return [([path], f"The identifier `{name}` is reserved.")]
    if name == old_name:
        return []
    if global_name:
        if name in schema_item_names(session, current=True):
            return [([path], f"The identifier `{name}` is reserved.")]
    elif session.get(spec.collection, name) is not None:
        return [([path], f"A {spec.collection} with the name `{name}` already exists.")]
    return []


# -- generic create / update / delete ----------------------------------------------------------


NATIVE_RESERVED_FIELDS = frozenset(RESERVED_ON_WRITE) - {"data"} | {"id"}
"""Top-level names no native document may be written with (FaunaDB's ``validateReserved`` of
``Schema.scala``: ``Tokens.ReservedFieldNames`` without ``data``; ``id`` is let through in a
create)."""


def _reserved_failures(data: dict[str, Value], *, creating: bool) -> Failures:
    """The reserved names in ``data``: FaunaDB refuses them before validating any field."""
    return [
        ([name], RESERVED_MESSAGE)
        for name in data
        if name in NATIVE_RESERVED_FIELDS and not (creating and name == "id")
    ]


def _check_fields(spec: NativeSpec, data: dict[str, Value], *, creating: bool) -> Failures:
    failures: Failures = []
    key_field = "name" if spec.named else None
    for name, value in data.items():
        if name == key_field:
            if not isinstance(value, (str, Null)):
                failures.append(([name], f"Expected String, provided {type_name(value)}"))
            continue
        expected = spec.fields.get(name)
        if expected is None or name in spec.read_only:
            failures.append(([name], "Unexpected field provided"))
        elif not isinstance(value, Null) and not expected.test(value):
            optional = "" if name in spec.required else " | Null"
            failures.append(
                ([name], f"Expected {expected.name}{optional}, provided {type_name(value)}")
            )
    if creating:
        required = ((key_field,) if key_field else ()) + spec.required
        for name in required:
            if isinstance(data.get(name, Null()), Null):
                kind = "String" if name == key_field else spec.fields[name].name
                failures.append(([name], f"Missing required field of type {kind}"))
    return failures


def _ordered(spec: NativeSpec, name: str | None, values: dict[str, Any]) -> dict[str, Any]:
    """A stored definition: the name, then the fields in display order, then hidden ones."""
    stored: dict[str, Any] = {"name": name} if name is not None else {}
    for field_name in spec.fields:
        if field_name in values and not isinstance(values[field_name], Null):
            stored[field_name] = values[field_name]
    for field_name, value in values.items():
        if field_name.startswith(HIDDEN_PREFIX):
            stored[field_name] = value
    return stored


def _authorize(ctx: Any, session: QuerySession, spec: NativeSpec, method: str) -> None:
    check_writable(ctx, session, method)
    if spec.admin_only:
        session.require_admin()


def _create_failed(spec: NativeSpec) -> str:
    return f"Failed to create {spec.collection}."


def _update_failed(spec: NativeSpec, doc: DocValue) -> str:
    if spec.named:
        return f"Failed to update {spec.collection} `{doc.key}`."
    return f"Failed to update {spec.collection} with id {doc.key}."


def create_native(ctx: Any, session: QuerySession, spec: NativeSpec, argument: Value) -> DocValue:
    """``<Native>.create(data)``."""
    _authorize(ctx, session, spec, "create")
    data = expect_data(argument)
    failures = _reserved_failures(data, creating=True) or _check_fields(spec, data, creating=True)
    name = data.get("name") if spec.named else None
    if not failures and spec.named:
        failures += name_failures(session, spec, name, None, "name")
    values = {**spec.defaults(), **{k: v for k, v in data.items() if k != "name"}}
    stored = _ordered(spec, name, to_stored(session, values))
    if not failures:
        failures += spec.validate(session, stored, None)
    if failures:
        raise constraint_failure(_create_failed(spec), failures)
    if spec.collection == COLLECTION:
        _note_redefined(session, str(name))
    key: DocKey = str(name) if spec.named else session.new_id()
    extra = spec.on_create(session, key, stored)
    write_document(DocumentWrite(session, spec.collection, key, None, stored, "create"))
    if spec.schema:
        mark_schema_changed(session)
    created = make_doc(session, spec.collection, key)
    created.extra = extra
    return created


def update_native(ctx: Any, doc: DocValue, argument: Value, *, replace: bool) -> DocValue:
    """``doc.update(data)`` / ``doc.replace(data)`` on a native document."""
    session = doc.session
    spec = SPECS[doc.collection]
    _authorize(ctx, session, spec, "replace" if replace else "update")
    data = expect_data(argument)
    current = doc.require()
    before: dict[str, Any] = dict(current.data)
    failures = _reserved_failures(data, creating=False) or _check_fields(
        spec, data, creating=replace
    )
    old_name = str(doc.key) if spec.named else None
    new_name = data.get("name", old_name) if spec.named else None
    if isinstance(new_name, Null):
        new_name = old_name
    if not failures and spec.named:
        failures += name_failures(session, spec, new_name, old_name, "name")
    hidden = {k: v for k, v in before.items() if k.startswith(HIDDEN_PREFIX)}
    visible = {k: v for k, v in before.items() if k != "name" and k not in hidden}
    patch = {k: v for k, v in data.items() if k != "name"}
    if replace:
        merged = {**spec.defaults(), **to_stored(session, patch)}
    else:
        merged = to_stored(session, deep_merge(visible, stored_patch(session, patch)))
    after = _ordered(spec, new_name, {**merged, **hidden})
    if not failures:
        failures += spec.validate(session, after, doc)
    if failures:
        raise constraint_failure(_update_failed(spec, doc), failures)
    if doc.collection == COLLECTION:
        _note_redefined(session, str(old_name))
        _note_redefined(session, str(new_name))
    if spec.named and new_name != old_name:
        spec.on_rename(session, str(old_name), str(new_name), after)
        write_document(DocumentWrite(session, spec.collection, doc.key, before, None, "delete"))
        write_document(
            DocumentWrite(session, spec.collection, str(new_name), None, after, "create")
        )
        key: DocKey = str(new_name)
    else:
        write_document(DocumentWrite(session, spec.collection, doc.key, before, after, "update"))
        key = doc.key
    if spec.schema:
        mark_schema_changed(session)
    return make_doc(session, spec.collection, key)


def delete_native(ctx: Any, doc: DocValue) -> DocValue:
    """``doc.delete()`` on a native document: returns the now missing reference."""
    session = doc.session
    spec = SPECS[doc.collection]
    _authorize(ctx, session, spec, "delete")
    current = doc.require()
    if doc.collection == COLLECTION:
        _note_redefined(session, str(doc.key))
    spec.on_delete(session, doc, dict(current.data))
    write_document(DocumentWrite(session, doc.collection, doc.key, current.data, None, "delete"))
    if spec.schema:
        mark_schema_changed(session)
    return make_doc(session, doc.collection, doc.key)


def _note_redefined(session: QuerySession, name: str) -> None:
    """A collection definition changes: its documents may not also change in this query."""
    if name in session.changes.collections_with_doc_writes:
        raise QueryError(
            "invalid_write", "Cannot modify a document and its collection in the same query."
        )
    session.changes.collections_redefined.add(name)


def mark_schema_changed(session: QuerySession) -> None:
    """Record the schema change: the database's schema version becomes this query's ts."""
    if session.changes.schema_changed:
        return
    session.changes.schema_changed = True
    session.txn.put(session.scope, SCHEMA_META, "version", {"version": session.txn_ts})
    session.txn.bump_schema_version(session.scope)


def schema_version(session: QuerySession, *, at_start: bool) -> int:
    """The schema version the reply reports: the ts of the last schema change, 0 if none."""
    found = (
        session.get_at_start(SCHEMA_META, "version")
        if at_start
        else session.get(SCHEMA_META, "version")
    )
    if found is None or not isinstance(found.data, dict):
        return 0
    return int(found.data.get("version", 0))

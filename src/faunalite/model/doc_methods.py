"""The instance methods of documents: ``update``, ``replace``, ``delete``, ``exists``, the
``[]`` field access and, on user documents only, ``updateData``/``replaceData``.

They are registered in the interpreter's ``PROTOTYPES`` under the three document classes, so
member lookup finds them before any user field (a user field named ``update`` is only reachable
as ``doc.data.update``, as in FaunaDB).
"""

from __future__ import annotations

from typing import Any

from faunalite.fql.members import missing_field
from faunalite.fql.stdlib.args import expect_string
from faunalite.fql.stdlib.registry import TypeTable, module, prototype
from faunalite.fql.values import Value
from faunalite.model.documents import DocValue, KeyDoc, NamedDoc, UserDoc
from faunalite.model.schema import delete_native, update_native
from faunalite.model.writes import delete_document, update_user_document

USER_DOC = prototype(UserDoc, "Doc", "<Doc, NullDoc> UserDoc<Doc, NullDoc>")
"""User documents of every collection: generic in the collection's document type ``Doc``
(FaunaDB's ``User``) and null-document type ``NullDoc`` (``NullUser``)."""
NAMED_DOC = prototype(NamedDoc, "NamedDoc", "<Doc, NullDoc> NamedDoc<Doc, NullDoc>")
"""Named schema documents (``CollectionDef``, ``FunctionDef``, ``Role``, ``DatabaseDef``)."""
KEY_DOC = prototype(KeyDoc, "Doc", "Key")
DOC_MODULE = module("Doc")
"""``Doc`` exists only for ``isa`` (``x isa Doc``); it has no members."""

FIELD_ACCESS_SIGNATURE = "String => Any"  # not in FaunaDB's sources: its documents' `[]`
"""The type of ``doc["name"]``, written like FaunaDB's ``access`` of objects."""

# FaunaDB derives a user document's update/replace argument types from its collection's
# schema; these are the types it gives a collection without defined fields.
_USER_WRITE_TYPE = "(data: { ttl: Time | Null, data: Null, *: Any }) => Doc"
_USER_DATA_WRITE_TYPE = "(data: { *: Any }) => Doc"


def _exists(ctx: Any, doc: DocValue) -> Value:
    return doc.exists()


def _field_by_key(ctx: Any, doc: DocValue, key: Value) -> Value:
    """``doc["name"]``: the field ``doc.name`` reads (never a method), null when missing.

    FaunaDB's ``[]`` on documents is its field read (``Docs.scala`` ``defAccess`` calls
    ``getField``), so a missing document still answers ``id``/``coll`` and fails with
    ``document_not_found`` on any other key.
    """
    name = expect_string(key, "key")
    value = doc.fql_get_field(name)
    return missing_field(name, getattr(ctx, "current_span", None)) if value is None else value


@USER_DOC.method("update", 1, signature=_USER_WRITE_TYPE)
def _update(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=False, plain=False)


@USER_DOC.method("replace", 1, signature=_USER_WRITE_TYPE)
def _replace(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=True, plain=False)


@USER_DOC.method("updateData", 1, signature=_USER_DATA_WRITE_TYPE)
def _update_data(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=False, plain=True)


@USER_DOC.method("replaceData", 1, signature=_USER_DATA_WRITE_TYPE)
def _replace_data(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=True, plain=True)


@USER_DOC.method("delete", 0, signature="() => NullDoc")
def _delete(ctx: Any, doc: UserDoc) -> Value:
    return delete_document(ctx, doc)


def _native_methods(table: TypeTable, document: str, null_document: str) -> None:
    def update(ctx: Any, doc: DocValue, data: Value) -> Value:
        return update_native(ctx, doc, data, replace=False)

    def replace(ctx: Any, doc: DocValue, data: Value) -> Value:
        return update_native(ctx, doc, data, replace=True)

    def delete(ctx: Any, doc: DocValue) -> Value:
        return delete_native(ctx, doc)

    write_type = f"(data: {{ *: Any }}) => {document}"
    table.method("update", 1, signature=write_type)(update)
    table.method("replace", 1, signature=write_type)(replace)
    table.method("delete", 0, signature=f"() => {null_document}")(delete)
    table.method("exists", 0, signature="() => true")(_exists)
    table.method("[]", 1, signature=FIELD_ACCESS_SIGNATURE)(_field_by_key)


# FaunaDB types `exists()` on a document as `() => true`: a document that may be missing has
# the type `Ref<Doc>`, `Doc | EmptyRef<Doc>`, whose other member answers `() => false`.
USER_DOC.method("exists", 0, signature="() => true")(_exists)
USER_DOC.method("[]", 1, signature=FIELD_ACCESS_SIGNATURE)(_field_by_key)
_native_methods(NAMED_DOC, "Doc", "NullDoc")
_native_methods(KEY_DOC, "Key", "NullKey")

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
from faunalite.model.documents import CredentialDoc, DocValue, KeyDoc, NamedDoc, UserDoc
from faunalite.model.schema import delete_native, update_native
from faunalite.model.writes import delete_document, update_user_document

USER_DOC = prototype(UserDoc, "Doc")
NAMED_DOC = prototype(NamedDoc, "NamedDoc")
KEY_DOC = prototype(KeyDoc, "Doc")
CREDENTIAL_DOC = prototype(CredentialDoc, "Doc")
DOC_MODULE = module("Doc")
"""``Doc`` exists only for ``isa`` (``x isa Doc``); it has no members."""


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


@USER_DOC.method("update", 1)
def _update(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=False, plain=False)


@USER_DOC.method("replace", 1)
def _replace(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=True, plain=False)


@USER_DOC.method("updateData", 1)
def _update_data(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=False, plain=True)


@USER_DOC.method("replaceData", 1)
def _replace_data(ctx: Any, doc: UserDoc, data: Value) -> Value:
    return update_user_document(ctx, doc, data, replace=True, plain=True)


@USER_DOC.method("delete", 0)
def _delete(ctx: Any, doc: UserDoc) -> Value:
    return delete_document(ctx, doc)


def _native_methods(table: TypeTable) -> None:
    def update(ctx: Any, doc: DocValue, data: Value) -> Value:
        return update_native(ctx, doc, data, replace=False)

    def replace(ctx: Any, doc: DocValue, data: Value) -> Value:
        return update_native(ctx, doc, data, replace=True)

    def delete(ctx: Any, doc: DocValue) -> Value:
        return delete_native(ctx, doc)

    table.method("update", 1)(update)
    table.method("replace", 1)(replace)
    table.method("delete", 0)(delete)
    table.method("exists", 0)(_exists)
    table.method("[]", 1)(_field_by_key)


USER_DOC.method("exists", 0)(_exists)
USER_DOC.method("[]", 1)(_field_by_key)
_native_methods(NAMED_DOC)
_native_methods(KEY_DOC)
_native_methods(CREDENTIAL_DOC)

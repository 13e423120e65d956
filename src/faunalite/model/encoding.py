"""Documents on the wire: ``@doc``/``@ref`` output and ``@doc``/``@ref``/``@mod`` input.

Output (wire-protocol.md §5.1): a live document in the result is written in full,
``{"@doc": {id|name, coll, ts, ...fields}}`` (simple format: the plain object); a document held
in a field of a written document is only a reference, ``{"@ref": {id|name, coll}}``; a document
that does not exist is ``{"@ref": {..., "exists": false, "cause": "not found"}}`` (simple:
``null``). The nesting rule is carried by encoding a document's fields with a derived
``ValueEncoder`` whose ``context`` marks "inside a document".

Input (§5.3): ``SessionResolver`` resolves ``@mod`` names to stdlib modules or the database's
collections and ``@doc``/``@ref`` to lazy document references, with FaunaDB's reasons when
they name nothing.
"""

from __future__ import annotations

from typing import Any

from faunalite.fql.values import ID, INT64_MAX, Module, Value, is_int
from faunalite.model.documents import DocValue, make_doc
from faunalite.model.session import NAMED_COLLECTIONS, NATIVE_COLLECTIONS, QuerySession
from faunalite.wire.decoding import STDLIB_RESOLVER, InvalidValue
from faunalite.wire.encoding import JSON, ValueEncoder, register_storage_encoder


class _InsideDocument:
    """``ValueEncoder.context`` while writing a document's fields: documents become refs."""

    __slots__ = ("outer",)

    def __init__(self, outer: object) -> None:
        self.outer = outer


def _reference(encoder: ValueEncoder, doc: DocValue) -> dict[str, JSON]:
    return {
        doc.key_field: encoder.encode(doc.key_value()),
        "coll": encoder.encode(Module(doc.collection)),
    }


def encode_document(encoder: ValueEncoder, doc: DocValue) -> JSON:
    """The wire form of a document value (see the module docstring)."""
    if isinstance(encoder.context, _InsideDocument):
        reference = _reference(encoder, doc)
        return {"@ref": reference} if encoder.tagged else reference
    if not doc.exists():
        if not encoder.tagged:
            return None
        missing = _reference(encoder, doc)
        missing["exists"] = False
        missing["cause"] = doc.cause()
        return {"@ref": missing}
    inner = ValueEncoder(
        tagged=encoder.tagged,
        transaction_time=encoder.transaction_time,
        context=_InsideDocument(encoder.context),
    )
    fields = {name: inner.encode(value) for name, value in doc.fql_fields().items()}
    return {"@doc": fields} if encoder.tagged else fields


register_storage_encoder(DocValue, encode_document)


class SessionResolver:
    """Resolves ``@mod`` and ``@doc``/``@ref`` request values in one query's database."""

    def __init__(self, session: QuerySession) -> None:
        self.session = session

    def module(self, name: str) -> Value | None:
        found = STDLIB_RESOLVER.module(name)
        if found is not None:
            return found
        resolved = self.session.resolve_global(name)
        return resolved if isinstance(resolved, Module) else None

    def document(self, tag: str, reference: Value) -> Value:
        if isinstance(reference, str):
            return self._legacy(tag, reference)
        if not isinstance(reference, dict):
            raise InvalidValue(f"{tag} requires an object value")
        if "coll" not in reference:
            raise InvalidValue(f"{tag} field 'coll' is required")
        coll = reference["coll"]
        if not isinstance(coll, Module):
            raise InvalidValue(f"{tag} field 'coll' requires a module value")
        if coll.name in NAMED_COLLECTIONS:
            name = reference.get("name")
            if not isinstance(name, str):
                raise InvalidValue(f"{tag} field 'name' must be a string")
            return make_doc(self.session, coll.name, name)
        return make_doc(self.session, self._id_collection(coll.name), _id(tag, reference))

    def _id_collection(self, name: str) -> str:
        if name in NATIVE_COLLECTIONS:
            return name
        resolved = self.session.resolve_global(name)
        if not isinstance(resolved, Module):
            raise InvalidValue(f"no such schema object '{name}'")
        return resolved.name

    def _legacy(self, tag: str, text: str) -> Value:
        parts = text.split(":")
        if len(parts) != 2:
            raise InvalidValue("doc id must be in the format <coll>:<id>")
        coll, key = parts
        if coll in NAMED_COLLECTIONS:
            return make_doc(self.session, coll, key)
        if self.module(coll) is None and coll not in NATIVE_COLLECTIONS:
            raise InvalidValue(f"no such collection '{coll}'")
        return make_doc(self.session, self._id_collection(coll), _id(tag, {"id": key}))


def _id(tag: str, reference: dict[str, Any]) -> int:
    value = reference.get("id")
    if isinstance(value, ID):
        return value.value
    if is_int(value) and value >= 0:
        return int(value)
    # A Long in decimal ASCII digits: ``str.isdigit`` alone also holds for "²", which ``int``
    # refuses, and a wider number names no document storage can hold.
    if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) <= INT64_MAX:
        return int(value)
    raise InvalidValue(f"{tag} field 'id' must be an integer")

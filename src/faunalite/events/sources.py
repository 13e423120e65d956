"""Event sources: what ``set.eventSource()`` returns, and the signed token that carries it.

An ``EventSourceSpec`` describes a stream completely and without live objects: the database
(scope id), the commit time the source was created at, the *root* (every document of a
collection, one document, or an index call), the ``where``/``map`` steps in order (kept as FQL
source text plus captured values, see ``capture``) and, for ``eventsOn``/``changesOn``, the
watched field paths.

Token design (a deliberate choice over a server-side registry): the token is
``base64(payload + HMAC-SHA256(key, payload))`` where the payload is the spec as compact JSON.
The key is random, made on first use and stored in the data itself (a hidden document of the
root database), so tokens survive a restart of the same data directory and stop working with a
different one. A token whose signature does not verify, or that does not parse, is refused
before anything is evaluated. Tokens are opaque to clients (FaunaDB's are base64 CBOR).

``EventSourceValue`` is the FQL value (``EventSource<Any>``); on the wire it is
``{"@stream": token}`` (tagged) or the token string (simple).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from faunalite.events.capture import CapturedFunction
from faunalite.fql.values import StorageValue
from faunalite.storage.codec import decode_value, encode_value
from faunalite.storage.interface import ROOT_SCOPE, DocKey, StoredValue, Transaction
from faunalite.wire.decoding import InvalidValue, ValueResolver, register_tag_decoder
from faunalite.wire.encoding import JSON, ValueEncoder, register_storage_encoder

TOKEN_VERSION = 1
KEY_COLLECTION = "#event-source-key"
"""Hidden storage collection (root scope) holding the token signing key."""
KEY_DOCUMENT = "hmac-sha256"
MAC_BYTES = 32

FieldPath = tuple["str | int", ...]


class InvalidToken(Exception):
    """A token that is not one of ours: malformed, tampered with, or signed by another store."""


@dataclass(frozen=True, slots=True)
class SourceRoot:
    """Which documents a stream follows: ``kind`` is ``collection`` (all of ``collection``),
    ``single`` (the document ``key``) or ``index`` (documents whose entries in the storage
    index ``index`` have exactly ``terms``, stored values; ``text`` is the call, for people)."""

    kind: str
    collection: str
    key: DocKey | None = None
    text: str | None = None
    index: str | None = None
    terms: tuple[StoredValue, ...] = ()

    def to_json(self) -> JSON:
        data: dict[str, JSON] = {"kind": self.kind, "coll": self.collection}
        if self.key is not None:
            data["key"] = self.key
        if self.text is not None:
            data["text"] = self.text
        if self.index is not None:
            data["index"] = self.index
            data["terms"] = base64.b64encode(encode_value(list(self.terms))).decode("ascii")
        return data

    @classmethod
    def from_json(cls, data: JSON) -> SourceRoot:
        kind, collection = data["kind"], data["coll"]
        if kind not in ("collection", "single", "index") or not isinstance(collection, str):
            raise ValueError("malformed root")
        terms: tuple[StoredValue, ...] = ()
        if "terms" in data:
            terms = tuple(decode_value(base64.b64decode(data["terms"])))
        return cls(kind, collection, data.get("key"), data.get("text"), data.get("index"), terms)


@dataclass(frozen=True, slots=True)
class SourceStep:
    """A ``where`` (filter) or ``map`` (transform) applied to each element, in order."""

    kind: str
    function: CapturedFunction

    def to_json(self) -> JSON:
        return {"op": self.kind, "fn": self.function.to_json()}

    @classmethod
    def from_json(cls, data: JSON) -> SourceStep:
        kind = data["op"]
        if kind not in ("where", "map"):
            raise ValueError("malformed step")
        return cls(kind, CapturedFunction.from_json(data["fn"]))


@dataclass(frozen=True, slots=True)
class EventSourceSpec:
    """Everything needed to run a stream or feed of an event source (see module docstring)."""

    scope: int
    created_ts: int
    root: SourceRoot
    steps: tuple[SourceStep, ...] = ()
    watched: tuple[FieldPath, ...] | None = None
    """Field paths of ``eventsOn``: updates touching none of them are not events."""

    def with_step(self, step: SourceStep) -> EventSourceSpec:
        return replace(self, steps=(*self.steps, step))

    def to_json(self) -> JSON:
        data: dict[str, JSON] = {
            "v": TOKEN_VERSION,
            "db": self.scope,
            "ts": self.created_ts,
            "root": self.root.to_json(),
            "steps": [step.to_json() for step in self.steps],
        }
        if self.watched is not None:
            data["on"] = [list(path) for path in self.watched]
        return data

    @classmethod
    def from_json(cls, data: JSON) -> EventSourceSpec:
        if not isinstance(data, dict) or data.get("v") != TOKEN_VERSION:
            raise ValueError("unknown token version")
        scope, created = data["db"], data["ts"]
        if type(scope) is not int or type(created) is not int:
            raise ValueError("malformed token")
        watched = data.get("on")
        return cls(
            scope,
            created,
            SourceRoot.from_json(data["root"]),
            tuple(SourceStep.from_json(step) for step in data["steps"]),
            None if watched is None else tuple(_field_path(path) for path in watched),
        )


def _field_path(path: JSON) -> FieldPath:
    if not isinstance(path, list) or not all(type(step) in (str, int) for step in path):
        raise ValueError("malformed field path")
    return tuple(path)


# -- signing ---------------------------------------------------------------------------------------


def signing_key(txn: Transaction, *, create: bool) -> bytes | None:
    """The store's token key; made (in ``txn``, which must then be a write) when missing."""
    found = txn.get(ROOT_SCOPE, KEY_COLLECTION, KEY_DOCUMENT)
    if found is not None and isinstance(found.data, dict):
        key = found.data.get("key")
        if isinstance(key, bytes):
            return key
    if not create:
        return None
    key = secrets.token_bytes(32)
    txn.put(ROOT_SCOPE, KEY_COLLECTION, KEY_DOCUMENT, {"key": key})
    return key


def encode_token(spec: EventSourceSpec, key: bytes) -> str:
    payload = json.dumps(spec.to_json(), separators=(",", ":"), ensure_ascii=False).encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()
    return base64.b64encode(payload + mac).decode("ascii")


def decode_token(token: str, key: bytes | None) -> EventSourceSpec:
    """The spec a token carries; ``InvalidToken`` unless ``key`` signed it."""
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidToken("not base64") from None
    if key is None or len(raw) <= MAC_BYTES:
        raise InvalidToken("unsigned")
    payload, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()):
        raise InvalidToken("bad signature")
    try:
        return EventSourceSpec.from_json(json.loads(payload))
    except (ValueError, KeyError, TypeError) as error:
        # Signed by us but unreadable: a token of an incompatible faunalite version.
        raise InvalidToken(str(error)) from None


# -- the FQL value ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class EventSourceValue(StorageValue):
    """An FQL ``EventSource``: its spec and the signed token it is sent as."""

    fql_type_name: ClassVar[str] = "EventSource<Any>"
    order_rank: ClassVar[int] = 17

    spec: EventSourceSpec
    token: str = field(compare=False)

    def fql_debug(self, nested: bool) -> str:
        return "[event source]"

    def fql_display(self) -> str:
        return "[event source]"

    def fql_equals(self, other: object) -> bool:
        return isinstance(other, EventSourceValue) and other.token == self.token

    def fql_compare(self, other: object) -> int:
        other_token = other.token if isinstance(other, EventSourceValue) else ""
        return (self.token > other_token) - (self.token < other_token)


def _encode_event_source(encoder: ValueEncoder, value: EventSourceValue) -> JSON:
    return {"@stream": value.token} if encoder.tagged else value.token


register_storage_encoder(EventSourceValue, _encode_event_source)


def _decode_event_source(content: JSON, resolver: ValueResolver) -> EventSourceValue:
    """``{"@stream": token}`` in request arguments: a token of this store and database."""
    session = getattr(resolver, "session", None)
    if session is None:
        # Without a database (storage-free decoding) there is no event source to name.
        raise InvalidValue("invalid tag '@stream'")
    if not isinstance(content, str):
        raise InvalidValue("@stream requires a string value")
    try:
        spec = decode_token(content, signing_key(session.txn, create=False))
    except InvalidToken:
        raise InvalidValue("invalid event source") from None
    if spec.scope != session.scope:
        raise InvalidValue("invalid event source")
    return EventSourceValue(spec, content)


register_tag_decoder("@stream", _decode_event_source)


def watched_paths(paths: Sequence[FieldPath]) -> tuple[FieldPath, ...]:
    """Paths without duplicates, in the order given."""
    return tuple(dict.fromkeys(paths))

"""Python values for FaunaDB's own types: documents, references, modules, pages, event sources.

These are what the decoder builds from tagged responses and what the encoder accepts in queries.
They hold data only; encoding and decoding live in ``fauna.encoding``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from fauna.query._jsonable import ToJsonable

if TYPE_CHECKING:
    # A default makes a bare ``Page`` mean ``Page[Any]`` to type checkers.
    from typing_extensions import TypeVar as DefaultedTypeVar

    ItemT = DefaultedTypeVar("ItemT", default=Any)
else:
    ItemT = TypeVar("ItemT")

__all__ = [
    "BaseDocument",
    "BaseReference",
    "Document",
    "DocumentReference",
    "EventSource",
    "Module",
    "NamedDocument",
    "NamedDocumentReference",
    "NullDocument",
    "Page",
]


class Page(ToJsonable, Generic[ItemT]):
    """One page of a FaunaDB set: the items in ``data`` and the cursor ``after`` for the next page.

    ``after`` is None on the last page. A page decoded from a bare cursor (``{"@set": "..."}``)
    has ``data`` None and only ``after``. ``into=Page[Person]`` gives a page of ``Person``.
    """

    def __init__(self, data: list[ItemT] | None = None, after: str | None = None) -> None:
        self.data = data
        self.after = after

    def __repr__(self) -> str:
        parts = []
        if self.data is not None:
            parts.append(f"data={self.data!r}")
        if self.after is not None:
            parts.append(f"after={self.after!r}")
        return f"{type(self).__name__}({','.join(parts)})"

    def __iter__(self) -> Iterator[ItemT]:
        return iter(self.data or [])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Page) and self.data == other.data and self.after == other.after

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        # Like the official driver: unhashable (TypeError) whenever ``data`` is a list.
        return hash((type(self), self.data, self.after))


class EventSource(ToJsonable):
    """A token for a FaunaDB event source (``{"@stream": token}`` on the wire).

    Pass it to ``Client.stream`` or ``Client.feed``; it can also be sent back inside a query.
    """

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token={self.token!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EventSource) and self.token == other.token

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.token)


class Module(ToJsonable):
    """A FaunaDB module: a collection (``Module("Users")``) or a built-in such as ``Math``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Module) and str(self) == str(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.name)


def _as_module(coll: str | Module) -> Module:
    if isinstance(coll, Module):
        return coll
    if isinstance(coll, str):
        return Module(coll)
    raise TypeError(f"'coll' should be of type Module or str, but was {type(coll)}")


def _require(name: str, value: Any, kind: type, kind_name: str) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"'{name}' should be of type {kind_name}, but was {type(value)}")


class BaseReference(ToJsonable):
    """The part shared by references: the collection ``coll`` (always a ``Module``)."""

    _collection: Module

    def __init__(self, coll: str | Module) -> None:
        self._collection = _as_module(coll)

    @property
    def coll(self) -> Module:
        return self._collection

    def __repr__(self) -> str:
        return f"{type(self).__name__}(coll={self._collection!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and str(self) == str(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((type(self), self._collection))


class _KeyedReference(BaseReference):
    """What ``DocumentReference`` and ``NamedDocumentReference`` share: a string key next to
    the collection. ``_key_field`` names the key (``id``, ``name``); it is kept in the attribute
    of that name with a leading underscore, so instances pickle as they always have."""

    _key_field: ClassVar[str]

    def __init__(self, coll: str | Module, key: str) -> None:
        super().__init__(coll)
        _require(self._key_field, key, str, "str")
        setattr(self, "_" + self._key_field, key)

    @property
    def _key(self) -> str:
        key: str = getattr(self, "_" + self._key_field)
        return key

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._key_field}={self._key!r},coll={self._collection!r})"

    def __hash__(self) -> int:
        return hash((type(self), self._collection, self._key))


class DocumentReference(_KeyedReference):
    """A reference to a document with an id, e.g. ``DocumentReference("Users", "123")``."""

    _key_field = "id"
    _id: str

    def __init__(self, coll: str | Module, id: str) -> None:
        super().__init__(coll, id)

    @classmethod
    def _trusted(cls, coll: Module, id: str) -> DocumentReference:
        """Build without validation; the decoder's fast path for well-formed input."""
        ref = cls.__new__(cls)
        ref._collection = coll
        ref._id = id
        return ref

    @property
    def id(self) -> str:
        return self._id

    @staticmethod
    def from_string(ref: str) -> DocumentReference:
        """Parse ``"<CollectionName>:<ID>"`` (the legacy ``@doc`` string form)."""
        parts = ref.split(":")
        if len(parts) != 2:
            raise ValueError("Expects string of format <CollectionName>:<ID>")
        return DocumentReference(parts[0], parts[1])


class NamedDocumentReference(_KeyedReference):
    """A reference to a named (schema) document, e.g. ``NamedDocumentReference("Collection", "Users")``."""

    _key_field = "name"
    _name: str

    def __init__(self, coll: str | Module, name: str) -> None:
        super().__init__(coll, name)

    @property
    def name(self) -> str:
        return self._name


class NullDocument(ToJsonable):
    """A document that was read but does not exist; ``cause`` says why (e.g. ``"not found"``)."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self,
        ref: DocumentReference | NamedDocumentReference,
        cause: str | None = None,
    ) -> None:
        self._ref = ref
        self._cause = cause

    @property
    def ref(self) -> DocumentReference | NamedDocumentReference:
        return self._ref

    @property
    def cause(self) -> str | None:
        return self._cause

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ref={self._ref!r},cause={self._cause!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, NullDocument)
            and type(self) is type(other)
            and self._ref == other._ref
            and self._cause == other._cause
        )

    def __ne__(self, other: object) -> bool:
        return not self == other


class BaseDocument(Mapping[str, Any], ToJsonable):
    """An immutable mapping of a document's user fields (metadata such as ``id`` is kept apart)."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._store: dict[str, Any] = dict(*args, **kwargs)

    def __getitem__(self, key: str) -> Any:
        return self._store[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._store)

    def __len__(self) -> int:
        return len(self._store)

    @property
    def data(self) -> dict[str, Any]:
        """The fields as a new plain ``dict`` (the ``data`` the constructor took); ``dict(doc)``
        is the same."""
        return dict(self._store)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return False
        assert isinstance(other, BaseDocument)
        return self._store == other._store

    def __ne__(self, other: object) -> bool:
        return not self == other


def _fields_repr(store: Mapping[str, Any]) -> str:
    return "{" + ",".join(f"{k!r}:{v!r}" for k, v in store.items()) + "}"


_D = TypeVar("_D", bound="_KeyedDocument")


class _KeyedDocument(BaseDocument):
    """What ``Document`` and ``NamedDocument`` share: a string key, ``ts``, ``coll`` and the
    fields. ``_key_field`` names the key (``id``, ``name``); it is kept in the attribute of that
    name with a leading underscore, so instances pickle as they always have."""

    _key_field: ClassVar[str]
    _ts: datetime
    _coll: Module

    def __init__(
        self, key: str, ts: datetime, coll: str | Module, data: Mapping[str, Any] | None
    ) -> None:
        _require(self._key_field, key, str, "str")
        _require("ts", ts, datetime, "datetime")
        super().__init__(data or {})
        setattr(self, "_" + self._key_field, key)
        self._ts = ts
        self._coll = _as_module(coll)

    @classmethod
    def _trusted(cls: type[_D], key: str, ts: Any, coll: Any, data: dict[str, Any]) -> _D:
        """Build without validation or copying; the decoder's fast path for well-formed input."""
        doc = cls.__new__(cls)
        doc._store = data
        setattr(doc, "_" + cls._key_field, key)
        doc._ts = ts
        doc._coll = coll
        return doc

    @property
    def _key(self) -> str:
        key: str = getattr(self, "_" + self._key_field)
        return key

    @property
    def ts(self) -> datetime:
        return self._ts

    @property
    def coll(self) -> Module:
        return self._coll

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, _KeyedDocument)
            and self._key == other._key
            and self._coll == other._coll
            and self._ts == other._ts
            and self._store == other._store
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._key_field}={self._key!r},coll={self._coll!r},"
            f"ts={self._ts!r},data={_fields_repr(self._store)})"
        )


class Document(_KeyedDocument):
    """A document with an id: metadata ``id``, ``coll``, ``ts`` plus its fields as a mapping.

    ``doc["name"]`` reads a field; ``dict(doc)`` gives the fields without the metadata.
    """

    _key_field = "id"
    _id: str

    def __init__(
        self,
        id: str,
        ts: datetime,
        coll: str | Module,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(id, ts, coll, data)

    @property
    def id(self) -> str:
        return self._id


class NamedDocument(_KeyedDocument):
    """A named (schema) document: metadata ``name``, ``coll``, ``ts`` plus its fields."""

    _key_field = "name"
    _name: str

    def __init__(
        self,
        name: str,
        ts: datetime,
        coll: str | Module,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(name, ts, coll, data)

    @property
    def name(self) -> str:
        return self._name


def __getattr__(name: str) -> Any:
    if name == "StreamToken":
        warnings.warn(
            "StreamToken is deprecated. Prefer fauna.query.EventSource instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return EventSource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "StreamToken"])

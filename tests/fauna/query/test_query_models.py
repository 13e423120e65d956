"""The model classes: constructors, validation messages, reprs that round-trip, equality."""

from __future__ import annotations

import copy
import datetime
import pickle
import warnings

import pytest

from fauna.query import FaunaTime
from fauna.query.models import (
    BaseReference,
    Document,
    DocumentReference,
    EventSource,
    Module,
    NamedDocument,
    NamedDocumentReference,
    NullDocument,
    Page,
)

TS = datetime.datetime(2023, 3, 17)
SCOPE = {
    "datetime": datetime,
    "FaunaTime": FaunaTime,
    "Module": Module,
    "Page": Page,
    "BaseReference": BaseReference,
    "DocumentReference": DocumentReference,
    "NamedDocumentReference": NamedDocumentReference,
    "NullDocument": NullDocument,
    "Document": Document,
    "NamedDocument": NamedDocument,
}


def round_trips(value: object) -> bool:
    return eval(repr(value), SCOPE) == value


# Page


def test_page_repr_omits_missing_parts_and_round_trips() -> None:
    assert repr(Page(data=[1, 2], after="feet")) == "Page(data=[1, 2],after='feet')"
    assert repr(Page(after="c")) == "Page(after='c')"
    assert repr(Page()) == "Page()"
    for page in (Page(data=[1, 2], after="feet"), Page(after="c"), Page()):
        assert round_trips(page)


def test_page_equality_and_iteration() -> None:
    assert Page(data=[1, 2], after="x") == Page(data=[1, 2], after="x")
    assert Page(data=[1, 2], after="x") != Page(data=[{"a": 1}], after="x")
    assert Page(data=[1], after="x") != Page(data=[1], after="y")
    assert Page() != "Page()"
    assert sum(Page(data=[1, 2])) == 3
    assert list(Page(after="c")) == []


def test_page_with_list_data_is_unhashable_like_the_official_driver() -> None:
    with pytest.raises(TypeError):
        hash(Page(data=[1]))
    assert hash(Page(after="c")) == hash(Page(after="c"))


# EventSource and Module


def test_event_source_equality_and_hash() -> None:
    assert EventSource("tok") == EventSource("tok")
    assert EventSource("tok") != EventSource("other")
    assert EventSource("tok") != "tok"
    assert hash(EventSource("tok")) == hash("tok")


def test_stream_token_is_a_deprecated_alias_of_event_source() -> None:
    import fauna.query.models as models

    with pytest.warns(DeprecationWarning, match="Prefer fauna.query.EventSource"):
        alias = models.StreamToken
    assert alias is EventSource
    with pytest.raises(ImportError):
        from fauna.query import StreamToken  # type: ignore[attr-defined]  # noqa: F401
    with pytest.raises(AttributeError):
        _ = models.NoSuchThing  # type: ignore[attr-defined]


def test_module_repr_equality_and_hash() -> None:
    assert repr(Module("mod_name")) == "Module(name='mod_name')"
    assert round_trips(Module("mod_name"))
    assert Module("A") == Module("A")
    assert Module("A") != Module("B")
    assert Module("A") != "A"
    assert {Module("A"): 1}[Module("A")] == 1


# References


def test_reference_reprs_round_trip() -> None:
    base = BaseReference(Module("mod"))
    ref = DocumentReference(id="123", coll=Module("mod"))
    named = NamedDocumentReference(name="Def", coll=Module("MyCol"))
    assert repr(base) == "BaseReference(coll=Module(name='mod'))"
    assert repr(ref) == "DocumentReference(id='123',coll=Module(name='mod'))"
    assert repr(named) == "NamedDocumentReference(name='Def',coll=Module(name='MyCol'))"
    for value in (base, ref, named):
        assert round_trips(value)


def test_reference_accepts_a_collection_name_or_module() -> None:
    assert DocumentReference("Users", "1") == DocumentReference(Module("Users"), "1")
    assert DocumentReference("Users", "1").coll == Module("Users")
    assert DocumentReference("Users", "1") != DocumentReference("Users", "2")
    assert DocumentReference("Users", "1") != NamedDocumentReference("Users", "1")
    assert hash(DocumentReference("Users", "1")) == hash(DocumentReference("Users", "1"))
    assert hash(NamedDocumentReference("C", "n")) == hash(NamedDocumentReference("C", "n"))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: DocumentReference(1, "1"), "'coll' should be of type Module or str, but was"),
        (lambda: DocumentReference("C", 1), "'id' should be of type str, but was <class 'int'>"),
        (lambda: NamedDocumentReference("C", 1), "'name' should be of type str, but was"),
    ],
)
def test_reference_validation_messages(build: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        build()  # type: ignore[operator]


def test_document_reference_from_string() -> None:
    assert DocumentReference.from_string("Coll:123") == DocumentReference("Coll", "123")
    for bad in ("Coll", "a:b:c"):
        with pytest.raises(ValueError, match="Expects string of format <CollectionName>:<ID>"):
            DocumentReference.from_string(bad)


# NullDocument


def test_null_document() -> None:
    null = NullDocument(DocumentReference("C", "1"), "not found")
    assert null.ref == DocumentReference("C", "1")
    assert null.cause == "not found"
    assert repr(null) == (
        "NullDocument(ref=DocumentReference(id='1',coll=Module(name='C')),cause='not found')"
    )
    assert round_trips(null)
    assert null == NullDocument(DocumentReference("C", "1"), "not found")
    assert null != NullDocument(DocumentReference("C", "1"), "deleted")
    assert null != NullDocument(DocumentReference("C", "2"), "not found")
    assert NullDocument(NamedDocumentReference("C", "n")).cause is None
    with pytest.raises(TypeError):
        hash(null)


# Documents


def test_document_fields_and_metadata() -> None:
    doc = Document(id="123", coll="Dogs", ts=TS, data={"name": "Scout"})
    assert (doc.id, doc.coll, doc.ts) == ("123", Module("Dogs"), TS)
    assert doc["name"] == "Scout"
    assert dict(doc) == {"name": "Scout"}
    assert doc.data == {"name": "Scout"}
    doc.data["name"] = "changed"  # a copy: the document stays as it was
    assert doc["name"] == "Scout"
    assert len(doc) == 1
    assert "id" not in doc
    with pytest.raises(TypeError):
        doc["name"] = "Other"  # type: ignore[index]
    with pytest.raises(TypeError):
        hash(doc)


def test_document_reprs_round_trip() -> None:
    doc = Document(id="123", coll="MyCol", ts=TS, data={"foo": "bar"})
    assert repr(doc) == (
        "Document(id='123',coll=Module(name='MyCol'),ts=datetime.datetime(2023, 3, 17, 0, 0),"
        "data={'foo':'bar'})"
    )
    named = NamedDocument(name="Things", coll="Foo", ts=TS, data={"foo": "bar", "at": TS})
    assert repr(named) == (
        "NamedDocument(name='Things',coll=Module(name='Foo'),"
        "ts=datetime.datetime(2023, 3, 17, 0, 0),"
        "data={'foo':'bar','at':datetime.datetime(2023, 3, 17, 0, 0)})"
    )
    precise = Document(id="1", coll="C", ts=FaunaTime(2023, 3, 17, nanosecond=5), data={})
    for value in (doc, named, precise):
        assert round_trips(value)


def test_document_equality() -> None:
    doc = Document(id="123", coll="Dogs", ts=TS, data={"name": "Scout"})
    assert doc == Document(id="123", coll=Module("Dogs"), ts=TS, data={"name": "Scout"})
    assert doc != Document(id="124", coll="Dogs", ts=TS, data={"name": "Scout"})
    assert doc != Document(id="123", coll="Cats", ts=TS, data={"name": "Scout"})
    assert doc != Document(id="123", coll="Dogs", ts=TS, data={"name": "Rex"})
    assert doc != NamedDocument(name="Scout", coll="Dogs", ts=TS, data={"id": "123"})
    assert doc != 123
    assert doc != {"name": "Scout"}
    named = NamedDocument(name="Scout", coll="Dogs", ts=TS, data={"id": "123"})
    assert named == NamedDocument(name="Scout", coll="Dogs", ts=TS, data={"id": "123"})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Document(id=1, ts=TS, coll="C"), "'id' should be of type str, but was"),
        (lambda: Document(id="1", ts="now", coll="C"), "'ts' should be of type datetime, but was"),
        (lambda: Document(id="1", ts=TS, coll=3), "'coll' should be of type Module or str"),
        (lambda: NamedDocument(name=1, ts=TS, coll="C"), "'name' should be of type str, but was"),
        (lambda: NamedDocument(name="n", ts=1, coll="C"), "'ts' should be of type datetime"),
    ],
)
def test_document_validation_messages(build: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        build()  # type: ignore[operator]


def test_documents_pickle_and_copy() -> None:
    doc = Document(id="1", coll="C", ts=FaunaTime(2023, 1, 1, nanosecond=1), data={"a": [1]})
    named = NamedDocument(name="n", coll="Collection", ts=TS)
    for value in (doc, named, DocumentReference("C", "1"), Module("M"), Page([1], "a")):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.deepcopy(value) == value


def test_models_module_lists_its_names() -> None:
    import fauna.query.models as models

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        names = dir(models)
    assert {"Document", "EventSource", "Page", "StreamToken"} <= set(names)

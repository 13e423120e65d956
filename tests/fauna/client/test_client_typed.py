"""``into=T`` over a scripted FaunaDB, for both clients: query, paginate, stream and feed.

The responses are canned wire bodies; the tests check what a user gets back (typed values),
what a misfit raises (``ResultTypeError`` with a path), and that a bad ``into`` is refused
before anything is sent.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, TypedDict

import pydantic
import pytest
from fauna_fakes import (
    FakeFauna,
    data_event,
    error_event,
    feed_page,
    json_response,
    query_failure,
    query_success,
    status_event,
    stream_response,
    tagged_doc,
)

from fauna import fql
from fauna.client import Client, StreamOptions, _responses
from fauna.encoding import decode_into
from fauna.encoding.decoder import loads_for_models
from fauna.errors import AbortError, ClientError, ResultTypeError
from fauna.query import Document, DocumentReference, EventSource, Module, Page

SOURCE = EventSource("tok")


@dataclasses.dataclass
class Dog:
    id: str
    coll: str
    ts: datetime
    name: str
    age: int


class DogModel(pydantic.BaseModel):
    id: str
    name: str
    age: int


class DogDict(TypedDict):
    name: str
    age: int


def dog(doc_id: str, name: str, age: Any) -> dict[str, Any]:
    return tagged_doc(doc_id, "Dogs", name=name, age=age)


def test_query_into_dataclass_maps_document_metadata_and_fields(
    client: Client, fake: FakeFauna
) -> None:
    fake.query(query_success(dog("1", "Scout", {"@int": "3"}), summary="ok"))
    result = client.query(fql("Dogs.byId('1')"), into=Dog)
    assert result.data == Dog("1", "Dogs", result.data.ts, "Scout", 3)
    assert result.data.ts.year == 2024
    assert result.summary == "ok" and result.stats.attempts == 1


def test_query_into_pydantic_model_and_typed_dict(client: Client, fake: FakeFauna) -> None:
    fake.query(
        query_success([dog("1", "Scout", {"@int": "3"}), dog("2", "Rex", {"@int": "5"})]),
        query_success({"name": "Fido", "age": {"@int": "2"}, "extra": True}),
    )
    models = client.query(fql("Dogs.all().toArray()"), into=list[DogModel]).data
    assert models == [DogModel(id="1", name="Scout", age=3), DogModel(id="2", name="Rex", age=5)]
    as_dict = client.query(fql("{ name: 'Fido', age: 2, extra: true }"), into=DogDict).data
    assert as_dict == {"name": "Fido", "age": 2}


def test_without_into_the_result_is_unchanged(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success(dog("1", "Scout", {"@int": "3"})))
    assert isinstance(client.query(fql("Dogs.byId('1')")).data, Document)


def test_misfit_names_the_path_and_keeps_the_raw_result(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success({"data": [dog("1", "A", {"@int": "1"}), dog("2", "B", "two")]}))
    with pytest.raises(ResultTypeError) as caught:
        client.query(fql("{ data: Dogs.all().toArray() }"), into=dict[str, list[Dog]])
    error = caught.value
    assert isinstance(error, ClientError)
    assert error.path == "$.data[1].age"
    assert str(error).startswith("$.data[1].age: expected int, got str")
    assert error.raw.data["data"][1]["age"] == "two"


def test_query_into_a_page_of_a_type(client: Client, fake: FakeFauna) -> None:
    docs = [dog(str(n), f"D{n}", {"@int": str(n)}) for n in range(3)] + [dog("3", "D3", "x")]
    fake.query(
        query_success({"@set": {"data": docs[:3], "after": "more"}}),
        query_success({"@set": {"data": docs}}),
    )
    page = client.query(fql("Dogs.all()"), into=Page[Dog]).data
    assert [d.age for d in page] == [0, 1, 2] and page.after == "more"
    with pytest.raises(ResultTypeError) as caught:
        client.query(fql("Dogs.all()"), into=Page[Dog])
    assert str(caught.value).startswith("$.data[3].age: expected int, got str")


def test_bad_into_is_refused_before_sending(client: Client, fake: FakeFauna) -> None:
    with pytest.raises(TypeError, match="into"):
        client.query(fql("1"), into="Dog")
    assert fake.sent() == []


def test_query_errors_are_raised_as_usual_with_into(client: Client, fake: FakeFauna) -> None:
    fake.query(
        {"error": {"code": "abort", "message": "no", "abort": {"@int": "1"}}, "summary": ""},
        status=400,
    )
    with pytest.raises(AbortError):
        client.query(fql("abort(1)"), into=Dog)


class KennelModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)

    id: str
    coll: str
    ts: datetime
    name: str
    owner: Any
    breeds: list[str]
    friend: Any
    vet: DocumentReference
    gone: Any
    collection: Any


def kennel(doc_id: str, name: Any = "North") -> dict[str, Any]:
    """A document with a module, a nested document, a reference, a missing document's
    reference and a named document among its fields."""
    return tagged_doc(
        doc_id,
        "Kennels",
        name=name,
        owner={"@mod": "Owners"},
        breeds=["collie", {"@mod": "Labradors"}],
        friend=dog("7", "Rex", {"@int": "5"}),
        vet={"@ref": {"id": "9", "coll": {"@mod": "Vets"}}},
        gone={"@ref": {"id": "8", "coll": {"@mod": "Vets"}, "exists": False, "cause": "gone"}},
        collection={"@doc": {"name": "Dogs", "coll": {"@mod": "Collection"}, "ts": TS_TAG}},
    )


TS_TAG = {"@time": "2024-01-01T00:00:00.000001Z"}


@pytest.mark.parametrize(
    "into", [KennelModel, list[KennelModel], Page[KennelModel]], ids=["model", "list", "page"]
)
def test_results_for_models_decode_as_the_untyped_result_converted(
    client: Client, fake: FakeFauna, into: Any
) -> None:
    # Results into models are decoded for pydantic as they are parsed; what the user gets is
    # what decode_into gives for the untyped result, field for field.
    data: Any = kennel("1")
    if into is not KennelModel:
        data = [kennel("1"), kennel("2")]
        data = {"@set": {"data": data, "after": "more"}} if into is Page[KennelModel] else data
    fake.query(query_success(data), query_success(data))
    typed = client.query(fql("Kennels.all()"), into=into).data
    assert typed == decode_into(client.query(fql("Kennels.all()")).data, into)
    first = typed if into is KennelModel else next(iter(typed))
    if into is Page[KennelModel]:
        assert typed.after == "more" and len(typed.data) == 2
    assert (first.coll, first.owner, first.breeds) == ("Kennels", "Owners", ["collie", "Labradors"])
    assert first.friend == {"id": "7", "coll": "Dogs", "ts": first.ts, "name": "Rex", "age": 5}
    assert first.vet == DocumentReference("Vets", "9") and first.gone is None
    assert first.collection == {"name": "Dogs", "coll": "Collection", "ts": first.ts}


def test_queries_and_pages_into_models_are_decoded_for_them(
    client: Client, fake: FakeFauna, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded_for_models: list[bytes] = []

    def counting(body: bytes) -> Any:
        decoded_for_models.append(body)
        return loads_for_models(body)

    monkeypatch.setattr(_responses, "loads_for_models", counting)
    pages = [
        query_success({"@set": {"data": [kennel("1")], "after": "next"}}),
        query_success({"data": [kennel("2")]}),
    ]
    fake.query(*pages, *pages, query_success(kennel("3")), query_success(kennel("3")))
    typed = list(client.paginate(fql("Kennels.all()"), into=KennelModel))
    assert len(decoded_for_models) == 2
    untyped = list(client.paginate(fql("Kennels.all()")))
    assert typed == [decode_into(page, list[KennelModel]) for page in untyped]
    assert [[kennel.id for kennel in page] for page in typed] == [["1"], ["2"]]
    # Other targets decode as usual.
    assert client.query(fql("Kennels.byId('3')"), into=dict[str, Any]).data["id"] == "3"
    assert client.query(fql("Kennels.byId('3')"), into=KennelModel).data.id == "3"
    assert len(decoded_for_models) == 3


def test_results_for_models_keep_error_paths_and_errors_as_usual(
    client: Client, fake: FakeFauna
) -> None:
    fake.query(query_success({"@set": {"data": [kennel("1"), kennel("2", name={"@int": "3"})]}}))
    fake.query(query_failure("abort", "no", abort=kennel("1")), status=400)
    # An escaped key (@object) takes the ordinary decoding; the result is the same.
    fake.query(query_success({"@object": {"@id": "x", "doc": kennel("1")}}))
    with pytest.raises(ResultTypeError) as caught:
        client.query(fql("Kennels.all()"), into=Page[KennelModel])
    assert caught.value.path == "$.data[1].name"
    assert str(caught.value).startswith("$.data[1].name: Input should be a valid string")
    with pytest.raises(AbortError) as aborted:
        client.query(fql("abort(...)"), into=KennelModel)
    # An error's abort value is decoded as without into: a Document.
    assert isinstance(aborted.value.abort, Document) and aborted.value.abort.id == "1"
    escaped = client.query(fql("{ '@id': 'x', doc: ... }"), into=dict[str, Any]).data
    assert escaped["@id"] == "x" and isinstance(escaped["doc"], Document)


def test_paginate_into_yields_typed_pages(client: Client, fake: FakeFauna) -> None:
    fake.query(
        query_success({"@set": {"data": [dog("1", "A", {"@int": "1"})], "after": "next"}}),
        query_success({"data": [dog("2", "B", {"@int": "2"})]}),
    )
    pages = list(client.paginate(fql("Dogs.all()"), into=DogModel))
    assert pages == [[DogModel(id="1", name="A", age=1)], [DogModel(id="2", name="B", age=2)]]


def test_paginate_flatten_misfit_reports_the_index_in_the_page(
    client: Client, fake: FakeFauna
) -> None:
    fake.query(query_success({"@set": {"data": [{"@int": "1"}, "x"]}}))
    with pytest.raises(ResultTypeError) as caught:
        list(client.paginate(fql("[1, 'x'].toSet()"), into=int).flatten())
    assert caught.value.path == "$[1]"


def test_stream_into_converts_event_data(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        stream_response(
            [
                data_event("add", dog("1", "A", {"@int": "1"}), txn_ts=101, cursor="c1"),
                data_event("remove", dog("1", "A", {"@int": "1"}), txn_ts=102, cursor="c2"),
            ]
        ),
    )
    with client.stream(SOURCE, into=Dog) as stream:
        events = [next(stream), next(stream)]
    assert [e["type"] for e in events] == ["add", "remove"]
    assert all(isinstance(e["data"], Dog) for e in events)
    assert events[0]["data"].name == "A" and events[0]["cursor"] == "c1"


def test_stream_status_events_pass_through_untouched(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        stream_response(
            [
                status_event(100, "c0"),
                data_event("add", dog("1", "A", {"@int": "1"}), txn_ts=101, cursor="c1"),
            ]
        ),
    )
    with client.stream(SOURCE, StreamOptions(status_events=True), into=DogModel) as stream:
        status, added = next(stream), next(stream)
    assert status["type"] == "status" and "data" not in status
    assert added["data"] == DogModel(id="1", name="A", age=1)


def test_stream_misfit_raises_and_ends_the_stream(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        stream_response([data_event("add", {"name": "A"}, txn_ts=101, cursor="c1")]),
    )
    with client.stream(SOURCE, into=Dog) as stream:
        with pytest.raises(ResultTypeError) as caught:
            next(stream)
        assert caught.value.path == "$.id"
        assert caught.value.raw["cursor"] == "c1"
        assert stream.last_cursor == "c1"


def test_feed_into_converts_events_and_keeps_error_events(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/feed/1",
        json_response(
            200,
            feed_page(
                [
                    data_event("add", dog("1", "A", {"@int": "1"}), txn_ts=201, cursor="c1"),
                    error_event("abort", "stop", abort={"@int": "9"}),
                ],
                "c1",
                has_next=False,
            ),
        ),
    )
    (page,) = list(client.feed(SOURCE, into=DogModel))
    first = page.events[0]
    assert first["data"] == DogModel(id="1", name="A", age=1)
    with pytest.raises(AbortError):
        list(page)


def test_feed_flatten_into_module_field(client: Client, fake: FakeFauna) -> None:
    @dataclasses.dataclass
    class WithColl:
        coll: Module

    fake.reply(
        "/feed/1",
        json_response(
            200,
            feed_page([data_event("add", dog("1", "A", {"@int": "1"}), 201, "c1")], "c1", False),
        ),
    )
    (event,) = list(client.feed(SOURCE, into=WithColl).flatten())
    assert event["data"] == WithColl(Module("Dogs"))

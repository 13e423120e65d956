"""Typed results against a real server (faunalite over loopback HTTP), for both clients.

Documents are written from a dataclass and a pydantic model and read back ``into`` them
through ``query``, ``paginate`` and ``feed``; results export to JSON and back.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from datetime import datetime

import pydantic
import pytest

from fauna import fql, from_jsonable, to_jsonable
from fauna.client import Client
from fauna.errors import ResultTypeError
from fauna.query import FaunaTime
from faunalite.testing import BackgroundServer


@dataclasses.dataclass
class Person:
    name: str
    age: int
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class StoredPerson:
    id: str
    coll: str
    ts: datetime
    name: str
    age: int


class PersonModel(pydantic.BaseModel):
    id: str
    coll: str
    ts: datetime
    name: str
    age: int = pydantic.Field(ge=0)


@pytest.fixture
def live(make_client: Callable[..., Client], faunalite_server: BackgroundServer) -> Client:
    return make_client(
        endpoint=faunalite_server.endpoint, secret=faunalite_server.secret, transport=None
    )


@pytest.fixture
def people(live: Client) -> str:
    """A fresh collection holding Ada (36) and Bob (40), written from dataclasses."""
    name = f"People{uuid.uuid4().hex[:10]}"
    live.query(fql("Collection.create({ name: ${name} })", name=name))
    for person in (Person("Ada", 36, ["math"]), Person("Bob", 40)):
        live.query(fql("Collection(${coll}).create(${p})", coll=name, p=person))
    return name


def test_documents_into_a_dataclass(live: Client, people: str) -> None:
    query = fql("Collection(${coll}).all().order(.name).toArray()", coll=people)
    stored = live.query(query, into=list[StoredPerson]).data
    assert [(p.name, p.age, p.coll) for p in stored] == [("Ada", 36, people), ("Bob", 40, people)]
    assert all(isinstance(p.ts, FaunaTime) and p.id for p in stored)
    plain = live.query(query, into=list[Person]).data
    assert plain == [Person("Ada", 36, ["math"]), Person("Bob", 40)]


def test_documents_into_a_pydantic_model(live: Client, people: str) -> None:
    first = fql("Collection(${coll}).all().order(.name).first()", coll=people)
    model = live.query(first, into=PersonModel).data
    assert (model.name, model.age, model.coll) == ("Ada", 36, people)
    written = live.query(
        fql(
            "Collection(${coll}).create(${m})",
            coll=people,
            m=Person("Cy", 7),
        ),
        into=PersonModel,
    ).data
    assert written.name == "Cy" and written.id != model.id


def test_paginate_into_pydantic_model(live: Client, people: str) -> None:
    pages = list(live.paginate(fql("Collection(${coll}).all()", coll=people), into=PersonModel))
    assert sorted(p.name for page in pages for p in page) == ["Ada", "Bob"]


def test_misfit_from_a_real_result(live: Client, people: str) -> None:
    query = fql("Collection(${coll}).all().order(.name).toArray()", coll=people)
    live.query(fql("Collection(${coll}).create({ name: 'Zed', age: 'old' })", coll=people))
    with pytest.raises(ResultTypeError) as caught:
        live.query(query, into=list[StoredPerson])
    assert str(caught.value).startswith("$[2].age: expected int, got str")


def test_feed_into_a_dataclass(live: Client, people: str) -> None:
    source = live.query(fql("Collection(${coll}).all().eventSource()", coll=people)).data
    live.query(fql("Collection(${coll}).create({ name: 'Di', age: 3 })", coll=people))
    events = list(live.feed(source, into=Person).flatten())
    assert [event["data"] for event in events] == [Person("Di", 3)]


def test_results_export_to_json_and_back(live: Client, people: str) -> None:
    result = live.query(fql("Collection(${coll}).all().order(.name).first()", coll=people))
    text = json.dumps(result.to_jsonable())
    assert from_jsonable(json.loads(text)["data"]) == result.data
    assert to_jsonable(result.data)["@doc"]["name"] == "Ada"

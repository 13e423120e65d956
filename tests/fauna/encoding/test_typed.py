"""``decode_into``: decoded values into dataclasses, pydantic models, TypedDicts and builtins."""

from __future__ import annotations

import dataclasses
import enum
import json
import pickle
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal, NewType, Optional, TypedDict, Union

import pydantic
import pytest

from fauna.encoding import FaunaDecoder, decode_into
from fauna.encoding._typed import IntoType
from fauna.encoding.decoder import PlainDocument, loads_for_models
from fauna.errors import ClientError, ResultTypeError
from fauna.query import (
    Document,
    DocumentReference,
    FaunaTime,
    Module,
    NamedDocument,
    NullDocument,
    Page,
)

TS = FaunaTime(2024, 1, 2, 3, 4, 5, 6, nanosecond=7)


@dataclasses.dataclass
class Person:
    id: str
    coll: str
    ts: datetime
    name: str
    age: int
    email: str | None = None


@dataclasses.dataclass
class Node:
    label: str
    children: list[Node] = dataclasses.field(default_factory=list)


class PersonModel(pydantic.BaseModel):
    id: str
    coll: str
    name: str
    age: int = pydantic.Field(ge=0)
    friends: list[PersonModel] = []


class PersonDict(TypedDict, total=False):
    name: str
    age: int


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


UserId = NewType("UserId", str)


def person(doc_id: str = "1", **fields: Any) -> Document:
    return Document(
        id=doc_id, ts=TS, coll=Module("People"), data={"name": "Ada", "age": 36, **fields}
    )


def misfit(value: Any, into: Any) -> ResultTypeError:
    with pytest.raises(ResultTypeError) as caught:
        decode_into(value, into)
    return caught.value


def test_document_metadata_and_fields_fill_a_dataclass() -> None:
    assert decode_into(person(), Person) == Person("1", "People", TS, "Ada", 36)
    assert decode_into(person(email="a@b.c"), Person).email == "a@b.c"


def test_time_keeps_its_nanoseconds() -> None:
    ts = decode_into(person(), Person).ts
    assert isinstance(ts, FaunaTime) and ts.nanosecond == 7


def test_plain_object_fills_a_dataclass_and_extra_keys_are_ignored() -> None:
    value = {"id": "9", "coll": "X", "ts": TS, "name": "Bo", "age": 1, "unknown": [1]}
    assert decode_into(value, Person) == Person("9", "X", TS, "Bo", 1)


def test_missing_required_field_is_named() -> None:
    error = misfit({"id": "1", "coll": "X", "ts": TS, "name": "A"}, Person)
    assert error.path == "$.age"
    assert "missing required field of Person" in str(error)


def test_path_of_a_deep_misfit() -> None:
    value = {"data": [person(str(i)) for i in range(3)] + [person("3", age="old")]}
    error = misfit(value, dict[str, list[Person]])
    assert str(error).startswith("$.data[3].age: expected int, got str")
    assert error.path == "$.data[3].age"
    assert error.raw is value
    assert isinstance(error, ClientError)


def test_error_pickles_with_its_fields() -> None:
    error = misfit(["x"], list[int])
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.problem, copy.raw) == ("$[0]", error.problem, ["x"])


def test_recursive_dataclass() -> None:
    tree = {"label": "a", "children": [{"label": "b"}, {"label": "c", "children": []}]}
    assert decode_into(tree, Node) == Node("a", [Node("b"), Node("c")])
    assert misfit({"label": "a", "children": [{"label": 1}]}, Node).path == "$.children[0].label"


def test_pydantic_model_from_documents_with_validation() -> None:
    value = person(friends=[person("2", name="Bob", age=40)])
    model = decode_into(value, PersonModel)
    assert model.friends[0].name == "Bob" and model.coll == "People"
    error = misfit(person(age=-1), PersonModel)
    assert error.path == "$.age"
    assert "greater than or equal to 0" in str(error)
    assert misfit(person(friends=[{"name": "x"}]), PersonModel).path.startswith("$.friends[0]")


class CollectionModel(pydantic.BaseModel):
    name: str
    coll: str
    ts: datetime
    owners: list[str]
    links: list[Any]
    extra: dict[str, Any]


def test_pydantic_model_from_documents_flattens_every_field() -> None:
    # A named document, a list mixing modules and strings, a list already plain, and
    # documents and modules nested in an object: each reaches pydantic as plain values.
    document = NamedDocument(
        name="People",
        ts=TS,
        coll=Module("Collection"),
        data={
            "owners": [Module("Admins"), "ada"],
            "links": ["a", 1, TS],
            "extra": {
                "mod": Module("Math"),
                "doc": person(),
                "gone": NullDocument(DocumentReference("People", "9"), "not found"),
            },
        },
    )
    model = decode_into(document, CollectionModel)
    assert (model.name, model.coll, model.ts) == ("People", "Collection", TS)
    assert model.owners == ["Admins", "ada"]
    assert model.links == ["a", 1, TS]
    assert model.extra["mod"] == "Math" and model.extra["gone"] is None
    assert model.extra["doc"] == {"id": "1", "coll": "People", "ts": TS, "name": "Ada", "age": 36}
    pages = decode_into(Page(data=[document, document]), Page[CollectionModel])
    assert pages.data == [model, model]
    bad = NamedDocument(name="X", ts=TS, coll=Module("C"), data={**document, "owners": [1]})
    assert misfit(Page(data=[document, bad]), Page[CollectionModel]).path == "$.data[1].owners[0]"


def test_typed_dict_from_a_document() -> None:
    assert decode_into(person(), PersonDict) == {"name": "Ada", "age": 36}
    assert decode_into({}, PersonDict) == {}
    assert misfit({"age": "x"}, PersonDict).path == "$.age"


@pytest.mark.parametrize(
    ("value", "into", "expected"),
    [
        (1, int, 1),
        (1, float, 1.0),
        (1.5, float, 1.5),
        (True, bool, True),
        ("s", str, "s"),
        (Module("Dogs"), str, "Dogs"),
        (b"\x00", bytes, b"\x00"),
        (date(2024, 1, 1), date, date(2024, 1, 1)),
        (TS, datetime, TS),
        ("red", Color, Color.RED),
        (Color.BLUE, Color, Color.BLUE),
        (
            "12345678-1234-5678-1234-567812345678",
            uuid.UUID,
            uuid.UUID(int=0x12345678123456781234567812345678),
        ),
        (None, None, None),
        (None, Optional[int], None),  # noqa: UP045  (the typing spelling on purpose)
        (3, Union[str, int], 3),  # noqa: UP007
        ("b", Literal["a", "b"], "b"),
        ([1, 2], tuple[int, ...], (1, 2)),
        ([1, "a"], tuple[int, str], (1, "a")),
        ([1, 1], set[int], {1}),
        ([1], frozenset[int], frozenset({1})),
        ([1], Sequence[int], [1]),
        ({"a": 1}, Mapping[str, int], {"a": 1}),
        (5, Annotated[int, "meta"], 5),
        ("u1", UserId, "u1"),
        ({"x": [1]}, Any, {"x": [1]}),
        ({"x": [1]}, object, {"x": [1]}),
        ("Dogs", Module, Module("Dogs")),
    ],
)
def test_builtins_and_typing_forms(value: Any, into: Any, expected: Any) -> None:
    assert decode_into(value, into) == expected


@pytest.mark.parametrize(
    ("value", "into", "problem"),
    [
        ("1", int, "expected int, got str"),
        (True, int, "expected int, got bool"),
        (1, bool, "expected bool, got int"),
        (TS, date, "expected date, got FaunaTime"),
        ("x", Color, "expected a Color value, got 'x'"),
        ("c", Literal["a", "b"], "expected Literal['a', 'b'], got 'c'"),
        (1.5, int | str, "expected int | str, got float"),
        ([1, 2, 3], tuple[int, int], "expected tuple[int, int], got list"),
        ("nope", uuid.UUID, "expected UUID, got str 'nope'"),
        (Page(data=[1]), list[int], "expected list, got Page"),
    ],
)
def test_misfits_say_what_was_expected(value: Any, into: Any, problem: str) -> None:
    assert misfit(value, into).problem.startswith(problem)


def test_null_document_fits_none() -> None:
    missing = NullDocument(DocumentReference("People", "404"), "not found")
    assert decode_into(missing, Optional[Person]) is None  # noqa: UP045
    assert decode_into([missing, person()], list[Person | None])[1] == Person(
        "1", "People", TS, "Ada", 36
    )


def test_optional_reports_the_inner_path() -> None:
    assert misfit(person(age="x"), Optional[Person]).path == "$.age"  # noqa: UP045


def test_driver_models_as_they_are() -> None:
    doc = person()
    named = NamedDocument(name="People", ts=TS, coll=Module("Collection"))
    assert decode_into(doc, Document) is doc
    assert decode_into(named, NamedDocument) is named
    assert decode_into(doc, DocumentReference) == DocumentReference("People", "1")
    assert decode_into(TS, FaunaTime) is TS
    aware = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert isinstance(decode_into(aware, FaunaTime), FaunaTime)
    assert misfit(doc, NamedDocument).problem.startswith("expected NamedDocument, got Document")


def test_document_into_a_dict_includes_metadata() -> None:
    assert decode_into(person(), dict[str, Any]) == {
        "id": "1",
        "coll": Module("People"),
        "ts": TS,
        "name": "Ada",
        "age": 36,
    }


def test_dataclass_post_init_refusal_becomes_a_misfit() -> None:
    @dataclasses.dataclass
    class Positive:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("n must be >= 0")

    assert "n must be >= 0" in misfit({"n": -1}, Positive).problem


def test_unsupported_into_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="into"):
        decode_into(1, "Person")  # type: ignore[call-overload]


def test_a_set_where_a_value_was_expected_gets_a_hint() -> None:
    assert "paginate(q, into=T)" in misfit(Page(data=[person()], after="x"), Person).problem


def test_pydantic_is_not_imported_unless_a_model_is_used() -> None:
    script = (
        "import sys, dataclasses\n"
        "from fauna import fql\n"
        "from fauna.encoding import FaunaEncoder, decode_into\n"
        "@dataclasses.dataclass\n"
        "class P:\n"
        "    n: int\n"
        "assert decode_into({'n': 1}, P) == P(1)\n"
        "FaunaEncoder.encode(fql('${p}', p=P(1)))\n"
        "assert 'pydantic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_page_of_a_type() -> None:
    page = decode_into(Page(data=[person()], after="next"), Page[Person])
    assert page == Page(data=[Person("1", "People", TS, "Ada", 36)], after="next")
    error = misfit(Page(data=[person(), person(age="x")]), Page[Person])
    assert error.path == "$.data[1].age"
    assert decode_into(Page(after="only-a-cursor"), Page[Person]) == Page(after="only-a-cursor")
    assert misfit([person()], Page[Person]).problem.startswith("expected Page, got list")


def test_loads_for_models_gives_the_form_pydantic_takes() -> None:
    body = json.dumps(
        {
            "data": {
                "@set": {
                    "data": [
                        {
                            "@doc": {
                                "id": "1",
                                "coll": {"@mod": "People"},
                                "ts": {"@time": "2024-01-02T03:04:05Z"},
                                "team": {"@mod": "Teams"},
                                "boss": {"@ref": {"id": "2", "coll": {"@mod": "People"}}},
                                "gone": {
                                    "@ref": {"id": "3", "coll": {"@mod": "People"}, "exists": False}
                                },
                            }
                        }
                    ],
                    "after": "next",
                }
            }
        }
    )
    page = loads_for_models(body)["data"]
    assert isinstance(page, Page) and page.after == "next"
    (person_doc,) = page.data
    assert type(person_doc) is PlainDocument
    assert person_doc == {
        "id": "1",
        "coll": "People",
        "ts": FaunaTime(2024, 1, 2, 3, 4, 5),
        "team": "Teams",
        "boss": DocumentReference("People", "2"),
        "gone": None,
    }
    # The same as flattening what the ordinary decoding gives.
    assert decode_into(page, Page[PersonDoc]) == decode_into(
        FaunaDecoder.loads(body)["data"], Page[PersonDoc]
    )
    # A body with an escaped key, or one that is not JSON: the caller decodes it as usual.
    assert loads_for_models('{"data": {"@object": {"@x": 1}}}') is None
    assert loads_for_models("not json") is None


class PersonDoc(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)

    id: str
    coll: str
    team: str
    boss: DocumentReference
    gone: Any


def test_only_model_shaped_targets_are_decoded_for_models() -> None:
    assert IntoType(PersonModel).for_models
    assert IntoType(list[PersonModel]).for_models and IntoType(Page[PersonModel]).for_models
    for other in (Person, dict[str, PersonModel], PersonModel | None, int, Page[Person]):
        assert not IntoType(other).for_models

"""User classes in queries (dataclasses, pydantic models, TypedDicts, enums) and codecs."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, TypedDict

import pydantic
import pytest

from fauna import fql
from fauna.encoding import (
    EncodingError,
    FaunaEncoder,
    decode_into,
    register_codec,
    unregister_codec,
)
from fauna.errors import ResultTypeError
from fauna.query import DocumentReference


class Size(enum.Enum):
    SMALL = "s"
    LARGE = "l"


class Level(enum.IntEnum):
    LOW = 1


@dataclasses.dataclass
class Address:
    city: str


@dataclasses.dataclass
class Dog:
    name: str
    size: Size
    home: Address
    owner: DocumentReference | None = None


class DogModel(pydantic.BaseModel):
    name: str
    size: Size
    nick: str = pydantic.Field(alias="nickname")


class DogDict(TypedDict):
    name: str
    age: int


@dataclasses.dataclass(frozen=True)
class Money:
    cents: int


@pytest.fixture
def money_codec() -> Iterator[None]:
    register_codec(
        Money,
        encode=lambda money: {"cents": money.cents},
        decode=lambda value: Money(int(value["cents"])),
    )
    yield
    unregister_codec(Money)


def value_of(template: str, **args: Any) -> Any:
    """The wire form of the single argument of ``template``."""
    (_, fragment, _) = FaunaEncoder.encode(fql(template, **args))["fql"]
    return fragment["value"]


def test_dataclass_encodes_as_an_object_of_its_fields_nested_values_included() -> None:
    dog = Dog("Scout", Size.LARGE, Address("Oslo"), DocumentReference("People", "7"))
    assert value_of("Dogs.create(${d})", d=dog) == {
        "name": "Scout",
        "size": "l",
        "home": {"city": "Oslo"},
        "owner": {"@ref": {"id": "7", "coll": {"@mod": "People"}}},
    }


def test_pydantic_model_encodes_by_alias_so_it_reads_back() -> None:
    model = DogModel(name="Rex", size=Size.SMALL, nickname="R")
    encoded = value_of("Dogs.create(${d})", d=model)
    assert encoded == {"name": "Rex", "size": "s", "nickname": "R"}
    assert decode_into({"name": "Rex", "size": "s", "nickname": "R"}, DogModel) == model


def test_typed_dict_and_enums_need_nothing() -> None:
    assert value_of("f(${d})", d=DogDict(name="A", age=2)) == {"name": "A", "age": {"@int": "2"}}
    assert value_of("f(${e})", e=[Size.SMALL, Level.LOW]) == ["s", {"@int": "1"}]


def test_a_dataclass_that_contains_itself_is_refused() -> None:
    @dataclasses.dataclass
    class Loop:
        me: Any = None

    loop = Loop()
    loop.me = loop
    with pytest.raises(ValueError, match="Circular reference"):
        FaunaEncoder.encode(loop)


def test_unknown_class_is_still_an_encoding_error() -> None:
    class Opaque:
        pass

    with pytest.raises(EncodingError, match="cannot be encoded"):
        FaunaEncoder.encode(Opaque())


def test_codec_takes_precedence_over_the_dataclass_shape() -> None:
    register_codec(Money, encode=lambda money: f"{money.cents}c")
    try:
        assert value_of("f(${m})", m=Money(3)) == "3c"
    finally:
        unregister_codec(Money)
    assert value_of("f(${m})", m=Money(3)) == {"cents": {"@int": "3"}}


def test_codec_is_used_both_ways(money_codec: None) -> None:
    assert FaunaEncoder.encode(Money(250)) == {"cents": {"@int": "250"}}
    assert decode_into({"cents": 250}, Money) == Money(250)
    assert decode_into([{"cents": 1}], list[Money]) == [Money(1)]


def test_codec_applies_to_subclasses_when_encoding(money_codec: None) -> None:
    @dataclasses.dataclass(frozen=True)
    class Euros(Money):
        pass

    assert FaunaEncoder.encode(Euros(5)) == {"cents": {"@int": "5"}}


def test_codec_decode_failure_names_the_path(money_codec: None) -> None:
    with pytest.raises(ResultTypeError) as caught:
        decode_into({"price": {"cents": "lots"}}, dict[str, Money])
    assert caught.value.path == "$.price"
    assert "expected Money" in str(caught.value)


def test_codec_for_a_library_type_and_replacing_a_codec_clears_the_cache() -> None:
    register_codec(Decimal, encode=str, decode=Decimal)
    try:
        assert FaunaEncoder.encode(Decimal("1.10")) == "1.10"
        assert decode_into("1.10", Decimal) == Decimal("1.10")
        register_codec(Decimal, decode=lambda value: Decimal(value) * 2)
        assert decode_into("1", Decimal) == Decimal(2)
    finally:
        unregister_codec(Decimal)
    with pytest.raises(ResultTypeError):
        decode_into("1", Decimal)


def test_register_codec_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="encode"):
        register_codec(Money)
    with pytest.raises(TypeError, match="class"):
        register_codec("Money", encode=str)  # type: ignore[call-overload, arg-type]


def test_a_query_inside_a_dataclass_runs_as_fql() -> None:
    @dataclasses.dataclass
    class Wrapper:
        total: Any
        label: str

    (_, fragment, _) = FaunaEncoder.encode(fql("f(${w})", w=Wrapper(fql("1 + 1"), "x")))["fql"]
    assert fragment == {"object": {"total": {"fql": ["1 + 1"]}, "label": {"value": "x"}}}

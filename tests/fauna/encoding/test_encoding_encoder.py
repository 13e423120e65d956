"""``FaunaEncoder``: Python values to exact tagged wire JSON, one type at a time."""

from __future__ import annotations

import base64
import enum
import json
import uuid
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from fauna.encoding import EncodingError, FaunaEncoder
from fauna.query import (
    Document,
    DocumentReference,
    EventSource,
    FaunaTime,
    Module,
    NamedDocument,
    NamedDocumentReference,
    NullDocument,
    Page,
    fql,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("hello", "hello"),
        ("", ""),
        (True, True),
        (False, False),
        (None, None),
        (0, {"@int": "0"}),
        (10, {"@int": "10"}),
        (2**31 - 1, {"@int": "2147483647"}),
        (-(2**31), {"@int": "-2147483648"}),
        (2**31, {"@long": "2147483648"}),
        (-(2**31) - 1, {"@long": "-2147483649"}),
        (2**63 - 1, {"@long": "9223372036854775807"}),
        (-(2**63), {"@long": "-9223372036854775808"}),
        (-100.0, {"@double": "-100.0"}),
        (9.999999999999, {"@double": "9.999999999999"}),
        (1e100, {"@double": "1e+100"}),
        (float("inf"), {"@double": "inf"}),
        (float("nan"), {"@double": "nan"}),
    ],
)
def test_scalars(value: Any, wire: Any) -> None:
    assert FaunaEncoder.encode(value) == wire


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_ints_beyond_64_bits_are_refused_not_rounded(value: int) -> None:
    with pytest.raises(ValueError, match="Precision loss when converting int to Fauna type"):
        FaunaEncoder.encode(value)


def test_times_and_dates() -> None:
    aware = datetime(2023, 2, 28, 10, 10, 10, 1, tzinfo=UTC)
    assert FaunaEncoder.encode(aware) == {"@time": "2023-02-28T10:10:10.000001+00:00"}
    offset = datetime(2023, 1, 1, 5, 6, 7, 123456, tzinfo=timezone(timedelta(hours=-5)))
    assert FaunaEncoder.encode(offset) == {"@time": "2023-01-01T05:06:07.123456-05:00"}
    assert FaunaEncoder.encode(datetime(2023, 1, 1, tzinfo=UTC)) == {
        "@time": "2023-01-01T00:00:00+00:00"
    }
    precise = FaunaTime(2023, 3, 17, 12, 34, 56, 123456, nanosecond=789)
    assert FaunaEncoder.encode(precise) == {"@time": "2023-03-17T12:34:56.123456789Z"}
    assert FaunaEncoder.encode(date(2023, 2, 28)) == {"@date": "2023-02-28"}


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="datetimes must be timezone-aware"):
        FaunaEncoder.encode(datetime(2023, 2, 2))


def test_bytes() -> None:
    raw = "🚀 !@#$%^&*()".encode()
    wire = {"@bytes": base64.b64encode(raw).decode()}
    assert FaunaEncoder.encode(raw) == wire
    assert FaunaEncoder.encode(bytearray(raw)) == wire
    assert FaunaEncoder.encode(b"\x01\x02\x03") == {"@bytes": "AQID"}
    assert FaunaEncoder.encode(b"\x01") == {"@bytes": "AQ=="}


def test_fauna_types() -> None:
    ts = datetime(2023, 1, 1, tzinfo=UTC)
    ref = {"@ref": {"id": "123", "coll": {"@mod": "Dogs"}}}
    named_ref = {"@ref": {"name": "Party", "coll": {"@mod": "Collection"}}}
    assert FaunaEncoder.encode(Module("Math")) == {"@mod": "Math"}
    assert FaunaEncoder.encode(DocumentReference("Dogs", "123")) == ref
    assert FaunaEncoder.encode(NamedDocumentReference("Collection", "Party")) == named_ref
    assert FaunaEncoder.encode(Document(id="123", coll="Dogs", ts=ts, data={"a": 1})) == ref
    assert FaunaEncoder.encode(NamedDocument(name="Party", coll="Collection", ts=ts)) == named_ref
    null = NullDocument(DocumentReference("Dogs", "123"), "not found")
    assert FaunaEncoder.encode(null) == ref
    assert FaunaEncoder.encode(NullDocument(NamedDocumentReference("Collection", "Party"))) == (
        named_ref
    )
    assert FaunaEncoder.encode(EventSource("tok")) == {"@stream": "tok"}


def test_uuids_encode_as_strings() -> None:
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert FaunaEncoder.encode(value) == "12345678-1234-5678-1234-567812345678"


def test_enums_encode_as_their_values() -> None:
    class Color(enum.Enum):
        RED = "red"
        SIZE = 3
        WHEN = date(2023, 1, 1)

    class Level(enum.IntEnum):
        HIGH = 7

    class Name(str, enum.Enum):
        ADA = "ada"

    assert FaunaEncoder.encode(Color.RED) == "red"
    assert FaunaEncoder.encode(Color.SIZE) == {"@int": "3"}
    assert FaunaEncoder.encode(Color.WHEN) == {"@date": "2023-01-01"}
    assert FaunaEncoder.encode(Level.HIGH) == {"@int": "7"}
    encoded_name = FaunaEncoder.encode(Name.ADA)
    assert encoded_name == "ada" and type(encoded_name) is str
    assert json.dumps(FaunaEncoder.encode({"level": Level.HIGH})) == '{"level": {"@int": "7"}}'


def test_subclasses_of_builtins() -> None:
    class Text(str):
        pass

    class Count(int):
        def __repr__(self) -> str:
            return "Count!"

    assert FaunaEncoder.encode(Text("x")) == "x"
    assert FaunaEncoder.encode(Count(5)) == {"@int": "5"}
    assert FaunaEncoder.encode(OrderedDict(a=1)) == {"a": {"@int": "1"}}


def test_collections() -> None:
    value = {
        "int": 10,
        "double": 10.0,
        "long": 2147483649,
        "string": "foo",
        "true": True,
        "none": None,
        "date": date(2023, 2, 28),
        "list": [1, (2, 3)],
    }
    wire = {
        "int": {"@int": "10"},
        "double": {"@double": "10.0"},
        "long": {"@long": "2147483649"},
        "string": "foo",
        "true": True,
        "none": None,
        "date": {"@date": "2023-02-28"},
        "list": [{"@int": "1"}, [{"@int": "2"}, {"@int": "3"}]],
    }
    assert FaunaEncoder.encode(value) == wire
    assert FaunaEncoder.encode(tuple(value.values())) == list(wire.values())
    assert FaunaEncoder.encode([10] * 10000) == [{"@int": "10"}] * 10000


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ({"@int": 10}, {"@object": {"@int": {"@int": "10"}}}),
        ({"@int": "bar"}, {"@object": {"@int": "bar"}}),
        ({"@foo": 10}, {"@object": {"@foo": {"@int": "10"}}}),
        ({"@bytes": "x"}, {"@object": {"@bytes": "x"}}),
        ({"@stream": "x"}, {"@object": {"@stream": "x"}}),
        ({"@": 1}, {"@object": {"@": {"@int": "1"}}}),
        ({"@int": "foo", "tree": "birch"}, {"@object": {"@int": "foo", "tree": "birch"}}),
        ({"@object": 10}, {"@object": {"@object": {"@int": "10"}}}),
        ({"@object": {"@int": "bar"}}, {"@object": {"@object": {"@object": {"@int": "bar"}}}}),
        (
            {"@object": {"@object": "bar"}},
            {"@object": {"@object": {"@object": {"@object": "bar"}}}},
        ),
        (
            {"@ref": DocumentReference("Col", "123")},
            {"@object": {"@ref": {"@ref": {"id": "123", "coll": {"@mod": "Col"}}}}},
        ),
        (
            {"@int": {"@date": {"@time": {"@long": 10}}}},
            {
                "@object": {
                    "@int": {
                        "@object": {
                            "@date": {"@object": {"@time": {"@object": {"@long": {"@int": "10"}}}}}
                        }
                    }
                }
            },
        ),
        ({"fql": "x", "value": 1}, {"fql": "x", "value": {"@int": "1"}}),
        ({"email@example": 1}, {"email@example": {"@int": "1"}}),
    ],
)
def test_keys_starting_with_at_are_escaped(value: Any, wire: Any) -> None:
    assert FaunaEncoder.encode(value) == wire


def test_queries() -> None:
    assert FaunaEncoder.encode(fql("let x = 11")) == {"fql": ["let x = 11"]}
    assert FaunaEncoder.encode(fql("${x} + 1", x=1)) == {"fql": [{"value": {"@int": "1"}}, " + 1"]}
    assert FaunaEncoder.encode(fql("${q}", q=fql("2"))) == {"fql": [{"fql": ["2"]}]}
    assert json.dumps(FaunaEncoder.encode(fql("${x}", x=FaunaTime(2023, 1, 1)))) == (
        '{"fql": [{"value": {"@time": "2023-01-01T00:00:00Z"}}]}'
    )


def test_circular_references_are_detected() -> None:
    looped: dict[str, Any] = {"foo": "bar"}
    looped["self"] = looped
    with pytest.raises(ValueError, match="Circular reference detected: a dict contains itself"):
        FaunaEncoder.encode(looped)
    lst: list[Any] = [1]
    lst.append([lst])
    with pytest.raises(ValueError, match="Circular reference detected: a list contains itself"):
        FaunaEncoder.encode(fql("${x}", x=lst))


def test_the_same_object_twice_is_not_a_cycle() -> None:
    shared: list[Any] = []
    value = [{"value": "test", "list1": shared, "list2": shared}]
    assert FaunaEncoder.encode(fql("${x}", x=value)) == {
        "fql": [{"value": [{"value": "test", "list1": [], "list2": []}]}]
    }
    twice = {"a": 1}
    assert FaunaEncoder.encode([twice, twice]) == [{"a": {"@int": "1"}}] * 2


def test_deep_nesting() -> None:
    value: dict[str, Any] = {"k1": "v"}
    node = value
    for depth in range(2, 300):
        child: dict[str, Any] = {f"k{depth}": "v"}
        node[f"k{depth}"] = child
        node = child
    assert FaunaEncoder.encode(value) == value


@pytest.mark.parametrize(
    "value", [object(), Page(), {1, 2}, Decimal("1.5"), timedelta(1), lambda: 1]
)
def test_unencodable_values_name_their_type(value: Any) -> None:
    with pytest.raises(EncodingError) as raised:
        FaunaEncoder.encode({"nested": [value]})
    assert f"of type {type(value)} cannot be encoded" in str(raised.value)
    # Both a TypeError and the ValueError the official driver raised.
    assert isinstance(raised.value, TypeError) and isinstance(raised.value, ValueError)


def test_page_error_message_matches_the_official_driver() -> None:
    with pytest.raises(
        ValueError,
        match=r"Object Page\(\) of type <class 'fauna.query.models.Page'> cannot be encoded",
    ):
        FaunaEncoder.encode(Page())
    with pytest.raises(EncodingError, match=r"pass its cursor \(page.after\) to Set.paginate"):
        FaunaEncoder.encode(Page(after="cursor"))


def test_per_type_helpers() -> None:
    assert FaunaEncoder.from_int(1) == {"@int": "1"}
    assert FaunaEncoder.from_bool(True) is True
    assert FaunaEncoder.from_float(1.5) == {"@double": "1.5"}
    assert FaunaEncoder.from_str("s") == "s"
    assert FaunaEncoder.from_date(date(2023, 1, 2)) == {"@date": "2023-01-02"}
    assert FaunaEncoder.from_datetime(datetime(2023, 1, 2, tzinfo=UTC)) == {
        "@time": "2023-01-02T00:00:00+00:00"
    }
    assert FaunaEncoder.from_bytes(b"\x01") == {"@bytes": "AQ=="}
    assert FaunaEncoder.from_mod(Module("M")) == {"@mod": "M"}
    assert FaunaEncoder.from_doc_ref(DocumentReference("C", "1")) == {
        "@ref": {"id": "1", "coll": {"@mod": "C"}}
    }
    assert FaunaEncoder.from_named_doc_ref(NamedDocumentReference("C", "n")) == {
        "@ref": {"name": "n", "coll": {"@mod": "C"}}
    }
    assert FaunaEncoder.from_dict({"a": 1}) == {"@object": {"a": 1}}
    assert FaunaEncoder.from_none() is None
    assert FaunaEncoder.from_query_interpolation_builder(fql("1")) == {"fql": ["1"]}
    assert FaunaEncoder.from_fragment(fql("${x}", x=1).fragments[0]) == {"value": {"@int": "1"}}
    assert FaunaEncoder.from_streamtoken(EventSource("t")) == {"@stream": "t"}


def test_output_is_json_serialisable_as_is() -> None:
    value = {"t": FaunaTime(2023, 1, 1), "b": b"\x00", "m": Module("M"), "n": [1.5, None]}
    assert json.loads(json.dumps(FaunaEncoder.encode(value))) == FaunaEncoder.encode(value)


def test_lists_and_dicts_holding_queries_compose() -> None:
    composed = fql("${x}", x=[fql("1"), {"a": fql("2"), "b": 3}])
    assert FaunaEncoder.encode(composed) == {
        "fql": [
            {
                "array": [
                    {"fql": ["1"]},
                    {"object": {"a": {"fql": ["2"]}, "b": {"value": {"@int": "3"}}}},
                ]
            }
        ]
    }

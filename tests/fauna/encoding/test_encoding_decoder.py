"""``FaunaDecoder``: tagged wire JSON to Python values.

Every case runs twice: through ``decode`` (already-parsed JSON) and through ``loads`` (JSON text,
decoded while parsing); both must agree.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

import pytest

from fauna.encoding import FaunaDecoder, FaunaEncoder
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
)

UTC = timezone.utc
TS = "2023-03-17T00:00:00Z"
TS_VALUE = datetime(2023, 3, 17, tzinfo=UTC)

Decode = Callable[[Any], Any]


@pytest.fixture(params=["decode", "loads"])
def decode(request: pytest.FixtureRequest) -> Decode:
    if request.param == "decode":
        return FaunaDecoder.decode
    return lambda wire: FaunaDecoder.loads(json.dumps(wire))


@pytest.mark.parametrize(
    ("wire", "value"),
    [
        ("hello", "hello"),
        (True, True),
        (None, None),
        (1.5, 1.5),
        (7, 7),
        ({"@int": "10"}, 10),
        ({"@int": "-2147483648"}, -(2**31)),
        ({"@long": "9223372036854775807"}, 2**63 - 1),
        ({"@double": "1.5"}, 1.5),
        ({"@double": "1.0E21"}, 1e21),
        ({"@double": "1.0E-4"}, 1e-4),
        ({"@double": "Infinity"}, float("inf")),
        ({"@double": "-Infinity"}, float("-inf")),
        ({"@date": "2022-12-13"}, date(2022, 12, 13)),
        ({"@time": "2023-04-06T03:33:32.226Z"}, datetime(2023, 4, 6, 3, 33, 32, 226000, UTC)),
        ({"@bytes": "AQID"}, bytearray(b"\x01\x02\x03")),
        ({"@bytes": "AQ=="}, bytearray(b"\x01")),
        ({"@mod": "Math"}, Module("Math")),
        ({"@stream": "tok"}, EventSource("tok")),
        (
            {"@uuid": "12345678-1234-5678-1234-567812345678"},
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ),
        ([{"@int": "1"}, [{"@int": "2"}]], [1, [2]]),
        ({"a": {"@int": "1"}, "b": [{"@long": "2"}]}, {"a": 1, "b": [2]}),
        ({"@foo": {"@int": "1"}}, {"@foo": 1}),
        ({"@int": "1", "@long": "2"}, {"@int": "1", "@long": "2"}),
        ({}, {}),
        ([], []),
    ],
)
def test_scalars_and_containers(decode: Decode, wire: Any, value: Any) -> None:
    decoded = decode(wire)
    assert decoded == value
    assert type(decoded) is type(value) or isinstance(decoded, type(value))


def test_nan(decode: Decode) -> None:
    decoded = decode({"@double": "NaN"})
    assert decoded != decoded


def test_times_are_fauna_times(decode: Decode) -> None:
    decoded = decode({"@time": "2023-03-17T12:34:56.123456789Z"})
    assert isinstance(decoded, FaunaTime)
    assert decoded.nanosecond == 789
    assert decoded == FaunaTime(2023, 3, 17, 12, 34, 56, 123456, nanosecond=789)


def test_documents(decode: Decode) -> None:
    wire = {
        "@doc": {
            "id": "123",
            "coll": {"@mod": "Dogs"},
            "ts": {"@time": TS},
            "name": "Scout",
            "age": {"@int": "3"},
            "friend": {"@ref": {"id": "9", "coll": {"@mod": "Dogs"}}},
        }
    }
    doc = decode(wire)
    assert doc == Document(
        id="123",
        coll="Dogs",
        ts=TS_VALUE,
        data={"name": "Scout", "age": 3, "friend": DocumentReference("Dogs", "9")},
    )
    assert type(doc.ts) is FaunaTime
    assert list(doc) == ["name", "age", "friend"]


def test_named_documents(decode: Decode) -> None:
    wire = {
        "@doc": {
            "name": "Dogs",
            "coll": {"@mod": "Collection"},
            "ts": {"@time": TS},
            "indexes": {},
        }
    }
    assert decode(wire) == NamedDocument(
        name="Dogs", coll="Collection", ts=TS_VALUE, data={"indexes": {}}
    )


def test_doc_forms_that_are_not_documents(decode: Decode) -> None:
    assert decode({"@doc": "Dogs:123"}) == DocumentReference("Dogs", "123")
    # No ``ts``: the plain decoded object, for forward compatibility.
    assert decode({"@doc": {"id": "1", "coll": {"@mod": "C"}}}) == {"id": "1", "coll": Module("C")}


def test_references(decode: Decode) -> None:
    assert decode({"@ref": {"id": "1", "coll": {"@mod": "C"}}}) == DocumentReference("C", "1")
    assert decode({"@ref": {"name": "n", "coll": {"@mod": "Collection"}}}) == (
        NamedDocumentReference("Collection", "n")
    )
    assert decode({"@ref": {"id": "1", "coll": {"@mod": "C"}, "exists": True}}) == (
        DocumentReference("C", "1")
    )
    assert decode({"@ref": {"other": 1}}) == {"other": 1}


@pytest.mark.parametrize("cause", ["not found", "deleted", "permission denied", None])
def test_missing_documents(decode: Decode, cause: str | None) -> None:
    inner: dict[str, Any] = {"id": "456", "coll": {"@mod": "NDCol"}, "exists": False}
    if cause is not None:
        inner["cause"] = cause
    assert decode({"@ref": inner}) == NullDocument(DocumentReference("NDCol", "456"), cause)
    named = {"name": "Party", "coll": {"@mod": "Collection"}, "exists": False, "cause": cause}
    assert decode({"@ref": named}) == NullDocument(
        NamedDocumentReference("Collection", "Party"), cause
    )


def test_sets(decode: Decode) -> None:
    assert decode({"@set": {"data": [{"@int": "1"}, 2], "after": "cur"}}) == Page([1, 2], "cur")
    assert decode({"@set": {"data": [1, 2]}}) == Page(data=[1, 2])
    assert decode({"@set": {"data": []}}) == Page(data=[])
    assert decode({"@set": "cursor"}) == Page(after="cursor")


def test_escaped_objects(decode: Decode) -> None:
    assert decode({"@object": {"@int": {"@int": "10"}}}) == {"@int": 10}
    assert decode({"@object": {"@int": "bar"}}) == {"@int": "bar"}
    assert decode({"@object": {"@time": "not a time"}}) == {"@time": "not a time"}
    assert decode({"@object": {"@object": {"@object": {"@object": "bar"}}}}) == {
        "@object": {"@object": "bar"}
    }
    assert decode(
        {"@object": {"@doc": {"id": "1", "coll": {"@mod": "C"}, "ts": {"@time": TS}}}}
    ) == {"@doc": {"id": "1", "coll": Module("C"), "ts": TS_VALUE}}
    assert decode({"@object": {"@ref": {"id": "1", "coll": {"@mod": "C"}}, "x": [1]}}) == {
        "@ref": {"id": "1", "coll": Module("C")},
        "x": [1],
    }
    assert decode({"@object": {"@set": {"data": [1]}}}) == {"@set": {"data": [1]}}


@pytest.mark.parametrize(
    "value",
    [
        {"@int": 10},
        {"@object": 10},
        {"@object": {"@object": "bar"}},
        {"@int": {"@date": {"@time": {"@long": 10}}}},
        {"@date": date(2023, 2, 28), "plain": "x"},
        {"@ref": DocumentReference("C", "1")},
        {"@mod": "not a module", "@bytes": b"\x00"},
        {"k": [{"@doc": "x"}, {"@set": {"@stream": "y"}}]},
    ],
)
def test_encode_then_decode_round_trips(decode: Decode, value: Any) -> None:
    assert decode(FaunaEncoder.encode(value)) == value


def test_a_response_body(decode: Decode) -> None:
    body = {
        "data": {
            "@set": {"data": [{"@doc": {"id": "1", "coll": {"@mod": "C"}, "ts": {"@time": TS}}}]}
        },
        "static_type": "Set<C>",
        "summary": "",
        "txn_ts": 1700000000000000,
        "stats": {"compute_ops": 1},
        "schema_version": 0,
    }
    decoded = decode(body)
    assert decoded["data"] == Page([Document(id="1", coll="C", ts=TS_VALUE)])
    assert decoded["txn_ts"] == 1700000000000000
    assert decoded["stats"] == {"compute_ops": 1}


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ({"@int": "ten"}, "invalid literal"),
        ({"@int": 10}, "Invalid @int value 10: expected a string"),
        ({"@time": "yesterday"}, "Invalid @time value 'yesterday'"),
        ({"@date": "2023-02-30"}, "Invalid @date value '2023-02-30'"),
        ({"@mod": 1}, "Invalid @mod value 1"),
        ({"@set": 1}, "Invalid @set value 1"),
        ({"x": [{"@int": "x"}]}, "invalid literal"),
        ([{"@long": "1.5"}, {"a": 1, "b": 2}], "invalid literal"),
    ],
)
def test_malformed_tags_raise(decode: Decode, wire: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode(wire)


def test_loads_rejects_invalid_json() -> None:
    with pytest.raises(ValueError):
        FaunaDecoder.loads("{not json")
    with pytest.raises(ValueError):
        FaunaDecoder.loads(b"\xff\xfe")


def test_loads_accepts_bytes_and_shares_equal_values() -> None:
    body = json.dumps([{"@mod": "C"}, {"@mod": "C"}, {"@time": TS}, {"@time": TS}]).encode()
    first_mod, second_mod, first_ts, second_ts = FaunaDecoder.loads(body)
    assert first_mod == second_mod == Module("C")
    assert first_ts == second_ts == TS_VALUE


def test_deep_nesting(decode: Decode) -> None:
    value: Any = {"@int": "1"}
    for _ in range(150):
        value = {"k": [value]}  # 300 levels of containers
    decoded = decode(value)
    for _ in range(150):
        decoded = decoded["k"][0]
    assert decoded == 1


# Property: whatever a user can encode decodes back to an equal value, through both paths.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = st.sampled_from(
    ["@int", "@long", "@double", "@object", "@doc", "@ref", "@set", "@time", "@date", "@mod",
     "@bytes", "@stream", "@uuid", "@foo", "a", "id", "coll", "ts", "data", "after", "name",
     "exists", "cause", "fql", "value"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.dates(),
    st.builds(
        FaunaTime.from_datetime,
        st.datetimes(timezones=st.just(UTC)),
        st.integers(min_value=0, max_value=999),
    ),
    st.binary(max_size=8),
    st.builds(Module, st.sampled_from(["C", "Math", "@int"])),
    st.builds(DocumentReference, st.sampled_from(["C", "D"]), st.sampled_from(["1", "2"])),
    st.builds(EventSource, st.text(max_size=4)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_any_encodable_value_round_trips_through_both_decoders(value: Any) -> None:
    wire = FaunaEncoder.encode(value)
    assert FaunaDecoder.decode(wire) == value
    assert FaunaDecoder.loads(json.dumps(wire)) == value


# Property: on any tagged JSON, well-formed or not, both paths agree (same value or ValueError).

_WIRE_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from(
        ["1", "x", "1.5", "NaN", TS, "2023-01-01", "C:1", "AQID", "C",
         "12345678-1234-5678-1234-567812345678"]
    ),
)  # fmt: skip
_WIRE = st.recursive(
    _WIRE_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=10,
)


def _outcome(run: Callable[[], Any]) -> tuple[str, str]:
    try:
        return "value", repr(run())
    except ValueError:
        return "ValueError", ""


@settings(max_examples=1000, deadline=None)
@given(_WIRE)
def test_both_decoders_agree_on_any_input(wire: Any) -> None:
    assert _outcome(lambda: FaunaDecoder.decode(wire)) == _outcome(
        lambda: FaunaDecoder.loads(json.dumps(wire))
    )


def test_bytes_decode_to_bytearray_as_in_the_original_driver() -> None:
    decoded = FaunaDecoder.decode({"@bytes": "AQID"})
    assert type(decoded) is bytearray and decoded == b"\x01\x02\x03"
    assert FaunaDecoder.loads('{"@bytes": "AQ=="}') == bytearray(b"\x01")

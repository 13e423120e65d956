"""Tagged and simple JSON → FQL values, with FaunaDB's reasons (wire-protocol §5.3)."""

from __future__ import annotations

import math

import pytest

from faunalite.fql.values import NULL, Date, Module, Time
from faunalite.wire import InvalidValue, decode_simple, decode_tagged


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ({"@int": "3"}, 3),
        ({"@int": "-2147483648"}, -(2**31)),
        ({"@int": "+7"}, 7),
        ({"@long": "9223372036854775807"}, 2**63 - 1),
        ({"@double": "1.5"}, 1.5),
        ({"@double": "1e3"}, 1000.0),
        ({"@double": " 2.5d "}, 2.5),
        ({"@double": "-Infinity"}, -math.inf),
        # Java's parseDouble rounds an out-of-range hex float to infinity or zero.
        ({"@double": "0x1p99999"}, math.inf),
        ({"@double": "-0x1p99999"}, -math.inf),
        ({"@double": "0x1p-99999"}, 0.0),
        ({"@double": "1e999"}, math.inf),
        ({"@time": "2023-04-06T03:33:32.226Z"}, Time(1680752012226000000)),
        ({"@time": "2023-04-06T05:33+02:00"}, Time(1680751980000000000)),
        ({"@time": "2023-04-06T03:33:32+0000"}, Time(1680752012000000000)),
        ({"@date": "2022-12-13"}, Date(19339)),
        ({"@bytes": "AQID"}, b"\x01\x02\x03"),
        ({"@bytes": "AQ"}, b"\x01"),
        ({"@bytes": "AQ=="}, b"\x01"),
        ({"@object": {"@int": {"@int": "1"}}}, {"@int": 1}),
        ({"a": [{"@int": "1"}, "s", True, None]}, {"a": [1, "s", True, NULL]}),
        ({"@mod": "Time"}, Module("Time")),
    ],
)
def test_tagged_values(data: object, value: object) -> None:
    assert decode_tagged(data) == value


def test_nan_double() -> None:
    assert math.isnan(decode_tagged({"@double": "NaN"}))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (1, "numbers must be tagged"),
        ([1.5], "numbers must be tagged"),
        ({"@int": "4294967296"}, "invalid integer"),
        ({"@int": "1.0"}, "invalid integer"),
        ({"@int": "1_000"}, "invalid integer"),
        ({"@int": 1}, "@int requires a string value"),
        ({"@long": "9223372036854775808"}, "invalid long"),
        ({"@double": "inf"}, "invalid double"),
        ({"@time": "2023-04-06T03:33:32"}, "invalid time"),
        ({"@date": "2023-02-30"}, "invalid date"),
        ({"@bytes": "A"}, "invalid bytes"),
        ({"@bytes": "AQ="}, "invalid bytes"),
        ({"@bytes": "A Q=="}, "invalid bytes"),
        ({"@object": []}, "@object requires an object value"),
        ({"@int": "1", "x": "y"}, "too many keys in tagged value"),
        ({"@set": "cursor"}, "invalid tag '@set'"),
        ({"@stream": "token"}, "invalid tag '@stream'"),
        ({"@uuid": "00000000-0000-0000-0000-000000000001"}, "invalid tag '@uuid'"),
        ({"@mod": "NoSuchThing"}, "no such module 'NoSuchThing'"),
        ({"@doc": {"id": "1"}}, "@doc field 'coll' is required"),
        (
            {"@ref": {"coll": {"@mod": "Time"}, "id": "1"}},
            "@ref field 'coll' requires a module value",
        ),
        ({"@doc": "User:1"}, "no such collection 'User'"),
        ({"@doc": "User"}, "doc id must be in the format <coll>:<id>"),
        ({"@doc": True}, "@doc requires an object value"),
    ],
)
def test_tagged_failures(data: object, reason: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        decode_tagged(data)
    assert raised.value.reason == reason


def test_simple_takes_json_as_it_is() -> None:
    assert decode_simple({"@int": "1", "n": 5, "d": 1.5, "z": None}) == {
        "@int": "1",
        "n": 5,
        "d": 1.5,
        "z": NULL,
    }
    assert decode_simple(2**64) == float(2**64)

"""FQL values → tagged and simple JSON, as FaunaDB writes them (wire-protocol §5.1)."""

from __future__ import annotations

import math
import time
import uuid

import pytest

from faunalite.fql.values import (
    ID,
    NULL,
    TRANSACTION_TIME,
    Date,
    Lambda,
    Module,
    NativeFunction,
    StorageValue,
    Time,
    UUIDValue,
)
from faunalite.wire import (
    UnencodableValueError,
    ValueEncoder,
    encode_simple,
    encode_tagged,
    register_storage_encoder,
)
from faunalite.wire.encoding import EncodingTimedOut

TIME = Time(1680752012226000000)  # 2023-04-06T03:33:32.226Z


@pytest.mark.parametrize(
    ("value", "tagged", "simple"),
    [
        (3, {"@int": "3"}, 3),
        (-(2**31), {"@int": "-2147483648"}, -(2**31)),
        (2**31, {"@long": "2147483648"}, 2**31),
        (2**63 - 1, {"@long": "9223372036854775807"}, 2**63 - 1),
        (22.2, {"@double": "22.2"}, 22.2),
        (1.0, {"@double": "1.0"}, 1.0),
        (1e21, {"@double": "1.0E21"}, 1e21),
        (1e-4, {"@double": "1.0E-4"}, 1e-4),
        (math.inf, {"@double": "Infinity"}, "Infinity"),
        (-math.inf, {"@double": "-Infinity"}, "-Infinity"),
        (True, True, True),
        ("text", "text", "text"),
        (NULL, None, None),
        (ID(123), "123", "123"),
        (TIME, {"@time": "2023-04-06T03:33:32.226Z"}, "2023-04-06T03:33:32.226Z"),
        (Date(19339), {"@date": "2022-12-13"}, "2022-12-13"),
        (b"\x01\x02\x03", {"@bytes": "AQID"}, "AQID"),
        (b"\x01", {"@bytes": "AQ=="}, "AQ=="),
        (Module("Math"), {"@mod": "Math"}, "Math"),
        (
            UUIDValue(uuid.UUID(int=1)),
            {"@uuid": "00000000-0000-0000-0000-000000000001"},
            "00000000-0000-0000-0000-000000000001",
        ),
    ],
)
def test_scalars(value: object, tagged: object, simple: object) -> None:
    assert encode_tagged(value) == tagged
    assert encode_simple(value) == simple


def test_nan_is_a_string_in_simple_and_tagged_double() -> None:
    assert encode_tagged(math.nan) == {"@double": "NaN"}
    assert encode_simple(math.nan) == "NaN"


def test_containers_encode_recursively() -> None:
    value = {"a": [1, {"b": 2.5}], "c": NULL}
    assert encode_tagged(value) == {"a": [{"@int": "1"}, {"b": {"@double": "2.5"}}], "c": None}
    assert encode_simple(value) == {"a": [1, {"b": 2.5}], "c": None}


def test_objects_with_at_keys_are_wrapped_only_in_tagged() -> None:
    value = {"@foo": "one", "bar": "two"}
    assert encode_tagged(value) == {"@object": {"@foo": "one", "bar": "two"}}
    assert encode_simple(value) == value
    nested = {"outer": {"@x": 1}}
    assert encode_tagged(nested) == {"outer": {"@object": {"@x": {"@int": "1"}}}}


def test_functions_render_as_strings() -> None:
    lam = Lambda(params=["x"], variadic=None, body=None, closure=None)
    native = NativeFunction("abs", lambda ctx, x: x)
    assert encode_tagged(lam) == "[function <lambda>]"
    assert encode_simple(native) == "[function abs()]"


def test_transaction_time_renders_as_the_commit_time() -> None:
    encoder = ValueEncoder(tagged=True, transaction_time=TIME)
    assert encoder.encode([TRANSACTION_TIME]) == [{"@time": "2023-04-06T03:33:32.226Z"}]
    with pytest.raises(UnencodableValueError):
        encode_tagged(TRANSACTION_TIME)


class _FakeDoc(StorageValue):
    fql_type_name = "FakeDoc"

    def __init__(self, ident: str) -> None:
        self.ident = ident


class _FakeSubDoc(_FakeDoc):
    pass


def test_storage_values_use_their_registered_encoder() -> None:
    def encode_doc(encoder: ValueEncoder, doc: _FakeDoc) -> object:
        fields = {"id": doc.ident, "coll": encoder.encode(Module("User"))}
        return {"@doc": fields} if encoder.tagged else fields

    register_storage_encoder(_FakeDoc, encode_doc)
    assert encode_tagged([_FakeSubDoc("1")]) == [{"@doc": {"id": "1", "coll": {"@mod": "User"}}}]
    assert encode_simple(_FakeDoc("2")) == {"id": "2", "coll": "User"}


def test_unregistered_storage_value_is_a_caller_bug() -> None:
    class Unknown(StorageValue):
        pass

    with pytest.raises(UnencodableValueError):
        encode_tagged(Unknown())


def test_encoding_past_the_deadline_stops() -> None:
    shared: object = 1
    for _ in range(60):  # 2**60 paths through 60 objects
        shared = {"a": shared, "b": [shared]}
    encoder = ValueEncoder(tagged=True, deadline=time.monotonic() - 1)
    with pytest.raises(EncodingTimedOut):
        encoder.encode(shared)


def test_encoding_within_the_deadline_is_unchanged() -> None:
    encoder = ValueEncoder(tagged=False, deadline=time.monotonic() + 60)
    assert encoder.encode([{"a": [1]}] * 5000) == [{"a": [1]}] * 5000

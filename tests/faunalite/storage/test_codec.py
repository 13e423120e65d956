"""The stored value encoding round-trips the persistable FQL value model exactly."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faunalite.fql.values import ID, NULL, TRANSACTION_TIME, Date, Lambda, Null, Time, UUIDValue
from faunalite.storage import CorruptDataError, DocRef, UnstorableValueError
from faunalite.storage.codec import decode_value, encode_value

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.just(NULL),
    st.builds(Time, st.integers(min_value=-(10**28), max_value=10**28)),
    st.builds(Date, st.integers(min_value=-(10**9), max_value=10**9)),
    st.builds(ID, st.integers(min_value=0, max_value=2**63 - 1)),
    st.builds(UUIDValue, st.uuids()),
    st.builds(DocRef, st.text(min_size=1), st.integers(min_value=0, max_value=2**63 - 1)),
    st.builds(DocRef, st.text(min_size=1), st.text(min_size=1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner), st.dictionaries(st.text(), inner)),
    max_leaves=20,
)


def same(a: Any, b: Any) -> bool:
    """Equality that also requires the same Python types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


@given(values)
def test_every_persistable_value_round_trips_with_its_type(value: Any) -> None:
    assert same(decode_value(encode_value(value)), value)


@pytest.mark.parametrize(
    "value",
    [1, 1.0, -0.0, 2**31, 2**63 - 1, -(2**63), float("inf"), float("-inf"), True, 0, False],
)
def test_numbers_keep_their_kind(value: Any) -> None:
    decoded = decode_value(encode_value(value))
    assert type(decoded) is type(value)
    assert decoded == value
    assert math.copysign(1, decoded) == math.copysign(1, value)


def test_nan_survives() -> None:
    assert math.isnan(decode_value(encode_value(float("nan"))))


def test_time_keeps_nanoseconds_and_object_keeps_key_order() -> None:
    value = {"z": Time(1_700_000_000_123_456_789), "a": [Date(19000), b"\x00\xff"]}
    decoded = decode_value(encode_value(value))
    assert list(decoded) == ["z", "a"]
    assert decoded["z"].epoch_ns == 1_700_000_000_123_456_789


def test_lone_surrogates_round_trip() -> None:
    assert decode_value(encode_value("a\ud800b")) == "a\ud800b"


def test_null_decodes_as_null_whatever_its_cause() -> None:
    assert isinstance(decode_value(encode_value(Null("missing field"))), Null)


def test_uuid_and_refs() -> None:
    u = UUIDValue(uuid.uuid4())
    refs = [DocRef("Book", 123), DocRef("Collection", "Book")]
    assert decode_value(encode_value([u, *refs])) == [u, *refs]


@pytest.mark.parametrize(
    "value", [TRANSACTION_TIME, Lambda([], None, None, None), {1: "non-string key"}, object()]
)
def test_unstorable_values_are_refused(value: Any) -> None:
    with pytest.raises(UnstorableValueError):
        encode_value(value)


@pytest.mark.parametrize("blob", [b"", b"\x05\x05ab", b"\x03\x01\x00", b"\xee"])
def test_corrupt_blobs_raise_a_storage_error(blob: bytes) -> None:
    with pytest.raises(CorruptDataError):
        decode_value(blob)
